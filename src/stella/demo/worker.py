"""Entry points of the demo loader's worker processes (`loader._load_parallel`).

Kept free of Django imports at module level: a freshly spawned interpreter unpickles references to these
functions before Django is set up; `init` sets it up and then hands over to `loader`.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any


def init(settings_module: str, database: str, seed: int, today: date, now: datetime | None,
         agencies: dict[str, int], staff: dict[tuple[str, str], int], places: dict[str, int]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()
    from stella.demo import loader

    loader.init_worker(database, seed, today, now, agencies, staff, places)


def chunk(index: int, size: int) -> Any:
    from stella.demo import loader

    return loader.worker_chunk(index, size)
