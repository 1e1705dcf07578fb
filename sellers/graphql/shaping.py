"""Selection → queryset for sellers' types."""

from __future__ import annotations

from core.graphql.selection import Tree


def business_related(tree: Tree, prefix: str = "") -> list[str]:
    """``select_related`` paths for the business fields in ``tree`` (all are joins)."""
    if "province" in tree:
        return [f"{prefix}province"]
    return []


# Columns no GraphQL field reads. Loading them is most of the cost of building a page of rows
# (timestamps are parsed into aware datetimes one by one), so lists of rows that join their
# business leave them out.
BUSINESS_UNREAD = (
    "name_folded",
    "representative",
    "phone",
    "email",
    "terms_accepted_at",
    "created_at",
    "updated_at",
)
