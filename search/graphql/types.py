"""GraphQL types of search: hits (a document's card), facets, suggestions, the filters input."""

from __future__ import annotations

import graphene

from catalog.models import Product
from core.graphql.types import lazy_model_type
from search.documents import PRICE_BANDS
from sellers.models import SellerType


class SearchOrder(graphene.Enum):
    RELEVANCE = "relevance"
    STARS = "stars"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NAME = "name"
    NEWEST = "newest"

    @property
    def description(self):
        return {
            SearchOrder.RELEVANCE: "Best match first, then what can be bought now, then stars.",
            SearchOrder.STARS: "Most stars of the certificate in force first.",
            SearchOrder.PRICE_ASC: "Lowest visible price first.",
            SearchOrder.PRICE_DESC: "Highest visible price first.",
            SearchOrder.NAME: "Alphabetically, ignoring diacritics.",
            SearchOrder.NEWEST: "Most recently recognised first.",
        }.get(self)


class SearchCertificateStatus(graphene.Enum):
    IN_FORCE = ""
    EXPIRED = "expired"
    REVOKED = "revoked"
    ANY = "all"

    @property
    def description(self):
        return {
            SearchCertificateStatus.IN_FORCE: "A certificate in force today (what buyers see).",
            SearchCertificateStatus.EXPIRED: "The latest certificate has expired.",
            SearchCertificateStatus.REVOKED: "The latest certificate was revoked.",
            SearchCertificateStatus.ANY: "Any product of the registry, whatever its status.",
        }.get(self)


class SearchFiltersInput(graphene.InputObjectType):
    stars = graphene.Int(description="Stars of the certificate in force (3, 4 or 5).")
    province = graphene.String(description="The producer's current province, by slug.")
    category = graphene.String(description="The product category, by slug.")
    product_set = graphene.Int(description="The product set (bộ sản phẩm) number, 1–26.")
    price_band = graphene.String(
        description="A price band of the lowest visible price: " + ", ".join(PRICE_BANDS) + "."
    )
    seller_type = graphene.String(
        description="Sold by this kind of seller: " + ", ".join(SellerType.values) + "."
    )
    in_stock = graphene.Boolean(description="Only products that can be bought now.")
    certificate_status = graphene.Field(
        SearchCertificateStatus,
        description="Which certificates; a certificate in force by default.",
    )


class FacetValueType(graphene.ObjectType):
    value = graphene.String(required=True, description="What to pass in `filters` to select it.")
    label = graphene.String(required=True)
    count = graphene.Int(required=True, description="Matches with this value.")
    selected = graphene.Boolean(required=True)

    class Meta:
        name = "FacetValue"


class FacetType(graphene.ObjectType):
    name = graphene.String(
        required=True,
        description="stars, province, category, set, price, seller_type or in_stock.",
    )
    values = graphene.List(graphene.NonNull(FacetValueType), required=True)

    class Meta:
        name = "Facet"


class SearchHitType(graphene.ObjectType):
    """A result: a product's public card (or another kind's title and address)."""

    kind = graphene.String(required=True, description="product, business, …")
    title = graphene.String(required=True)
    subtitle = graphene.String(required=True)
    url = graphene.String(required=True, description="The page's path on this site.")
    highlight = graphene.String(
        required=True, description="The title as HTML, matched words in <mark>."
    )
    stars = graphene.Int(description="Stars of the certificate in force today.")
    in_force = graphene.Boolean(required=True, description="A certificate in force today.")
    buyable = graphene.Boolean(
        required=True, description="In force today and in stock at a visible offer."
    )
    min_price = graphene.Int(description="Lowest visible price in đồng.")
    max_price = graphene.Int(description="Highest visible price in đồng.")
    seller_count = graphene.Int(required=True)
    is_demo = graphene.Boolean(required=True)
    product = graphene.Field(
        lazy_model_type(Product), description="The product, for kind `product`."
    )

    class Meta:
        name = "SearchHit"

    @staticmethod
    def resolve_product(root, info):
        return getattr(root, "loaded_product", None)


class SearchConnection(graphene.relay.Connection):
    class Meta:
        node = SearchHitType

    total_count = graphene.Int(required=True, description="How many match, across all pages.")
    facets = graphene.List(
        graphene.NonNull(FacetType), required=True, description="Counts over every match."
    )
    corrected = graphene.String(description="The query as understood, when a word was corrected.")
    did_you_mean = graphene.String(description="A query to try when nothing matched.")


class SuggestionType(graphene.ObjectType):
    kind = graphene.String(required=True)
    title = graphene.String(required=True)
    subtitle = graphene.String(required=True)
    url = graphene.String(required=True)
    highlight = graphene.String(required=True)

    class Meta:
        name = "Suggestion"
