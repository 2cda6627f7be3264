"""Set-based helpers for hand-overs that touch thousands of rows per statement.

`AnyOf("person_id", ids)` filters on a list of ids as one array parameter on PostgreSQL (`= ANY(%s)`):
Django's `__in` prepares and quotes every element in Python, which costs more than the query at 5,000
ids. `insert()` writes many rows with COPY on PostgreSQL. Both fall back to plain SQL elsewhere (SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, Model


class AnyOf(Func):
    """`field = ANY(array)`: a boolean expression for `.filter()`."""

    output_field = BooleanField()

    def __init__(self, field: str, values: Iterable[int]) -> None:
        super().__init__(F(field))
        self.values = list(values)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        lhs, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, self.values]
        if not self.values:
            return "1 = 0", list(params)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.values))})", [*params, *self.values]


def insert(model: type[Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows (attribute name → value, every row the same keys) and return their ids in order.

    PostgreSQL: ids from the table's sequence and COPY – quoting thousands of parameters (summaries as JSON)
    in Python costs more than the insert itself. Elsewhere: bulk_create."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=2000)
        return [obj.pk for obj in created]
    q = connection.ops.quote_name
    table = model._meta.db_table
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[name] for name in rows[0]]
    json_fields = [f.get_internal_type() == "JSONField" for f in fields]
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)])
        ids = [pk for (pk,) in cur.fetchall()]
        pk_column = model._meta.pk.column if model._meta.pk else "id"
        columns = ", ".join(q(c) for c in [pk_column, *(f.column for f in fields)])
        with cur.cursor.copy(f"COPY {q(table)} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row([pk, *(json.dumps(v, ensure_ascii=False) if is_json else v
                                      for v, is_json in zip(row.values(), json_fields, strict=True))])
    return ids


__all__ = ["AnyOf", "insert"]
