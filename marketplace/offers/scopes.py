"""What a write to offers or stock touches, for the catalogue cache's scopes
(``core.catalogue_cache``): the offer's product, its seller and the product's holder."""

from django.db.models import QuerySet

from core.catalogue_cache import product_scope, seller_scope
from marketplace.offers.models import Offer, Stock


def _scopes(rows: QuerySet, expected: int) -> set[str] | None:
    scopes: set[str] = set()
    seen = 0
    for product_id, seller_id, holder_id in rows:
        seen += 1
        scopes |= {product_scope(product_id), seller_scope(seller_id), seller_scope(holder_id)}
    # A row already gone cannot be placed: the caller bumps the whole catalogue instead.
    return scopes if seen == expected else None


def offer_scopes(ids: list[int]) -> set[str] | None:
    rows = Offer.objects.filter(pk__in=ids).values_list(
        "variant__product_id", "seller_id", "variant__product__holder_id"
    )
    return _scopes(rows, len(set(ids)))


def stock_scopes(ids: list[int]) -> set[str] | None:
    rows = Stock.objects.filter(pk__in=ids).values_list(
        "offer__variant__product_id", "offer__seller_id", "offer__variant__product__holder_id"
    )
    return _scopes(rows, len(set(ids)))
