"""Writes generated demo rows in chunks: PostgreSQL COPY, or executemany on other databases.

Bulk inserts bypass the services and their per-row audit events; instead every chunk commits together
with ONE audit event (`object_type="demo_bulk"`) that names the persons it created, so that the hash
chain stays complete and verifiable.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import connection, connections, transaction
from django.db.models import Max, Model
from django.utils import timezone

from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.demo import worker
from stella.demo.generator import COLUMNS, ID_TABLES, CountingIds, Generator, Rows
from stella.demo.setup import SYSTEM, ensure_agencies, ensure_users, staff_ids
from stella.people.models import Person

DEFAULT_SEED = 20150905  # 5 September 2015: the night the trains from Budapest arrived in Munich
DEFAULT_CHUNK = 10_000


def _model(label: str) -> type[Model]:
    if label.endswith("_agencies"):
        return apps.get_model(label.removesuffix("_agencies")).agencies.through  # type: ignore[no-any-return]
    return apps.get_model(label)


@dataclass(frozen=True)
class Table:
    label: str
    db_table: str
    columns: tuple[str, ...]
    #: converters to database values for the executemany path (None: value as is)
    prep: tuple[Callable[[Any], Any] | None, ...]
    json_columns: tuple[int, ...]
    #: PostgreSQL type names for the binary COPY (empty on other databases)
    pg_types: tuple[str, ...] = ()


def tables() -> list[Table]:
    """The tables the loader writes, parents before children, with their column names."""
    out = []
    for label, attnames in COLUMNS.items():
        model = _model(label)
        fields: list[Any] = [model._meta.get_field(a) for a in attnames]  # attnames (person_id) resolve too
        prep = []
        json_cols = []
        for i, f in enumerate(fields):
            if f.get_internal_type() == "JSONField":
                json_cols.append(i)
            prep.append(_prep_for(f))
        pg_types = tuple(_pg_type(f) for f in fields) if connection.vendor == "postgresql" else ()
        out.append(Table(label, model._meta.db_table, tuple(f.column for f in fields), tuple(prep), tuple(json_cols),
                         pg_types))
    return out


def _pg_type(f: Any) -> str:
    """The type name psycopg's binary COPY needs for a column (varchar travels as text)."""
    db_type = str(f.db_type(connection))
    if db_type == "text" or db_type.startswith("varchar"):
        return "text"
    if db_type.startswith("timestamp"):
        return "timestamptz"
    return db_type.split("(")[0]


def _prep_for(f: Any) -> Callable[[Any], Any] | None:
    """Database value conversion for the executemany path (COPY adapts Python values itself)."""
    if f.get_internal_type() not in ("DateTimeField", "DateField", "JSONField", "DecimalField", "UUIDField",
                                     "TimeField"):
        return None

    def prep(value: Any) -> Any:
        return f.get_db_prep_save(value, connection)

    return prep


def missing_columns() -> dict[str, list[str]]:
    """Required columns of the demo tables that the loader does not write (a model gained a field)."""
    out: dict[str, list[str]] = {}
    for label, attnames in COLUMNS.items():
        lacking = [f.attname for f in _model(label)._meta.concrete_fields
                   if f.attname not in attnames and not f.primary_key and not f.null
                   and not f.has_db_default()]  # type: ignore[attr-defined]
        if lacking:
            out[label] = lacking
    return out


class PostgresIds:
    """Ids drawn from the tables' own sequences, in blocks (safe next to other writers)."""

    BLOCK = 20_000

    def __init__(self) -> None:
        self.pool: dict[str, list[int]] = {t: [] for t in ID_TABLES}
        self.sequences = {t: f"{_model(t)._meta.db_table}" for t in ID_TABLES}

    def take(self, table: str, n: int) -> list[int]:
        pool = self.pool[table]
        if len(pool) < n:
            with connection.cursor() as cur:
                cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                            [self.sequences[table], max(self.BLOCK, n)])
                pool.extend(r[0] for r in cur.fetchall())
        taken, self.pool[table] = pool[:n], pool[n:]
        return taken


def _counting_ids() -> CountingIds:
    start = {}
    for t in ID_TABLES:
        top = _model(t)._default_manager.aggregate(m=Max("id"))["m"] or 0
        start[t] = top + 1
    return CountingIds(start)


