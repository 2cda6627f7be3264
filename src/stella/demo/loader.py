"""Writes generated demo rows in chunks: PostgreSQL COPY, or executemany on other databases.

Bulk inserts bypass the services and their per-row audit events; instead every chunk commits together
with ONE audit event (`object_type="demo_bulk"`) that names the persons it created, so that the hash
chain stays complete and verifiable.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import connection, connections, transaction
from django.db.models import Max, Model
from django.utils import timezone

from stella.audit import service as audit
from stella.audit.models import AuditAction
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
        out.append(Table(label, model._meta.db_table, tuple(f.column for f in fields), tuple(prep), tuple(json_cols)))
    return out


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
                raw = cur.cursor  # the psycopg cursor under Django's wrapper
                q = connection.ops.quote_name
                with raw.copy(f'COPY {q(t.db_table)} ({", ".join(q(c) for c in t.columns)}) FROM STDIN') as copy:
                    if t.json_columns:
                        for row in data:
                            r = list(row)
                            for i in t.json_columns:
                                r[i] = json.dumps(r[i], ensure_ascii=False)
                            copy.write_row(r)
                    else:
                        for row in data:
                            copy.write_row(row)
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


def load(persons: int, *, seed: int = DEFAULT_SEED, today: date | None = None, chunk_size: int = DEFAULT_CHUNK,
         progress: bool = True, now: datetime | None = None) -> LoadResult:
    """Create agencies and demo users if missing, then `persons` synthetic persons with their files.

    On PostgreSQL the next chunk is generated in a second thread while the current one is copied in,
    and, when the database user may, the deferred foreign-key checks are skipped for the demo rows
    (`session_replication_role = replica`; they reference only rows made in the same chunk or existing
    agencies and users – the SQLite test runs check every constraint).
    """
    agencies = {code: a.pk for code, a in ensure_agencies().items()}
    ensure_users()
    started = time.perf_counter()  # the persons only: hashing the demo passwords takes its own ~15 s
    today = today or timezone.localdate()
    pg = connection.vendor == "postgresql"
    skip_fk_checks = pg and _is_superuser()
    base_index = Person.objects.count()
    ids = PostgresIds() if pg else _counting_ids()
    gen = Generator(seed=seed, today=today, agencies=agencies, staff=staff_ids(), ids=ids, now=now)
    table_list = tables()
    sizes = [min(chunk_size, persons - start) for start in range(0, persons, chunk_size)]
    starts = [base_index + i * chunk_size for i in range(len(sizes))]
    result = LoadResult()
    bar = _progress(persons, progress)
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
                                     "last_person_id": rows.last_person_id, "seed": seed, "index": starts[i],
                                     "reference_date": today.isoformat(), "rows": counts})
            for k, v in counts.items():
                result.rows[k] = result.rows.get(k, 0) + v
            result.first_person_id = result.first_person_id or rows.first_person_id
            result.last_person_id = rows.last_person_id
            result.chunks += 1
            result.persons += rows.persons
            bar(rows.persons)
    finally:
        bar(0, close=True)
        if pool is not None:
            pool.submit(connections.close_all).result()  # the generator thread's own connection
            pool.shutdown(wait=True, cancel_futures=True)
    if pg and persons >= 50_000:
        analyze(table_list)
    result.seconds = time.perf_counter() - started
    return result


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
