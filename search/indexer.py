"""Keeping the index current: documents rewritten in the transaction of the change.

``rows_changed`` is the listener ``core.search.search_rows_changed`` calls (registered in
``search.apps``): it maps the changed rows to the documents that read them (each document
type's ``depends_on``) and ``documents_refresh`` rebuilds those — the document rows, the
narrow match rows that searches read (``SearchMatch``), their title's word beginnings for
suggestions (``SearchPrefix``), the full-text index of the engine (SQLite's FTS5 table;
PostgreSQL's vector is a generated column of the match rows), new words into the vocabulary —
then tells the active backend (Elasticsearch queues an outbox row). All of it inside the
caller's transaction: a rollback takes the index change back too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import F, Model

from core.bulk import rows_insert
from core.search import PRODUCT, search_backend
from search.documents import document_type, document_types, model_key
from search.models import MATCH_FIELDS, SearchDocument, SearchMatch, SearchPrefix, SearchTerm
from search.text import term_variants, word_prefixes

BATCH = 500
_DOCUMENT_FIELDS = [
    f.attname
    for f in SearchDocument._meta.concrete_fields
    if f.attname not in ("id", "kind", "object_id")
]
_DOCUMENT_DEFAULTS = {
    f.attname: f.get_default() for f in SearchDocument._meta.concrete_fields if not f.primary_key
}
_MATCH_DEFAULTS = {f.attname: f.get_default() for f in SearchMatch._meta.concrete_fields}


def _present(built: dict[int, dict], names: list[str]) -> list[str]:
    """The fields of ``names`` that any document of the batch gives."""
    given = set().union(*(fields.keys() for fields in built.values()))
    return [name for name in names if name in given]


def _values(fields: dict, names: list[str], defaults: dict) -> tuple:
    return tuple(fields[n] if n in fields else defaults[n] for n in names)


def rows_changed(model: type[Model], ids: list[int]) -> None:
    key = model_key(model)
    for document_type_ in document_types():
        resolve = document_type_.depends_on.get(key)
        if resolve is None:
            continue
        affected = sorted(
            {
                pk
                for start in range(0, len(ids), BATCH)
                for pk in resolve(ids[start : start + BATCH])
                if pk is not None
            }
        )
        for start in range(0, len(affected), BATCH):
            documents_refresh(kind=document_type_.kind, ids=affected[start : start + BATCH])


def documents_refresh(*, kind: str, ids: Iterable[int]) -> int:
    """Rebuild the documents of ``kind`` for ``ids`` (removing those that should not be
    indexed); returns how many are indexed."""
    ids = sorted(set(ids))
    built = document_type(kind).build(ids)
    with transaction.atomic():
        gone = [pk for pk in ids if pk not in built]
        if gone:
            _remove(kind, gone)
        if built:
            _write(kind, built)
        search_backend().documents_changed(kind=kind, ids=ids)
    return len(built)


def _remove(kind: str, object_ids: list[int]) -> None:
    documents = SearchDocument.objects.filter(kind=kind, object_id__in=object_ids)
    if connection.vendor == "sqlite":
        doc_ids = list(documents.values_list("pk", flat=True))
        if not doc_ids:
            return
        _fts_delete(doc_ids)
        SearchDocument.objects.filter(pk__in=doc_ids).delete()
    else:
        documents.delete()


def _write(kind: str, built: dict[int, dict]) -> None:
    """Upsert the documents and their match rows from plain tuples (``core.bulk.rows_insert``:
    one multi-row statement a table, no model instance a document), then their prefixes and,
    on SQLite, the full-text rows. A field a document does not give gets the model's default,
    as a new instance would have."""
    object_ids = sorted(built)  # in id order: concurrent writers lock rows in the same order
    # Only documents that existed have suggestion rows to replace. Asked for by the unique
    # (kind, object_id) first, so that a batch of new documents — all of them, in a registry
    # import — deletes nothing: PostgreSQL, without statistics inside the import's transaction,
    # planned the 500-id DELETE as a scan of every prefix row, once per batch.
    existing = set(
        SearchDocument.objects.filter(kind=kind, object_id__in=object_ids).values_list(
            "id", flat=True
        )
    )
    names = _present(built, _DOCUMENT_FIELDS)
    written_ids = rows_insert(
        model=SearchDocument,
        columns=["kind", "object_id", *names],
        rows=(
            (kind, object_id, *_values(built[object_id], names, _DOCUMENT_DEFAULTS))
            for object_id in object_ids
        ),
        conflict=["kind", "object_id"],
        update=_DOCUMENT_FIELDS,
        returning=["id"],
    )
    written = {object_id: row[0] for object_id, row in zip(object_ids, written_ids, strict=True)}
    names = _present(built, MATCH_FIELDS)
    rows_insert(
        model=SearchMatch,
        columns=["document_id", "kind", "object_id", *names],
        rows=(
            (
                written[object_id],
                kind,
                object_id,
                *_values(built[object_id], names, _MATCH_DEFAULTS),
            )
            for object_id in object_ids
        ),
        conflict=["document_id"],
        update=MATCH_FIELDS,
    )
    _prefixes_write(
        kind,
        {written[object_id]: fields for object_id, fields in built.items()},
        replaced=existing,
    )
    if connection.vendor == "sqlite":
        _fts_delete(list(written.values()))
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_fts (rowid, text) VALUES (%s, %s)",
                [(written[object_id], fields["text"]) for object_id, fields in built.items()],
            )
    vocabulary_add(word for fields in built.values() for word in fields["text"].split())


PREFIX_SOURCE_FIELDS = ("in_stock", "stars", "certificate_valid_until", "sort_name", "title_text")


def prefix_tuples(*, document_id: int, kind: str, fields: dict) -> list[tuple]:
    """A document's suggestion rows (``SearchPrefix``'s fields, in ``PREFIX_COLUMNS`` order):
    one per beginning of a word of its title, carrying the order suggestions are shown in.
    ``fields``: the document's, at least ``PREFIX_SOURCE_FIELDS``."""
    product = kind == PRODUCT
    tier = 100 + 10 * bool(fields.get("in_stock")) + (fields.get("stars") or 0) if product else 0
    valid_until = fields.get("certificate_valid_until") if product else None
    sort_name = fields.get("sort_name", "")
    title_text = fields.get("title_text", "")
    return [
        (document_id, prefix, product, valid_until, tier, sort_name, title_text)
        for prefix in sorted(word_prefixes(title_text))
    ]


