"""Rows inserted from plain tuples, for the bulk write paths (the registry import, the indexer).

``QuerySet.bulk_create`` takes model instances and, for every value of every row, walks the
field's ``pre_save``, ``get_db_prep_save`` and ``field_as_sql``: profiled on a registry import,
some 130 values a file row and four fifths of the write phase's Python time (and a model
instance a row before that). ``rows_insert`` writes the same rows from tuples: the columns the
caller gives, and for every other concrete field what ``bulk_create`` would have written for a
fresh instance (``auto_now``/``auto_now_add`` → now, else ``Field.get_default()``; a
``db_default`` or generated column is left to the database). A value is converted with the
field's ``get_db_prep_save`` unless the field's type takes Python's ``str``/``int``/``bool``
as they are (text, integers, booleans, foreign keys to integer keys), so what reaches the
database is what ``bulk_create`` sends. One ``INSERT`` per slice: on SQLite a multi-row
``VALUES``, as many rows as its parameter limit allows; on PostgreSQL one array a column
(``unnest … WITH ORDINALITY``, ordered by position); optionally ``ON CONFLICT (…) DO UPDATE``
and ``RETURNING`` (rows come back in insertion order — ``VALUES`` order, which ``bulk_create``
relies on too, or the arrays' order). Runs in the caller's transaction; the statements pass
the connection's execute wrappers (the catalogue cache sees the written table) like any other.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from django.db import connection, models
from django.db.models import Model
from django.utils import timezone

# Field types whose get_db_prep_save returns a str / int / bool value unchanged.
_PLAIN = (
    models.CharField,  # SlugField, EmailField, URLField… are CharFields
    models.TextField,
    models.IntegerField,  # Small/Big/Positive… and AutoFields
    models.BooleanField,
)
# Per statement: rows × columns parameters, never more than this many rows.
MAX_ROWS = 2000


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535  # PostgreSQL's protocol limit on bound parameters


def _converter(field: models.Field) -> Callable | None:
    target = field.target_field if field.is_relation else field
    if isinstance(target, _PLAIN) and not isinstance(target, models.JSONField):
        return None
    return partial(field.get_db_prep_save, connection=connection)


def _filler(field: models.Field, now) -> Callable[[], object]:
    """What ``bulk_create`` writes into a column the caller did not give, for a fresh instance."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda: now
    if field.has_default() and callable(field.default):
        return field.get_default
    value = field.get_default()
    return lambda: value


def _array_types(fields: list[models.Field]) -> list[str] | None:
    """The PostgreSQL array type each column's values are sent as (``varchar[]`` for a
    ``varchar(255)``: the column's own length check applies on insert, where an explicit cast
    would cut silently), or None off PostgreSQL or for a column that is an array itself."""
    if connection.vendor != "postgresql":
        return None
    types = []
    for field in fields:
        db_type = field.db_type(connection)
        if not db_type or "[" in db_type:
            return None
        types.append(re.sub(r"\(.*\)", "", db_type).strip() + "[]")
    return types


def rows_insert(
    *,
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple]:
    """Insert ``rows`` (tuples in the order of ``columns``, attnames: ``holder_id``) into
    ``model``'s table; columns left out get what ``bulk_create`` would give them. With
    ``conflict`` (unique columns) and ``update``, an existing row is updated instead
    (``ON CONFLICT … DO UPDATE SET column = excluded.column``). Returns the ``returning``
    columns of every row, in the order of ``rows`` (an empty list without ``returning``)."""
    opts = model._meta
    given = list(columns)
    by_attname = {f.attname: f for f in opts.concrete_fields}
    missing = [
        f
        for f in opts.concrete_fields
        if f.attname not in given
        and not f.primary_key
        and not f.generated
        and not f.has_db_default()
    ]
    now = timezone.now()
    fillers = [_filler(f, now) for f in missing]
    converters = [_converter(by_attname[name]) for name in given] + [_converter(f) for f in missing]
    convert = [(index, c) for index, c in enumerate(converters) if c is not None]
    names = given + [f.attname for f in missing]
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    column_sql = ", ".join(quote(by_attname[name].column) for name in names)
    row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
    tail = ""
    if conflict:
        tail += f" ON CONFLICT ({', '.join(quote(by_attname[n].column) for n in conflict)})"
        if update:
            sets = ", ".join(
                f"{quote(by_attname[n].column)} = excluded.{quote(by_attname[n].column)}"
                for n in update
            )
            tail += f" DO UPDATE SET {sets}"
        else:
            tail += " DO NOTHING"
    if returning:
        tail += " RETURNING " + ", ".join(quote(by_attname[n].column) for n in returning)
    fields = [by_attname[name] for name in given] + missing
    array_types = _array_types(fields)
    if array_types is not None:
        # PostgreSQL: one array a column (``unnest``), so the statement is a few hundred
        # characters whatever the rows — psycopg parses it once and caches it. A multi-row
        # VALUES statement has a placeholder a value, and psycopg's client-side parsing of
        # each such statement (not cached past 4 KB of SQL) was half of a registry import's
        # write time. ``ORDER BY`` the position keeps ``RETURNING`` in the order of ``rows``.
        arrays = ", ".join(f"%s::{array_type}" for array_type in array_types)
        aliases = ", ".join(f"c{index}" for index in range(len(names)))
        head = (
            f"INSERT INTO {table} ({column_sql}) SELECT {aliases} FROM unnest({arrays}) "
            f"WITH ORDINALITY AS u({aliases}, position) ORDER BY position"
        )
    per_statement = max(1, min(MAX_ROWS, _max_params() // len(names)))

    result: list[tuple] = []
    batch: list = []
    count = 0

    def flush() -> None:
        nonlocal batch, count
        if not count:
            return
        if array_types is not None:
            sql = head + tail
            width = len(names)
            params = [batch[index::width] for index in range(width)]
        else:
            sql = f"INSERT INTO {table} ({column_sql}) VALUES {', '.join([row_sql] * count)}{tail}"
            params = batch
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                result.extend(tuple(row) for row in cursor.fetchall())
        batch, count = [], 0

    for row in rows:
        values = list(row)
        values.extend(fill() for fill in fillers)
        for index, convert_value in convert:
            values[index] = convert_value(values[index])
        batch.extend(values)
        count += 1
        if count == per_statement:
            flush()
    flush()
    return result
