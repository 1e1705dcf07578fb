"""``ElasticsearchBackend``: the ``core.search`` backend over the modules beside it."""

from __future__ import annotations

import datetime
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, Min, Value, When
from django.utils import timezone

from core.search import (
    PRODUCT,
    STATUS_ANY,
    IndexHealth,
    SearchFilters,
    SearchResults,
    Suggestion,
)
from search.backends.elastic.answers import parse_search, parse_suggest
from search.backends.elastic.index import index_definition
from search.backends.elastic.outbox import (
    BACKEND,
    BATCH,
    RETRY_AFTER_SECONDS,
    bulk_errors,
    bulk_operations,
    es_client,
    outbox_drain,
)
from search.backends.elastic.queries import search_body, suggest_body
from search.documents import document_types
from search.models import SearchDocument, SearchIndexState, SearchOutbox
from search.query import query_parse
from search.text import tokens

logger = logging.getLogger(__name__)

# --- the backend ------------------------------------------------------------------------------


class ElasticsearchBackend:
    name = BACKEND

    def __init__(self, client=None):
        self._client_instance = client
        self._failed_at = 0.0

    @property
    def client(self):
        if self._client_instance is None:
            self._client_instance = es_client()
        return self._client_instance

    def documents_changed(self, *, kind: str, ids: list[int]) -> None:
        now = timezone.now()
        SearchOutbox.objects.bulk_create(
            [SearchOutbox(kind=kind, object_id=pk, created_at=now) for pk in ids]
        )
        transaction.on_commit(self._drain_after_commit)

    def _drain_after_commit(self) -> None:
        """Best effort, right after the commit; the command drains whatever this leaves."""
        if time.monotonic() - self._failed_at < RETRY_AFTER_SECONDS:
            return
        try:
            result = outbox_drain(client=self.client, limit=BATCH)
        except Exception:  # never fail the request that committed the change
            logger.exception("Search outbox: draining after commit failed")
            result = {"error": "failed"}
        if result.get("error"):
            self._failed_at = time.monotonic()

    def search(
        self,
        *,
        query: str,
        filters: SearchFilters | None = None,
        kind: str = PRODUCT,
        order: str = "relevance",
        offset: int = 0,
        limit: int = 24,
        facets: bool = True,
        today: datetime.date | None = None,
    ) -> SearchResults:
        today = today or timezone.localdate()
        filters = filters or SearchFilters()
        parsed = query_parse(query) if tokens(query) else None
        understood = " ".join(g.best.phrase for g in parsed.groups if g.best) if parsed else ""
        body = search_body(
            query=query,
            filters=filters,
            kind=kind,
            order=order,
            offset=offset,
            limit=limit,
            today=today,
            facets=facets,
            understood=understood,
        )
        try:
            response = self.client.search(index=settings.ELASTICSEARCH_INDEX, body=body)
        except Exception:  # down or slow: the database documents answer the same contract
            logger.exception("Elasticsearch search failed; answered from the database")
            return self._fallback().search(
                query=query, filters=filters, kind=kind, order=order, offset=offset,
                limit=limit, facets=facets, today=today,
            )  # fmt: skip
        results = parse_search(dict(response), filters=filters, today=today, query=query)
        if parsed is not None:
            results.corrected = parsed.corrected if results.total else ""
            if not results.total:
                results.did_you_mean = parsed.did_you_mean
        return results

    def suggest(
        self, *, prefix: str, limit: int = 8, today: datetime.date | None = None
    ) -> list[Suggestion]:
        today = today or timezone.localdate()
        if len("".join(tokens(prefix))) < 2:
            return []
        try:
            response = self.client.search(
                index=settings.ELASTICSEARCH_INDEX,
                body=suggest_body(prefix=prefix, today=today, limit=limit),
            )
        except Exception:
            logger.exception("Elasticsearch suggest failed; answered from the database")
            return self._fallback().suggest(prefix=prefix, limit=limit, today=today)
        return parse_suggest(dict(response))

    @staticmethod
    def _fallback():
        from search.backends.database import DatabaseBackend

        return DatabaseBackend()

    def product_ids(
        self,
        *,
        query: str,
        filters: SearchFilters | None = None,
        today: datetime.date | None = None,
        ranked: bool = True,
    ) -> list[int]:
        results = self.search(
            query=query,
            filters=filters or SearchFilters(status=STATUS_ANY),
            offset=0,
            limit=1000,
            facets=False,
            today=today,
        )
        return [hit.object_id for hit in results.hits]

    def product_relevance(self, *, query: str, today: datetime.date | None = None):
        """The position in Elasticsearch's ranking (its first 1,000 hits, as ``product_ids``)
        as a number, the best highest."""
        ids = self.product_ids(query=query, today=today) if tokens(query) else []
        if not ids:
            return Value(0, output_field=IntegerField())
        return Case(
            *[When(pk=pk, then=Value(len(ids) - i)) for i, pk in enumerate(ids)],
            default=Value(0),
            output_field=IntegerField(),
        )

    def health(self) -> IndexHealth:
        counts = dict(SearchDocument.objects.order_by().values_list("kind").annotate(n=Count("id")))
        pending = SearchOutbox.objects.aggregate(
            n=Count("id"), oldest=Min("created_at"), error=Max("last_error")
        )
        state = SearchIndexState.objects.filter(backend=BACKEND).first()
        detail = {"alias": settings.ELASTICSEARCH_INDEX}
        try:
            detail["indexed"] = self.client.count(index=settings.ELASTICSEARCH_INDEX)["count"]
        except Exception as exc:  # the page says so instead of failing
            detail["server"] = f"{type(exc).__name__}: {exc}"[:300]
        if state and state.index_name:
            detail["index"] = state.index_name
        return IndexHealth(
            backend=self.name,
            documents={t.kind: counts.get(t.kind, 0) for t in document_types()},
            backlog=pending["n"],
            oldest_pending=pending["oldest"],
            last_update=state.last_update if state else None,
            last_error=(state.last_error if state else "") or pending["error"] or "",
            detail=detail,
        )

    # Rebuild ------------------------------------------------------------------------------

    def rebuild(self, *, progress=None) -> str:
        """Fill a new versioned index from the database documents, swap the alias to it in one
        call, drop the old indices; returns the new index's name. Changes committed while it
        fills are sent again after the swap (documents updated since the start)."""
        client = self.client
        alias = settings.ELASTICSEARCH_INDEX
        name = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        index_definition(name).create(using=client)
        started = timezone.now()
        self._fill(client, name, SearchDocument.objects.all(), progress=progress)
        old = (
            list(client.indices.get_alias(name=alias).keys())
            if client.indices.exists_alias(name=alias)
            else []
        )
        actions = [{"remove": {"index": index, "alias": alias}} for index in old]
        actions.append({"add": {"index": name, "alias": alias}})
        client.indices.update_aliases(actions=actions)
        self._fill(client, name, SearchDocument.objects.filter(updated_at__gte=started))
        for index in old:
            client.indices.delete(index=index)
        SearchIndexState.objects.update_or_create(
            backend=BACKEND,
            defaults={
                "index_name": name,
                "last_rebuild": timezone.now(),
                "last_update": timezone.now(),
                "last_error": "",
            },
        )
        return name

    def _fill(self, client, index_name, documents, *, progress=None) -> int:
        total = documents.count()
        done = 0
        started = time.monotonic()
        batch: list[SearchDocument] = []
        for document in documents.order_by("id").iterator(chunk_size=BATCH):
            batch.append(document)
            if len(batch) == BATCH:
                done += self._send(client, index_name, batch)
                batch = []
                if progress:
                    progress("elasticsearch", done, total, time.monotonic() - started)
        if batch:
            done += self._send(client, index_name, batch)
        if progress:
            progress("elasticsearch", done, total, time.monotonic() - started)
        client.indices.refresh(index=index_name)
        return done

    def _send(self, client, index_name, documents) -> int:
        response = client.bulk(index=index_name, operations=bulk_operations(documents, []))
        failures = bulk_errors(dict(response))
        if failures:
            raise RuntimeError("; ".join(failures[:3]))
        return len(documents)