def prefix_rows(*, document_id: int, kind: str, fields: dict) -> list[dict]:
    """``prefix_tuples`` as dicts of ``SearchPrefix``'s fields."""
    return [
        dict(zip(PREFIX_COLUMNS, row, strict=True))
        for row in prefix_tuples(document_id=document_id, kind=kind, fields=fields)
    ]


def _prefixes_write(kind: str, documents: dict[int, dict], *, replaced: set[int]) -> None:
    """Replace the suggestion rows of ``documents`` (document id -> fields): one ``DELETE`` of
    those of the ``replaced`` documents (the others are new: they have none), then plain
    tuples (a title has some thirty prefixes, so a batch of documents is thousands of rows:
    model instances would cost more than the insert) — PostgreSQL's ``COPY`` (a fraction of
    the server's work for as many single-row inserts), SQLite's ``executemany``."""
    if replaced:
        SearchPrefix.objects.filter(document_id__in=sorted(replaced)).delete()
    rows = [
        row
        for document_id, fields in documents.items()
        for row in prefix_tuples(document_id=document_id, kind=kind, fields=fields)
    ]
    if not rows:
        return
    rows.sort(key=prefix_tuple_order)
    table = connection.ops.quote_name(SearchPrefix._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in PREFIX_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(PREFIX_COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


PREFIX_COLUMNS = (
    "document_id",
    "prefix",
    "product",
    "valid_until",
    "tier",
    "sort_name",
    "title_text",
)


def prefix_tuple_order(row: tuple) -> tuple:
    """Rows written in their index's order: a prefix's rows from one batch share a few table
    pages, so that reading them (in a rebuilt index, most of them) touches few pages."""
    document_id, prefix, _, _, tier, sort_name, _ = row
    return (prefix, -tier, sort_name, document_id)


def prefix_row_order(row: dict) -> tuple:
    """``prefix_tuple_order`` of a ``prefix_rows`` dict."""
    return prefix_tuple_order(tuple(row[name] for name in PREFIX_COLUMNS))


def _fts_delete(doc_ids: list[int]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(doc_ids), BATCH):
            chunk = doc_ids[start : start + BATCH]
            cursor.execute(
                f"DELETE FROM search_fts WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )


def vocabulary_add(words: Iterable[str]) -> None:
    """Store the words not in the vocabulary yet, under all their variants."""
    words = sorted(set(words))
    for start in range(0, len(words), BATCH * 4):
        chunk = words[start : start + BATCH * 4]
        known = set(
            SearchTerm.objects.filter(variant=F("term"), term__in=chunk).values_list(
                "term", flat=True
            )
        )
        new = [
            SearchTerm(variant=variant, term=word)
            for word in chunk
            if word not in known
            for variant in term_variants(word)
        ]
        if new:
            SearchTerm.objects.bulk_create(new, ignore_conflicts=True, batch_size=BATCH * 2)


def index_rebuild(
    *,
    kinds: list[str] | None = None,
    progress: Callable[[str, int, int, float], None] | None = None,
) -> dict[str, int]:
    """Rewrite every document of ``kinds`` (all registered kinds by default) in batches, each in
    its own transaction, then drop documents whose object is gone and rebuild the vocabulary
    from the documents. ``progress(kind, done, total, seconds)`` after each batch."""
    counts = {}
    wanted = [t for t in document_types() if kinds is None or t.kind in kinds]
    for document_type_ in wanted:
        ids = list(document_type_.all_ids())
        started = time.monotonic()
        indexed = 0
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            with transaction.atomic():
                indexed += documents_refresh(kind=document_type_.kind, ids=chunk)
            if progress:
                progress(
                    document_type_.kind,
                    min(start + BATCH, len(ids)),
                    len(ids),
                    time.monotonic() - started,
                )
        with transaction.atomic():
            stale = list(
                SearchDocument.objects.filter(kind=document_type_.kind)
                .exclude(object_id__in=ids)
                .values_list("object_id", flat=True)
            )
            if stale:
                _remove(document_type_.kind, stale)
                search_backend().documents_changed(kind=document_type_.kind, ids=stale)
        counts[document_type_.kind] = indexed
    if kinds is None:
        vocabulary_rebuild()
    return counts


def vocabulary_rebuild() -> None:
    """The vocabulary of the documents as they are now (words no document uses any more go)."""
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        words: set[str] = set()
        for text in SearchDocument.objects.values_list("text", flat=True).iterator(chunk_size=2000):
            words.update(text.split())
        vocabulary_add(words)