def write_rows(rows: Rows, table_list: list[Table]) -> None:
    """Insert one chunk's rows (inside the caller's transaction)."""
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        for t in table_list:
            data = rows.tables[t.label]
            if not data:
                continue
            if pg:
                # Binary COPY: about a third of the client CPU of the text format (no date formatting).
                from psycopg.types.json import Jsonb

                raw = cur.cursor  # the psycopg cursor under Django's wrapper
                q = connection.ops.quote_name
                sql = f'COPY {q(t.db_table)} ({", ".join(q(c) for c in t.columns)}) FROM STDIN (FORMAT BINARY)'
                with raw.copy(sql) as copy:
                    copy.set_types(list(t.pg_types))
                    write_row = copy.write_row
                    if t.json_columns:
                        for row in data:
                            r = list(row)
                            for i in t.json_columns:
                                r[i] = Jsonb(r[i])
                            write_row(r)
                    else:
                        for row in data:
                            write_row(row)
            else:
                prep = t.prep
                q = connection.ops.quote_name
                # Names come from model metadata, values are parameters.
                sql = (f'INSERT INTO {q(t.db_table)} ({", ".join(q(c) for c in t.columns)}) '  # noqa: S608
                       f'VALUES ({", ".join(["%s"] * len(t.columns))})')
                cur.executemany(sql, [tuple(p(v) if p and v is not None else v for p, v in zip(prep, row, strict=True))
                                      for row in data])


@dataclass
class LoadResult:
    persons: int = 0
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    chunks: int = 0
    first_person_id: int | None = None
    last_person_id: int | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


#: From this many persons on PostgreSQL, chunks are generated and written by worker processes.
PARALLEL_MIN = 50_000  # below, starting the interpreters costs more than it saves
#: Worker processes (each generates a chunk and copies it in its own transaction; the database server needs
#: CPU too, so more workers than cores do not help).
WORKERS = 2


def load(persons: int, *, seed: int = DEFAULT_SEED, today: date | None = None, chunk_size: int = DEFAULT_CHUNK,
         progress: bool = True, now: datetime | None = None, workers: int | None = None) -> LoadResult:
    """Create agencies and demo users if missing, then `persons` synthetic persons with their files.

    On PostgreSQL the next chunk is generated in a second thread while the current one is copied in, or,
    from `PARALLEL_MIN` persons on (or with `workers` > 1), by `WORKERS` processes that each generate and
    copy whole chunks (ids come from the sequences, the audit chain serialises the commits); when the
    database user may, the deferred foreign-key checks are skipped for the demo rows
    (`session_replication_role = replica`; they reference only rows made in the same chunk or existing
    agencies and users – the SQLite test runs check every constraint).
    """
    agencies = {code: a.pk for code, a in ensure_agencies().items()}
    ensure_users()
    started = time.perf_counter()  # the persons only: hashing the demo passwords takes its own ~15 s
    today = today or timezone.localdate()
    pg = connection.vendor == "postgresql"
    base_index = Person.objects.count()
    sizes = [min(chunk_size, persons - start) for start in range(0, persons, chunk_size)]
    starts = [base_index + i * chunk_size for i in range(len(sizes))]
    if workers is None:
        workers = WORKERS if pg and persons >= PARALLEL_MIN and len(sizes) > 1 else 1
    if pg and workers > 1 and not connection.in_atomic_block:  # workers cannot see uncommitted agencies
        result = _load_parallel(sizes, starts, workers, progress=progress, seed=seed, today=today, now=now,
                                agencies=agencies, staff={(str(c), str(r)): v for (c, r), v in staff_ids().items()},
                                places=course_places())  # plain str keys: the workers unpickle before setup
    else:
        result = _load_here(sizes, starts, progress=progress, seed=seed, today=today, now=now, agencies=agencies)
    if pg and persons >= 50_000:
        analyze(tables())
    result.seconds = time.perf_counter() - started
    return result


def _write_chunk(rows: Rows, table_list: list[Table], *, skip_fk_checks: bool, seed: int, index: int,
                 today: date) -> dict[str, int]:
    """One chunk in one transaction with its audit event; returns the row counts per table."""
    pg = connection.vendor == "postgresql"
    with transaction.atomic():
        if pg:
            with connection.cursor() as cur:  # a crash loses at most the last chunks, never corrupts
                cur.execute("SET LOCAL synchronous_commit TO OFF")
                if skip_fk_checks:
                    cur.execute("SET LOCAL session_replication_role = replica")
        write_rows(rows, table_list)
        if skip_fk_checks:
            with connection.cursor() as cur:
                cur.execute("SET LOCAL session_replication_role = origin")
        counts = {k: v for k, v in rows.counts().items() if v}
        audit.record(SYSTEM, AuditAction.CREATE, object_type="demo_bulk",
                     object_id=f"{rows.first_person_id}-{rows.last_person_id}",
                     detail={"persons": rows.persons, "first_person_id": rows.first_person_id,
                             "last_person_id": rows.last_person_id, "seed": seed, "index": index,
                             "reference_date": today.isoformat(), "rows": counts})
    return counts


def _add(result: LoadResult, counts: dict[str, int], persons: int, first: int | None, last: int | None) -> None:
    for k, v in counts.items():
        result.rows[k] = result.rows.get(k, 0) + v
    result.first_person_id = result.first_person_id or first
    result.last_person_id = last
    result.chunks += 1
    result.persons += persons


