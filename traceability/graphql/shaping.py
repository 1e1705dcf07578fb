"""Selection → queryset for batches: everything the types read joined or prefetched."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from traceability.models import Batch, ProvenanceEvent, StampRun, StampRunPrint
from traceability.selectors import provenance_event_what

EVENTS = "graphql_events"
RUNS = "graphql_runs"
PRINTS = "graphql_prints"


def batch_queryset(queryset: QuerySet[Batch]) -> QuerySet[Batch]:
    """A batch queryset with everything the types read joined or prefetched: a page of batches
    costs the same few queries whatever the number of batches, events and runs."""
    return queryset.select_related(
        "variant__product__holder", "origin_province", "certificate__decision"
    ).prefetch_related(
        Prefetch(
            "events",
            queryset=ProvenanceEvent.objects.select_related(
                "location__province", "correction", "carton"
            )
            .prefetch_related(*provenance_event_what())
            .order_by("event_time", "id"),
            to_attr=EVENTS,
        ),
        Prefetch(
            "stamp_runs",
            queryset=StampRun.objects.order_by("-created_at", "-id").prefetch_related(
                Prefetch(
                    "prints",
                    queryset=StampRunPrint.objects.select_related("job")
                    .prefetch_related("job__files")
                    .order_by("id"),
                    to_attr=PRINTS,
                )
            ),
            to_attr=RUNS,
        ),
    )


def batches_for(businesses) -> QuerySet[Batch]:
    """The batches of the products ``businesses`` hold, shaped."""
    return batch_queryset(Batch.objects.filter(variant__product__holder__in=businesses))
