"""Selection → queryset for orders: lines and events prefetched for a page of orders."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from marketplace.orders.models import Order, OrderEvent, OrderLine
from marketplace.orders.selectors import order_pickup_shape

LINES = "graphql_lines"
EVENTS = "graphql_events"


def order_queryset(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return (
        order_pickup_shape(queryset)
        .select_related("seller")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id"), to_attr=LINES),
            Prefetch(
                "events", queryset=OrderEvent.objects.order_by("created_at", "id"), to_attr=EVENTS
            ),
        )
    )