def _load_here(sizes: list[int], starts: list[int], *, progress: bool, seed: int, today: date,
               now: datetime | None, agencies: dict[str, int]) -> LoadResult:
    """Chunks written by this process (on PostgreSQL the next one is generated in a thread meanwhile)."""
    pg = connection.vendor == "postgresql"
    skip_fk_checks = pg and _is_superuser()
    ids = PostgresIds() if pg else _counting_ids()
    gen = Generator(seed=seed, today=today, agencies=agencies, staff=staff_ids(), ids=ids, now=now,
                    municipalities=course_places())
    table_list = tables()
    result = LoadResult()
    bar = _progress(sum(sizes), progress)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-gen") if pg else None

    def produce(i: int) -> Rows:
        return gen.chunk(starts[i], sizes[i])

    def submit(i: int) -> Future[Rows]:
        if pool is not None:
            return pool.submit(produce, i)
        done: Future[Rows] = Future()
        done.set_result(produce(i))
        return done

    try:
        pending = submit(0) if sizes else None
        for i in range(len(sizes)):
            assert pending is not None
            rows = pending.result()
            pending = submit(i + 1) if i + 1 < len(sizes) else None
            counts = _write_chunk(rows, table_list, skip_fk_checks=skip_fk_checks, seed=seed, index=starts[i],
                                  today=today)
            _add(result, counts, rows.persons, rows.first_person_id, rows.last_person_id)
            bar(rows.persons)
    finally:
        bar(0, close=True)
        if pool is not None:
            pool.submit(connections.close_all).result()  # the generator thread's own connection
            pool.shutdown(wait=True, cancel_futures=True)
    return result


# State of a worker process (set by `_init_worker`).
_WORKER: dict[str, Any] = {}


def init_worker(database: str, seed: int, today: date, now: datetime | None, agencies: dict[str, int],
                staff: dict[tuple[str, str], int], places: dict[str, int]) -> None:
    """Set up a worker process (called by `demo.worker.init` once Django is set up)."""
    # The parent's database, not the configured one (the test runner renames it, e.g. test_stella).
    connection.settings_dict["NAME"] = database
    _WORKER.update(gen=Generator(seed=seed, today=today, agencies=agencies, staff=staff, ids=PostgresIds(),
                                 now=now, municipalities=places),
                   tables=tables(), skip_fk_checks=_is_superuser(), seed=seed, today=today)


def worker_chunk(index: int, size: int) -> tuple[dict[str, int], int, int | None, int | None]:
    rows = _WORKER["gen"].chunk(index, size)
    counts = _write_chunk(rows, _WORKER["tables"], skip_fk_checks=_WORKER["skip_fk_checks"], seed=_WORKER["seed"],
                          index=index, today=_WORKER["today"])
    return counts, rows.persons, rows.first_person_id, rows.last_person_id


def _load_parallel(sizes: list[int], starts: list[int], workers: int, *, progress: bool, seed: int, today: date,
                   now: datetime | None, agencies: dict[str, int], staff: dict[tuple[str, str], int],
                   places: dict[str, int]) -> LoadResult:
    """Chunks generated and written by worker processes (fresh interpreters with their own connections)."""
    result = LoadResult()
    bar = _progress(sum(sizes), progress)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=worker.init,
                                 initargs=(os.environ.get("DJANGO_SETTINGS_MODULE", "stella.settings"),
                                           connection.settings_dict["NAME"], seed, today, now, agencies, staff,
                                           places)) as pool:
            futures = [pool.submit(worker.chunk, start, size) for start, size in zip(starts, sizes, strict=True)]
            try:
                for future in futures:
                    counts, persons, first, last = future.result()
                    _add(result, counts, persons, first, last)
                    bar(persons)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)  # chunks already written stay (as in one process)
                raise
    finally:
        bar(0, close=True)
    return result


def course_places() -> dict[str, int]:
    """District code → id of the city's Municipality, where the generated course runs take place."""
    from stella.agencies.models import Municipality
    from stella.demo.catalog import DISTRICTS

    wanted = {(f"LK-{d.code}", d.city_municipality): d.code for d in DISTRICTS}
    rows = Municipality.objects.filter(name__in=[n for _, n in wanted]).values_list("landkreis__code", "name", "pk")
    return {wanted[(lk, name)]: pk for lk, name, pk in rows if (lk, name) in wanted}


def _is_superuser() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('is_superuser') = 'on'")
        return bool(cur.fetchone()[0])


def analyze(table_list: list[Table] | None = None) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL)."""
    with connection.cursor() as cur:
        for t in table_list or tables():
            cur.execute(f"ANALYZE {connection.ops.quote_name(t.db_table)}")


def _progress(total: int, enabled: bool) -> Callable[..., None]:
    if not enabled:
        return lambda n, close=False: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit=" Pers.", desc="Demodaten", smoothing=0.05, dynamic_ncols=True)

    def update(n: int, close: bool = False) -> None:
        if n:
            bar.update(n)
        if close:
            bar.close()

    return update
