"""The `stella` command: a thin front to Django's management commands.

`stella check-deploy` runs `manage.py check_deploy`, `stella audit verify` runs `manage.py audit verify`;
any other Django command works the same way (`stella migrate`, `stella createuser …`).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stella.settings")
    from django.core.management import execute_from_command_line

    if not args or args[0] in {"-h", "--help"}:
        args = ["help"]
    else:
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["stella", *args])


if __name__ == "__main__":
    main()
