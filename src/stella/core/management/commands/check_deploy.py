"""`stella check-deploy`: Django's deployment checks with production settings; any warning fails."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Prüft die Produktionskonfiguration (manage.py check --deploy, Warnungen gelten als Fehler)."

    def handle(self, *args: Any, **options: Any) -> None:
        # Settings are read at import time, so the check runs in a child process with production flags.
        env = {**os.environ, "STELLA_PRODUCTION": "1", "STELLA_DEBUG": "0"}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # a test-only switch; production never sets it
        code = (
            "import django, sys; from django.core.management import call_command;"
            "django.setup(); call_command('check', deploy=True, fail_level='WARNING')"
        )
        result = subprocess.run([sys.executable, "-c", code], env=env, check=False)  # noqa: S603
        if result.returncode != 0:
            raise CommandError("Die Produktionsprüfung hat Warnungen oder Fehler gemeldet.")
        self.stdout.write("Produktionsprüfung ohne Befund.")
