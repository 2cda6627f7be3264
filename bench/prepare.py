"""Create, migrate and fill the benchmark database (idempotent: a filled database is reused)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


@dataclass
class Prepared:
    persons: int
    loaded: int  # persons added in this run
    load_seconds: float  # wall time of `stella demo` for them
    created_database: bool


def _admin_url(url: str) -> tuple[str, str]:
    """(URL of the maintenance database `postgres`, name of the benchmark database)."""
    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"BENCH_DATABASE_URL nennt keine Datenbank: {url}")
    return urlunsplit(parts._replace(path="/postgres")), name


def ensure_database(url: str) -> bool:
    """Create the database if it does not exist; True if it was created."""
    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def prepare(url: str, persons: int, *, log: bool = True) -> Prepared:
    """Database exists, is migrated and holds at least `persons` persons (more are added if not)."""
    created = ensure_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from stella.people.models import Person

    have = Person.objects.count()
    loaded, seconds = 0, 0.0
    if have < persons:
        missing = persons - have
        if log:
            print(f"Benchmark-Datenbank hat {have} Personen; lege {missing} an (stella demo) …", flush=True)
        started = time.perf_counter()
        call_command("demo", persons=missing, force_demo=True, no_activity=True)
        seconds = time.perf_counter() - started
        loaded = missing
        vacuum()
    return Prepared(persons=Person.objects.count(), loaded=loaded, load_seconds=seconds, created_database=created)


def vacuum() -> None:
    """VACUUM ANALYZE the big tables: planner statistics and the visibility map for index-only scans."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 10000")
        for (table,) in cur.fetchall():
            cur.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
