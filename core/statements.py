"""psycopg's memory of parsed statements, widened to the statements pages actually send.

With client-side binding (Django's default on psycopg 3) every execution turns ``%s``
placeholders into a template; psycopg remembers that work (an LRU of 128 statements) only for
statements of at most 50 parameters. A page of a products connection reads its certificates,
evaluations, parts, photos and offers for 100 product ids, and a catalogue-cache hit of that page
checks 100 product scopes: each of those statements was split again on every request, which cost
more than running it. The statement text of ``pk IN (%s, … 100 times)`` is the same for every
page of the same size, so remembering it is as safe as remembering the small ones.
"""

from __future__ import annotations

# Statements with up to this many parameters are remembered (psycopg's default: 50); the
# length limit (4,096 bytes of SQL) is psycopg's own and unchanged.
MAX_REMEMBERED_PARAMS = 1_000


def statement_memory_widen() -> None:
    """Raise psycopg's parameter limit for remembered statements, if this psycopg has one."""
    try:
        from psycopg import _queries
    except ImportError:  # SQLite-only installs
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", None) is not None:
        _queries.MAX_CACHED_STATEMENT_PARAMS = max(
            _queries.MAX_CACHED_STATEMENT_PARAMS, MAX_REMEMBERED_PARAMS
        )
