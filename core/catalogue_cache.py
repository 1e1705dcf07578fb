"""The catalogue version, and what is cached under it.

Public reads of the catalogue (storefront pages, anonymous GraphQL queries) are cached under a
*version*: a random token that changes after every committed write to a table those reads could
depend on, plus today's date (a certificate lapses at midnight without any write) and the
release (code, templates and translations). A cached entry is therefore never served after the
data below it changed: its key is simply never asked for again, and it ages out.

Where writes are seen. Not in services: an admin change form, a data migration, a management
command or a ``QuerySet.update()`` would each be one more place to forget. Every SQL statement
Django runs passes through the connection's execute wrappers, so one wrapper sees every
``INSERT``/``UPDATE``/``DELETE``/``TRUNCATE``. A write to a watched table registers one
``on_commit`` callback for its transaction, which stores a new token once the data is committed.
Every table is watched except those listed in ``CATALOGUE_CACHE_IGNORED_MODELS`` (sessions,
carts, orders, payments, scans: busy tables no cached read looks at; a test asserts that).

Why after the commit. A reader that sees the new token started after the data was committed, so
what it builds and stores under that token is at least as new as the data. A reader that still
saw the old token may store newer data under the old key, which nobody asks for any more. The
token is a row in the database rather than a key in the cache, so every process (web workers,
the daily job, the import command) agrees on it whatever the cache backend; reading it is one
primary-key lookup per cached request. It is random, not a counter, so a flushed database
(which starts a new token at its next write) never brings an old key back to life. A database
restored from a dump brings back the token it had when dumped: run ``manage.py migrate`` after a
restore (deploys do), which ends with a new token.

Read your own writes. While the current transaction has written to a watched table and not yet
committed (a request inside ``atomic()``, every test inside its test transaction), the cache is
bypassed: the token cannot have changed yet, and a cached entry would hide the write.

Should the process die between a commit and its callback, the old entries stay until
``CATALOGUE_CACHE_TIMEOUT`` (10 minutes by default) or the next write. Raw SQL is seen only when
the statement starts with its verb (no leading comment or ``WITH``), as every statement Django
generates does; ``COPY`` is not seen.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections
from django.utils import timezone, translation

logger = logging.getLogger("core.catalogue_cache")

T = TypeVar("T")

CACHE_ALIAS = "catalogue"
VERSION_NAME = "catalogue"

# The table a write statement changes, as Django's compilers and backends spell them.
_WRITE = re.compile(
    r"""^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+
        (?:"(?P<quoted>[^"]+)"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))""",
    re.IGNORECASE | re.VERBOSE,
)
_TRUNCATE = re.compile(r"^\s*TRUNCATE\b", re.IGNORECASE)

# While ``migrate`` runs, the version table may not exist yet; one bump follows the whole run.
_paused = False


def written_table(sql: str) -> str | None:
    """The table an SQL write statement changes; ``"*"`` for TRUNCATE (it may name several);
    None for anything else."""
    match = _WRITE.match(sql)
    if match:
        return match.group("quoted") or match.group("bare")
    if _TRUNCATE.match(sql):
        return "*"
    return None


@cache
def ignored_tables() -> frozenset[str]:
    from core.models import CatalogueVersion

    labels = getattr(settings, "CATALOGUE_CACHE_IGNORED_MODELS", ())
    tables = {apps.get_model(label)._meta.db_table for label in labels}
    tables.add(CatalogueVersion._meta.db_table)
    return frozenset(tables)


def _changes_catalogue(sql: str) -> bool:
    table = written_table(sql)
    return table is not None and (table == "*" or table not in ignored_tables())


