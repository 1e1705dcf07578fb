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

Fine-grained scopes. Most writes are sales and price or stock edits: rows of a few tables
(``CATALOGUE_CACHE_SCOPED_MODELS``: offers and stock) whose every service also announces them
through ``core.search.search_rows_changed``. Such an announcement is turned by a resolver the
owning package registered (``catalogue_scope_resolver_register``) into the *scopes* it touches:
``p:<product id>`` and ``s:<business id>`` (the seller and the product's holder), plus
``offers`` (any list that filters or sorts on offers). A transaction whose watched writes were
all to those tables (and to the derived tables, ``CATALOGUE_CACHE_DERIVED_MODELS``: the search
documents its announcements rewrote) and whose announcements all resolved bumps only those
scopes; anything else — an admin form, a ``QuerySet.update()``, a catalogue edit — bumps the
whole catalogue as before.

A scope bump takes the next value of a counter (``seq`` of the ``catalogue`` row) and stores it
on each scope's row (never lowering one). A cached entry keeps the counter value read *before*
it was built and the scopes it read (a collector records them while it builds:
``catalogue_reads(products=…, sellers=…)`` around a read narrowed to those rows, and ``offers``
for any other statement that reads a scoped or derived table). A hit reads the ``catalogue``
row and the entry's scopes in one primary-key query and is served only if the token is the same
and no scope was bumped after that counter value. Why that is enough: a bump happens after its
write's commit, so a reader who read the counter at or after the bump's value built from the
committed write; a reader who read it before has a lower value and loses its entry once the
scope row carries the bump.

Should the process die between a commit and its callback, the old entries stay until
``CATALOGUE_CACHE_TIMEOUT`` (10 minutes by default) or the next write. Raw SQL is seen only when
the statement starts with its verb (no leading comment or ``WITH``), as every statement Django
generates does; ``COPY`` is not seen.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections
from django.db.models import F
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


def _models_tables(setting: str) -> frozenset[str]:
    labels = getattr(settings, setting, ())
    tables = set()
    for label in labels:
        if "." in label:
            tables.add(apps.get_model(label)._meta.db_table)
        else:  # a table no model describes (a full-text index the backend writes itself)
            tables.add(label)
    return frozenset(tables)


@cache
def scoped_tables() -> frozenset[str]:
    """Tables whose writes may bump scopes instead of the whole catalogue (offers, stock)."""
    return _models_tables("CATALOGUE_CACHE_SCOPED_MODELS")


@cache
def derived_tables() -> frozenset[str]:
    """Tables rewritten only from announced changes (the search documents)."""
    return _models_tables("CATALOGUE_CACHE_DERIVED_MODELS")


@cache
def _scope_read_pattern() -> re.Pattern[str]:
    names = sorted(scoped_tables() | derived_tables())
    return re.compile("|".join(re.escape(f'"{name}"') for name in names) or "(?!)")


# --- scopes -------------------------------------------------------------------------------------

#: Any list that filters or sorts on offers, or reads offers or search documents unnarrowed.
OFFERS_SCOPE = "offers"

ScopeResolver = Callable[[list[int]], set[str] | None]
_resolvers: dict[str, ScopeResolver] = {}


def catalogue_scope_resolver_register(model, resolver: ScopeResolver) -> None:
    """``resolver(ids)`` gives the scopes rows of ``model`` touch (``product_scope``,
    ``seller_scope``), or None when it cannot tell (the whole catalogue is bumped then). Called
    by the package that owns ``model`` when it is ready."""
    _resolvers[model._meta.label] = resolver


def product_scope(product_id: int) -> str:
    return f"p:{product_id}"


def seller_scope(business_id: int) -> str:
    return f"s:{business_id}"


class _Bump:
    """What one transaction's commit must bump: the whole catalogue, or some scopes. Collected
    while the transaction writes; registered once per transaction as its on-commit callback."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.everything = False
        self.scoped_writes = False
        self.scopes: set[str] = set()

    def __call__(self) -> None:
        if self.everything or (self.scoped_writes and not self.scopes):
            catalogue_version_bump(using=self.using)
        elif self.scopes:
            catalogue_scopes_bump(scopes={OFFERS_SCOPE, *self.scopes}, using=self.using)


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


def catalogue_scopes_bump(*, scopes: Iterable[str], using: str = DEFAULT_DB_ALIAS) -> None:
    """Mark ``scopes`` changed now: the counter moves on, and each scope's row takes its new
    value (or keeps a higher one a concurrent bump stored). Runs after the write's commit, in
    autocommit, as separate statements: the counter first, so a reader that sees its new value
    builds from the committed write."""
    from core.models import CatalogueVersion

    versions = CatalogueVersion.objects.using(using)
    try:
        if not versions.filter(name=VERSION_NAME).update(seq=F("seq") + 1):
            catalogue_version_bump(using=using)  # a flushed database
            return
        # At least our own step: a concurrent bump may have moved it further (harmless).
        seq = versions.filter(name=VERSION_NAME).values_list("seq", flat=True).get()
        names = sorted(set(scopes))  # one lock order for concurrent upserts
        table = CatalogueVersion._meta.db_table
        connection = connections[using]
        keep_higher = "GREATEST" if connection.vendor == "postgresql" else "MAX"
        rows = ", ".join(["(%s, '', %s, %s)"] * len(names))
        params: list[object] = []
        now = timezone.now()
        for name in names:
            params += [name, now, seq]
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{table}" (name, token, changed_at, seq) VALUES {rows} '
                f'ON CONFLICT (name) DO UPDATE SET seq = {keep_higher}("{table}".seq, '
                "excluded.seq), changed_at = excluded.changed_at",
                params,
            )
    except DatabaseError:
        logger.exception("Could not change the catalogue scopes; falling back to a new version")
        with contextlib.suppress(DatabaseError):
            catalogue_version_bump(using=using)


def _pending(connection) -> _Bump | None:
    """This connection's open transaction's bump, once a watched write scheduled one."""
    if not connection.in_atomic_block:
        return None
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _Bump):
            return entry[1]
    return None


def _watch_writes(execute, sql, params, many, context):
    collector = _collector.get()
    if collector is not None and not _narrowed.get() and _scope_read_pattern().search(sql):
        # A read of offers, stock or search documents not narrowed to known rows.
        collector.add(OFFERS_SCOPE)
    result = execute(sql, params, many, context)
    connection = context["connection"]
    if _paused or connection.alias != DEFAULT_DB_ALIAS:
        return result
    table = written_table(sql)
    if table is None or (table != "*" and table in ignored_tables()):
        return result
    bump = _pending(connection)
    fresh = bump is None
    if fresh:
        bump = _Bump(connection.alias)
    if table in scoped_tables() or table in derived_tables():
        bump.scoped_writes = True
    else:
        bump.everything = True
    if fresh:
        if connection.in_atomic_block or connection.get_autocommit():
            # In autocommit this runs at once, before any announcement: the whole catalogue.
            connection.on_commit(bump, robust=True)
        else:
            # Manual transaction management: no commit hook to wait for; bump now and again
            # whenever the next watched write runs.
            bump.everything = True
            bump()
    return result


def rows_changed(model, ids: list[int]) -> None:
    """The listener of ``core.search.search_rows_changed``: scopes for the open transaction's
    bump. Announcements outside a transaction come after an autocommit write, which has already
    bumped the whole catalogue."""
    if _paused:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        return
    bump = _pending(connection)
    if bump is None:
        bump = _Bump(connection.alias)
        connection.on_commit(bump, robust=True)
    if bump.everything:
        return
    resolver = _resolvers.get(model._meta.label)
    if resolver is None:
        # An announced row of a table outside the scoped ones: its write bumps everything (or,
        # without a write, this does).
        if model._meta.db_table not in scoped_tables():
            bump.everything = True
        return
    scopes = resolver(list(ids))
    if not scopes:
        bump.everything = True
    else:
        bump.scopes |= scopes


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


def _version_row() -> tuple[str, int] | None:
    """The token and counter, or None when nothing may be cached now (caching off, or this
    transaction has uncommitted catalogue writes)."""
    from core.models import CatalogueVersion

    if catalogue_cache_timeout() <= 0:
        return None
    connection = connections[DEFAULT_DB_ALIAS]
    if _pending(connection) is not None:
        return None
    return CatalogueVersion.objects.filter(name=VERSION_NAME).values_list("token", "seq").first()


def catalogue_version() -> str | None:
    """The whole catalogue's version (token, today, release); None when nothing may be cached
    now. Scoped changes do not change it."""
    row = _version_row()
    if row is None:
        return None
    return f"{row[0]}.{timezone.localdate():%Y%m%d}.{release_digest()}"


def catalogue_cache_timeout() -> int:
    return int(getattr(settings, "CATALOGUE_CACHE_TIMEOUT", 0) or 0)


# --- reads: what a cached entry depends on -------------------------------------------------------

_collector: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "catalogue_collector", default=None
)
_narrowed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "catalogue_narrowed", default=False
)


@contextlib.contextmanager
def catalogue_reads(*, products: Iterable[int] = (), sellers: Iterable[int] = ()) -> Iterator[None]:
    """Around the evaluation of a read of offers or stock narrowed to ``products`` (their
    offers, whoever sells them) or ``sellers`` (their offers): the entry being built depends on
    those scopes only, not on every offer. Costs nothing when no entry is being built."""
    collector = _collector.get()
    if collector is None:
        yield
        return
    collector.update(product_scope(pk) for pk in products)
    collector.update(seller_scope(pk) for pk in sellers)
    token = _narrowed.set(True)
    try:
        yield
    finally:
        _narrowed.reset(token)


@dataclass
class CacheEntry:
    """One lookup: ``hit`` and ``value`` when the cache had a fresh answer; otherwise what a
    store needs (the key, the token and counter read before building, the scopes read)."""

    key: str | None
    hit: bool = False
    value: object = None
    token: str = ""
    seq: int = 0
    scopes: set[str] = field(default_factory=set)


@contextlib.contextmanager
def catalogue_cache_entry(*, key: str) -> Iterator[CacheEntry]:
    """Look ``key`` up; on a miss, record what the body reads until it calls
    ``catalogue_cache_store``. ``key`` names the read (its arguments included); today, the
    release and the active language are added here."""
    entry = _lookup(key)
    parent = _collector.get()
    if entry.hit or entry.key is None:
        if parent is not None and entry.hit:
            parent.update(entry.scopes)
        yield entry
        return
    token = _collector.set(entry.scopes)
    narrowed = _narrowed.set(False)
    try:
        yield entry
    finally:
        _narrowed.reset(narrowed)
        _collector.reset(token)
        if parent is not None:
            parent.update(entry.scopes)


def _lookup(key: str) -> CacheEntry:
    if catalogue_cache_timeout() <= 0 or _pending(connections[DEFAULT_DB_ALIAS]) is not None:
        return CacheEntry(key=None)
    full_key = _full_key(key, f"{timezone.localdate():%Y%m%d}.{release_digest()}")
    stored = caches[CACHE_ALIAS].get(full_key, MISSING)
    names = [VERSION_NAME]
    if stored is not MISSING:
        names += sorted(stored[3])
    rows = _version_rows(names)
    current = rows.get(VERSION_NAME)
    if current is None:
        return CacheEntry(key=None)
    if stored is not MISSING:
        token, seq, value, scopes = stored
        if token == current[0] and all(rows.get(name, ("", 0))[1] <= seq for name in scopes):
            return CacheEntry(key=full_key, hit=True, value=value, scopes=set(scopes))
    return CacheEntry(key=full_key, token=current[0], seq=current[1])


def _version_rows(names: list[str]) -> dict[str, tuple[str, int]]:
    """The token and counter of each row of ``names`` that exists, in one primary-key query.

    On PostgreSQL the names go as one array parameter (``= ANY(%s)``): an entry of a GraphQL
    page depends on a hundred product scopes, and psycopg re-parses a statement of more than
    50 parameters on every execution (it remembers only smaller ones), which cost more CPU than
    the rest of a cache hit."""
    from core.models import CatalogueVersion

    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or len(names) <= 1:
        found = CatalogueVersion.objects.filter(name__in=names).values_list("name", "token", "seq")
    else:
        table = connection.ops.quote_name(CatalogueVersion._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "name", "token", "seq" FROM {table} WHERE "name" = ANY(%s)', [names]
            )
            found = cursor.fetchall()
    return {name: (token, seq) for name, token, seq in found}


def catalogue_cache_store(*, entry: CacheEntry, value: object) -> None:
    if entry.key is None or entry.hit:
        return
    caches[CACHE_ALIAS].set(
        entry.key,
        (entry.token, entry.seq, value, frozenset(entry.scopes)),
        catalogue_cache_timeout(),
    )


def catalogue_cached(*, key: str, build: Callable[[], T]) -> T:
    """What ``build()`` returns, from the cache while nothing it read has changed. ``build``
    must return something picklable."""
    with catalogue_cache_entry(key=key) as entry:
        if entry.hit:
            return entry.value  # type: ignore[return-value]
        value = build()
        catalogue_cache_store(entry=entry, value=value)
        return value


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


# --- in-process: reference data kept per version -----------------------------------------------

_local: dict[str, tuple[str, object]] = {}
_LOCAL_MAX_ENTRIES = 256


def catalogue_local(*, key: str, build: Callable[[], T]) -> T:
    """What ``build()`` returns, kept in this process while the catalogue's token stays the same
    (today, the release and the active language are part of the key): for small reference data
    every page reads (provinces, categories, product sets), one primary-key read instead of its
    queries, whatever ``CATALOGUE_CACHE_TIMEOUT`` says. Any committed catalogue write changes the
    token; with this transaction's writes not committed yet, ``build()`` runs every time. The
    value is shared between requests: never mutate it."""
    from core.models import CatalogueVersion

    if _pending(connections[DEFAULT_DB_ALIAS]) is not None:
        return build()
    token = CatalogueVersion.objects.filter(name=VERSION_NAME).values_list("token", flat=True)
    token = token.first()
    if token is None:  # a flushed database: no token to keep anything under
        return build()
    full_key = _full_key(key, f"{timezone.localdate():%Y%m%d}.{release_digest()}")
    stored = _local.get(full_key)
    if stored is not None and stored[0] == token:
        return stored[1]  # type: ignore[return-value]
    value = build()
    if len(_local) >= _LOCAL_MAX_ENTRIES:
        _local.clear()
    _local[full_key] = (token, value)
    return value


def catalogue_local_clear() -> None:
    """Forget what ``catalogue_local`` kept (tests: a rolled-back test leaves the token as it
    was)."""
    _local.clear()
