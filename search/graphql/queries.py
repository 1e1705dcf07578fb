"""Root fields of search: ``search(query, filters, first, after)`` with facets,
``suggest(prefix)``, and the ``search`` argument of ``products`` (``PRODUCTS_BY_SEARCH``, a
``ProductsFilter`` that ``api.schema`` gives to catalog's ``products_field``) — all answered by
the backend the settings choose.

``search`` is a connection of hits (the document's card, plus ``product`` when selected, loaded
for the whole page in a fixed number of queries); cursors are offsets into the ranked list.
``products(search: "…")`` narrows the catalogue's ``products`` connection to the matches, best
first, so every other argument and field of ``products`` still applies.
"""

from __future__ import annotations

import graphene
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from graphql_relay import cursor_to_offset, offset_to_cursor

from catalog.graphql.queries import ProductsFilter
from catalog.graphql.shaping import products_for_page
from catalog.models import Product
from core.graphql.errors import ErrorCode, api_error
from core.graphql.selection import selection_tree
from core.search import (
    ORDER_RELEVANCE,
    PRODUCT,
    STATUS_ANY,
    SearchFilters,
    search_backend,
)
from core.text import nfc
from search.documents import PRICE_BANDS
from search.graphql.types import (
    FacetType,
    FacetValueType,
    SearchConnection,
    SearchFiltersInput,
    SearchOrder,
    SuggestionType,
)
from sellers.models import SellerType

MAX_PAGE = 100
QUERY_MAX_LENGTH = 100
# products(search:) ranks at most this many matches; a longer list is narrowed by other means.
PRODUCTS_SEARCH_MAX = 1000


def _filters(value) -> SearchFilters:
    value = value or {}
    stars = value.get("stars")
    if stars is not None and not 3 <= stars <= 5:
        raise api_error(
            _("Only ★3–★5 products are recognised; `stars` must be 3, 4 or 5."),
            ErrorCode.OUT_OF_RANGE,
        )
    band = value.get("price_band") or ""
    if band and band not in PRICE_BANDS:
        raise api_error(
            _("`priceBand` must be one of %(bands)s.") % {"bands": ", ".join(PRICE_BANDS)},
            ErrorCode.INVALID,
        )
    seller_type = value.get("seller_type") or ""
    if seller_type and seller_type not in SellerType.values:
        raise api_error(
            _("`sellerType` must be one of %(types)s.") % {"types": ", ".join(SellerType.values)},
            ErrorCode.INVALID,
        )
    status = value.get("certificate_status")
    return SearchFilters(
        stars=stars,
        province=nfc(value.get("province")),
        category=nfc(value.get("category")),
        product_set=value.get("product_set"),
        price_band=band,
        seller_type=seller_type,
        in_stock=bool(value.get("in_stock")),
        status=getattr(status, "value", status) or "",
    )


def _query_text(value: str | None) -> str:
    text = nfc(value)
    if len(text) > QUERY_MAX_LENGTH:
        raise api_error(
            _("A search can be at most %(max)d characters long.") % {"max": QUERY_MAX_LENGTH},
            ErrorCode.TOO_LONG,
        )
    return text


def _offset(after: str | None) -> int:
    if not after:
        return 0
    offset = cursor_to_offset(after)
    if offset is None or offset < 0:
        raise api_error(_("`after` is not a cursor of this search."), ErrorCode.INVALID)
    return offset + 1


