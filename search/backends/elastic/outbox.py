"""Feeding the index: outbox rows sent in bulk after the commit, kept with the error when
the server is down."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import Province
from search.backends.elastic.index import document_id, document_source
from search.models import SearchDocument, SearchIndexState, SearchOutbox

logger = logging.getLogger(__name__)

BACKEND = "elasticsearch"
BATCH = 500
REQUEST_TIMEOUT = 5
# After a failed send, commits leave the outbox to the command for this long instead of
# making every request wait for a server that is down.
RETRY_AFTER_SECONDS = 30


# --- the outbox -------------------------------------------------------------------------------


def es_client():
    from elasticsearch import Elasticsearch

    return Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=REQUEST_TIMEOUT)


def _state() -> SearchIndexState:
    state, _created = SearchIndexState.objects.get_or_create(backend=BACKEND)
    return state


def bulk_operations(documents: list[SearchDocument], missing: list[tuple[str, int]]) -> list:
    province_slugs = dict(
        Province.objects.filter(
            pk__in={d.province_id for d in documents if d.province_id}
        ).values_list("pk", "slug")
    )
    operations: list = []
    for document in documents:
        operations.append({"index": {"_id": document_id(document.kind, document.object_id)}})
        operations.append(
            document_source(document, province_slug=province_slugs.get(document.province_id, ""))
        )
    for kind, object_id in missing:
        operations.append({"delete": {"_id": document_id(kind, object_id)}})
    return operations


def bulk_errors(response: dict) -> list[str]:
    errors = []
    for item in response.get("items", []):
        ((action, result),) = item.items()
        status = result.get("status", 200)
        if status >= 300 and not (action == "delete" and status == 404):
            errors.append(f"{action} {result.get('_id')}: {result.get('error')}")
    return errors


def outbox_drain(*, client=None, batch: int = BATCH, limit: int | None = None) -> dict:
    """Send waiting changes to the alias, oldest first, ``batch`` at a time. A batch is deleted
    from the outbox only once Elasticsearch has accepted all of it; on a failure the rows stay
    (attempts and the error recorded) and draining stops. Returns ``{"sent", "left", "error"}``.
    Concurrent drains skip each other's rows (``SKIP LOCKED`` on PostgreSQL)."""
    client = client or es_client()
    alias = settings.ELASTICSEARCH_INDEX
    sent, error = 0, ""
    while limit is None or sent < limit:
        with transaction.atomic():
            rows = list(
                SearchOutbox.objects.select_for_update(skip_locked=True).order_by("id")[:batch]
            )
            if not rows:
                break
            keys = sorted({(row.kind, row.object_id) for row in rows})
            documents = []
            for kind in {k for k, _ in keys}:
                ids = [object_id for k, object_id in keys if k == kind]
                documents += list(SearchDocument.objects.filter(kind=kind, object_id__in=ids))
            present = {(d.kind, d.object_id) for d in documents}
            missing = [key for key in keys if key not in present]
            try:
                response = client.bulk(
                    index=alias, operations=bulk_operations(documents, missing), refresh=False
                )
                failures = bulk_errors(dict(response))
                if failures:
                    raise RuntimeError("; ".join(failures[:3]))
            except Exception as exc:  # the server's or the network's: keep the rows
                error = f"{type(exc).__name__}: {exc}"[:2000]
                SearchOutbox.objects.filter(pk__in=[row.pk for row in rows]).update(
                    attempts=F("attempts") + 1, last_error=error
                )
                SearchIndexState.objects.update_or_create(
                    backend=BACKEND, defaults={"last_error": error}
                )
                logger.warning(
                    "Search outbox: %s rows kept, Elasticsearch failed: %s", len(rows), error
                )
                break
            SearchOutbox.objects.filter(pk__in=[row.pk for row in rows]).delete()
            SearchIndexState.objects.update_or_create(
                backend=BACKEND, defaults={"last_update": timezone.now(), "last_error": ""}
            )
            sent += len(rows)
    return {"sent": sent, "left": SearchOutbox.objects.count(), "error": error}