def catalogue_version_bump(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Store a new token: every entry cached so far is out of date.

    Single statements, no transaction of its own: it runs as an on-commit callback, or in
    autocommit right after the write it follows, where SQLite may still be reading that
    statement's RETURNING rows (a BEGIN/COMMIT there fails; a plain statement joins the write's
    implicit transaction and is committed with it)."""
    from core.models import CatalogueVersion

    token, now = secrets.token_hex(8), timezone.now()
    versions = CatalogueVersion.objects.using(using)
    try:
        if not versions.filter(name=VERSION_NAME).update(token=token, changed_at=now):
            # A flushed database: start again (a concurrent writer may have just done so).
            with contextlib.suppress(IntegrityError):
                CatalogueVersion(name=VERSION_NAME, token=token, changed_at=now).save(
                    using=using, force_insert=True
                )
    except DatabaseError:
        # The write it follows is committed; failing the request now would not undo it.
        # Entries age out after CATALOGUE_CACHE_TIMEOUT.
        logger.exception("Could not change the catalogue version; cached pages may be stale")


def _bump_default() -> None:
    catalogue_version_bump(using=DEFAULT_DB_ALIAS)


def _pending(connection) -> bool:
    """Whether this connection's open transaction has already scheduled a bump."""
    return connection.in_atomic_block and any(
        entry[1] is _bump_default for entry in connection.run_on_commit
    )


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    connection = context["connection"]
    if (
        not _paused
        and connection.alias == DEFAULT_DB_ALIAS
        and _changes_catalogue(sql)
        and not _pending(connection)
    ):
        if connection.in_atomic_block or connection.get_autocommit():
            connection.on_commit(_bump_default, robust=True)
        else:
            # Manual transaction management: no commit hook to wait for; bump now and again
            # whenever the next watched write runs.
            _bump_default()
    return result


def install_write_watch(*, connection) -> None:
    """Add the write watch to ``connection`` (once: the same wrapper object survives
    reconnects)."""
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch_writes)


def pause_during_migrate(**kwargs) -> None:
    global _paused
    _paused = True


def resume_after_migrate(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    global _paused
    if _paused:
        _paused = False
        catalogue_version_bump(using=using)


def catalogue_version() -> str | None:
    """The key part every cached catalogue read carries; None when nothing may be cached now
    (caching off, or this transaction has uncommitted catalogue writes)."""
    from core.models import CatalogueVersion

    if catalogue_cache_timeout() <= 0:
        return None
    connection = connections[DEFAULT_DB_ALIAS]
    if _pending(connection):
        return None
    token = (
        CatalogueVersion.objects.filter(name=VERSION_NAME).values_list("token", flat=True).first()
    )
    if token is None:
        return None
    return f"{token}.{timezone.localdate():%Y%m%d}.{release_digest()}"


def catalogue_cache_timeout() -> int:
    return int(getattr(settings, "CATALOGUE_CACHE_TIMEOUT", 0) or 0)


def catalogue_cached(*, key: str, build: Callable[[], T]) -> T:
    """What ``build()`` returns, from the cache while the catalogue has not changed. ``key``
    names the read (its arguments included); the version and the active language are added
    here. ``build`` must return something picklable."""
    full_key, value = catalogue_cache_lookup(key=key)
    if value is MISSING:
        value = build()
        if full_key is not None:
            catalogue_cache_store(full_key=full_key, value=value)
    return value


def catalogue_cache_lookup(*, key: str) -> tuple[str | None, object]:
    """For callers that decide after building whether the result may be stored: the full key
    (None when nothing may be cached now) and the cached value or ``MISSING``."""
    version = catalogue_version()
    if version is None:
        return None, MISSING
    full_key = _full_key(key, version)
    return full_key, caches[CACHE_ALIAS].get(full_key, MISSING)


def catalogue_cache_store(*, full_key: str, value: object) -> None:
    caches[CACHE_ALIAS].set(full_key, value, catalogue_cache_timeout())


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


def _full_key(key: str, version: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{version}.{translation.get_language() or settings.LANGUAGE_CODE}.{digest}"


@cache
def release_digest() -> str:
    """A digest of what shapes a cached entry besides the data: the project's Python code,
    templates, compiled translations and the static files manifest. A deploy that changes any
    of them starts with fresh keys, so no page is served with old markup or old asset names."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256(getattr(settings, "RELEASE", "").encode())
    suffixes = {".py", ".html", ".mo", ".json", ".txt"}
    folders = ("core", "sellers", "catalog", "marketplace", "traceability", "search")
    for folder in (*folders, "templates", "locale"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in suffixes and path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root:
        manifest = Path(static_root) / "staticfiles.json"
        if manifest.is_file():
            digest.update(manifest.read_bytes())
    return digest.hexdigest()[:12]