class Query(graphene.ObjectType):
    search = graphene.Field(
        graphene.NonNull(SearchConnection),
        query=graphene.String(required=True, description="What the buyer typed."),
        filters=SearchFiltersInput(),
        order=SearchOrder(default_value=SearchOrder.RELEVANCE),
        kind=graphene.String(default_value=PRODUCT, description="product (default) or business."),
        first=graphene.Int(description=f"At most {MAX_PAGE}; {MAX_PAGE // 5} by default."),
        after=graphene.String(),
        description=(
            "Certified products (or producers) for a query typed as buyers do: diacritics "
            "optional, a typo or a run-together word tolerated, synonyms and place and producer "
            "names understood. Ranked by relevance, then what can be bought now, then stars."
        ),
    )
    suggest = graphene.List(
        graphene.NonNull(SuggestionType),
        required=True,
        prefix=graphene.String(required=True),
        first=graphene.Int(default_value=8, description="At most 20."),
        description="Products and producers for what is being typed (the last word may be cut).",
    )

    @staticmethod
    def resolve_search(
        root,
        info,
        query,
        filters=None,
        order=SearchOrder.RELEVANCE,
        kind=PRODUCT,
        first=None,
        after=None,
    ):
        first = MAX_PAGE // 5 if first is None else first
        if not 0 <= first <= MAX_PAGE:
            raise api_error(
                _("`first` on `search` must be between 0 and %(max)d.") % {"max": MAX_PAGE},
                ErrorCode.OUT_OF_RANGE,
            )
        offset = _offset(after)
        tree = selection_tree(info)
        results = search_backend().search(
            query=_query_text(query),
            filters=_filters(filters),
            kind=kind,
            order=getattr(order, "value", order) or ORDER_RELEVANCE,
            offset=offset,
            limit=first,
            facets="facets" in tree,
        )
        node_tree = tree.get("edges", {}).get("node", {})
        if "product" in node_tree:
            ids = [hit.object_id for hit in results.hits if hit.kind == PRODUCT]
            products = products_for_page(ids, node_tree["product"]) if ids else {}
            for hit in results.hits:
                hit.loaded_product = products.get(hit.object_id) if hit.kind == PRODUCT else None
        edges = [
            SearchConnection.Edge(node=hit, cursor=offset_to_cursor(offset + i))
            for i, hit in enumerate(results.hits)
        ]
        end = offset + len(results.hits)
        return SearchConnection(
            edges=edges,
            page_info=graphene.relay.PageInfo(
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
                has_previous_page=offset > 0,
                has_next_page=end < results.total,
            ),
            total_count=results.total,
            facets=[
                FacetType(
                    name=name,
                    values=[
                        FacetValueType(
                            value=v.value, label=v.label, count=v.count, selected=v.selected
                        )
                        for v in values
                    ],
                )
                for name, values in results.facets.items()
            ],
            corrected=results.corrected or None,
            did_you_mean=results.did_you_mean or None,
        )

    @staticmethod
    def resolve_suggest(root, info, prefix, first=8):
        if not 0 <= first <= 20:
            raise api_error(
                _("`first` on `suggest` must be between 0 and 20."), ErrorCode.OUT_OF_RANGE
            )
        return [
            SuggestionType(
                kind=s.kind, title=s.title, subtitle=s.subtitle, url=s.url, highlight=s.highlight
            )
            for s in search_backend().suggest(prefix=_query_text(prefix), limit=first)
        ]


def _products_search(queryset: QuerySet, *, search: str | None = None) -> QuerySet:
    """``products(search:)``: the matches of ``search`` among the listed products, best first
    (at most ``PRODUCTS_SEARCH_MAX``). The other arguments still narrow them (a certificate
    status included: the whole registry is searched)."""
    text = _query_text(search)
    if not text:
        return queryset
    ids = list(
        search_backend().product_ids(query=text, filters=SearchFilters(status=STATUS_ANY))[
            :PRODUCTS_SEARCH_MAX
        ]
    )
    if not ids:
        return queryset.none()
    # The backend's order as a CASE over the ids (plain SQL: a thousand ``When`` objects cost
    # more to build than to run).
    column = f"{Product._meta.db_table}.id"
    rank = RawSQL(
        f"CASE {column} " + " ".join(["WHEN %s THEN %s"] * len(ids)) + " END",
        [value for position, pk in enumerate(ids) for value in (pk, position)],
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=ids).annotate(search_rank=rank).order_by("search_rank", "pk")


# ``products(search:)``: api.schema passes it to catalog's ``products_field``.
PRODUCTS_BY_SEARCH = ProductsFilter(
    arguments={
        "search": graphene.Argument(
            graphene.String,
            description=(
                "Words as buyers type them (see `search`): the matching products, best match "
                "first; other arguments narrow them further."
            ),
        )
    },
    apply=_products_search,
)
