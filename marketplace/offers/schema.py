"""GraphQL types and mutations of offers, stock and resale authorisations.

Public reads only ever see *visible* offers (``offers_visible``: published, active seller,
certificate in force, holder or authorised reseller): ``Product.offers``, ``Business.offers``,
``offer(id)``. A seller's own offers in any state are read through ``myOffers``, scoped to the
businesses the request acts for (its memberships, narrowed to the token's business for an API
token). Mutations look their objects up the same way and call one service each; the services
check the role again (owners and managers run offers, prices, locations and resale; staff set
stock).

Constant SQL. On a products connection ``Product.offers`` is loaded once the page is fetched:
the visible offers of the page's products with the seller joined and the stock summed, one
query whatever the page size. Elsewhere (a product reached through an offer or a certificate)
it is prefetched through the product's packs, two queries. Connections of offers shape their
queryset from the selection the same way.

catalog cannot import marketplace, so ``Product.offers``, ``Business.offers`` and the offer
filters of ``products`` are registered on catalog's and sellers' types from here.
"""

from __future__ import annotations

import graphene
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from graphene_django import DjangoObjectType

from catalog.models import Certificate, Product, ProductVariant
from catalog.schema import (
    BUSINESS_UNREAD,
    Lookups,
    ProductType,
    ProductVariantType,
    extend_product_lookups,
    extend_product_page_loader,
    extend_products_filters,
    product_lookups,
    request_today,
)
from core.graphql.connections import ConnectionField, CountableConnection
from core.graphql.errors import ErrorCode, api_error
from core.graphql.relay import Node, from_global_id_or_error
from core.graphql.selection import Tree, connection_node_tree, selection_tree
from core.graphql.types import add_fields, enum_from_choices
from core.models import Province
from marketplace.offers.models import (
    Offer,
    OfferStatus,
    ResaleAuthorization,
    Stock,
    StockLocation,
    StockLocationKind,
)
from marketplace.offers.selectors import (
    offer_hidden_reasons,
    offers_visible,
    offers_with_stock,
    resale_authorized,
)
from marketplace.offers.services import (
    offer_create,
    offer_delete,
    offer_pause,
    offer_publish,
    offer_update,
    resale_grant,
    resale_revoke,
    stock_location_create,
    stock_set,
)
from sellers.errors import SellerError
from sellers.models import Business
from sellers.schema import (
    BusinessType,
    SellerMutation,
    SellerTypeEnum,
    acting_business_ids,
    acting_businesses,
    business_related,
    own_object,
    public_object,
)

OfferStatusEnum = enum_from_choices("OfferStatus", OfferStatus, "Where an offer stands.")
StockLocationKindEnum = enum_from_choices(
    "StockLocationKind", StockLocationKind, "What kind of place holds the stock."
)

# Attributes the prefetches below store their lists in.
OFFER_VARIANTS = "graphql_offer_variants"
VISIBLE_OFFERS = "graphql_visible_offers"
PAGE_OFFERS = "graphql_page_offers"
STOCKS = "graphql_stocks"


def _value(member):
    """Graphene passes enum arguments as enum members; selectors take the plain value."""
    return getattr(member, "value", member)


# --- queryset shaping -------------------------------------------------------------------------


def offer_lookups(tree: Tree, prefix: str = "") -> Lookups:
    lookups = Lookups()
    if "seller" in tree:
        lookups.related.append(f"{prefix}seller")
        lookups.related += business_related(tree["seller"], f"{prefix}seller__")
    if "variant" in tree:
        lookups.related.append(f"{prefix}variant")
    if "product" in tree:
        lookups.related.append(f"{prefix}variant__product")
        lookups.extend(product_lookups(tree["product"], f"{prefix}variant__product__"))
    if "stocks" in tree:
        lookups.prefetch.append(
            Prefetch(
                f"{prefix}stocks",
                queryset=Stock.objects.select_related("location").order_by("location__name"),
                to_attr=STOCKS,
            )
        )
    return lookups


def offer_queryset(tree: Tree, queryset: QuerySet[Offer]) -> QuerySet[Offer]:
    """``queryset`` shaped for what ``tree`` selects on each offer (stock summed in SQL)."""
    if "stock" in tree:
        queryset = offers_with_stock(queryset)
    if "hiddenReasons" in tree:
        # What offer_hidden_reasons reads, loaded with the page: seller status, the product's
        # certificates and the live resale authorisation.
        queryset = queryset.select_related("seller", "variant__product").annotate(
            resale_ok=resale_authorized()
        )
        queryset = queryset.prefetch_related(
            Prefetch(
                "variant__product__certificates",
                queryset=Certificate.objects.order_by("-valid_from", "-id"),
            )
        )
    return offer_lookups(tree).apply(queryset)


def offers_for_viewer(info) -> QuerySet[Offer]:
    """Visible offers, plus every offer of the businesses the request acts for."""
    return Offer.objects.filter(
        Q(pk__in=offers_visible().values("pk")) | Q(seller__in=acting_businesses(info))
    )


def _product_offer_lookups(tree: Tree, prefix: str) -> Lookups:
    """``Product.offers`` below something other than a products connection (``offer { product
    { offers } }``, ``certificate { product { offers } }``…): Offer has no key to Product, so
    the packs are prefetched with their visible offers inside (two queries)."""
    lookups = Lookups()
    if "offers" in tree:
        offers = offer_queryset(tree["offers"], offers_visible()).order_by("price", "id")
        lookups.prefetch.append(
            Prefetch(
                f"{prefix}variants",
                queryset=ProductVariant.objects.prefetch_related(
                    Prefetch("offers", queryset=offers, to_attr=VISIBLE_OFFERS)
                ),
                to_attr=OFFER_VARIANTS,
            )
        )
    return lookups


def _load_page_offers(products: list[Product], tree: Tree) -> None:
    """``Product.offers`` for a page of a products connection: one query for the visible offers
    of the page's products, by product id (the packs are not loaded first)."""
    deferred = ["created_at", "updated_at"]  # no field reads them
    if "seller" in tree:
        deferred += [f"seller__{column}" for column in BUSINESS_UNREAD]
    offers = (
        offer_queryset(tree, offers_visible(product_ids=[product.pk for product in products]))
        .annotate(page_product_id=F("variant__product_id"))
        .defer(*deferred)
        .order_by("price", "id")
    )
    by_product: dict[int, list[Offer]] = {product.pk: [] for product in products}
    for offer in offers:
        by_product[offer.page_product_id].append(offer)
    for product in products:
        setattr(product, PAGE_OFFERS, by_product[product.pk])


extend_product_lookups(_product_offer_lookups)
extend_product_page_loader(field="offers", loader=_load_page_offers)


# --- types ------------------------------------------------------------------------------------


class StockLocationType(DjangoObjectType):
    """A seller's warehouse, point of sale or fair booth. Only the seller's people see these."""

    kind = graphene.Field(StockLocationKindEnum, required=True)

    class Meta:
        model = StockLocation
        name = "StockLocation"
        interfaces = (Node,)
        convert_choices_to_enum = False
        fields = ("id", "name", "kind", "province", "commune", "street", "is_active")

    @classmethod
    def get_node(cls, info, id):
        return (
            StockLocation.objects.select_related("province")
            .filter(pk=id, business__in=acting_businesses(info))
            .first()
        )

    @staticmethod
    def resolve_kind(root, info):
        return _value(root.kind)


class StockType(DjangoObjectType):
    """Units of an offer on hand at one location."""

    location = graphene.Field(StockLocationType, required=True)

    class Meta:
        model = Stock
        name = "Stock"
        fields = ("location", "quantity")


class OfferType(DjangoObjectType):
    """A seller's sale of one pack. Stars are the product's certificate's, never the offer's."""

    price = graphene.Int(required=True, description="Whole đồng.")
    compare_at_price = graphene.Int(description="The crossed-out price, in whole đồng.")
    status = graphene.Field(OfferStatusEnum, required=True)
    stock = graphene.Int(required=True, description="Units on hand across all locations.")
    seller = graphene.Field(BusinessType, required=True)
    variant = graphene.Field(ProductVariantType, required=True)
    product = graphene.Field(ProductType, required=True)
    stocks = graphene.List(
        graphene.NonNull(StockType),
        required=True,
        description="Units per location; only the seller's own people see them (else empty).",
    )
    hidden_reasons = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description=(
            "Why buyers cannot see this offer (not published, seller not active, certificate "
            "expired or revoked, resale not authorised), in the caller's language; empty when "
            "they can. Only the seller's own people see the reasons (else empty)."
        ),
    )

    class Meta:
        model = Offer
        name = "Offer"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "price",
            "compare_at_price",
            "status",
            "published_at",
            "seller",
            "variant",
        )

    @classmethod
    def get_node(cls, info, id):
        tree = selection_tree(info, as_type=cls._meta.name)
        return offer_queryset(tree, offers_for_viewer(info)).filter(pk=id).first()

    @staticmethod
    def resolve_status(root, info):
        # A freshly created offer holds the TextChoices member; the enum maps plain values.
        return _value(root.status)

    @staticmethod
    def resolve_stock(root, info):
        total = getattr(root, "stock_total", None)
        if total is None:
            total = root.stocks.aggregate(total=Sum("quantity"))["total"] or 0
        return total

    @staticmethod
    def resolve_product(root, info):
        return root.variant.product

    @staticmethod
    def resolve_hidden_reasons(root, info):
        if root.seller_id not in acting_business_ids(info):
            return []
        return offer_hidden_reasons(offer=root, today=request_today(info))

    @staticmethod
    def resolve_stocks(root, info):
        if root.seller_id not in acting_business_ids(info):
            return []
        prefetched = getattr(root, STOCKS, None)
        if prefetched is not None:
            return prefetched
        return root.stocks.select_related("location").order_by("location__name")


class ResaleAuthorizationType(DjangoObjectType):
    """The holder's permission for another business to resell one of its products."""

    product = graphene.Field(ProductType, required=True)
    reseller = graphene.Field(BusinessType, required=True)
    is_active = graphene.Boolean(required=True)

    class Meta:
        model = ResaleAuthorization
        name = "ResaleAuthorization"
        interfaces = (Node,)
        fields = ("id", "product", "reseller", "granted_at", "revoked_at")

    @classmethod
    def get_node(cls, info, id):
        # The two parties see it: the holder's people and the reseller's.
        businesses = acting_businesses(info)
        return (
            ResaleAuthorization.objects.select_related("product", "reseller")
            .filter(Q(product__holder__in=businesses) | Q(reseller__in=businesses), pk=id)
            .first()
        )

    @staticmethod
    def resolve_is_active(root, info):
        return root.revoked_at is None


# --- fields added to catalog's and sellers' types ---------------------------------------------


def _product_offers(root, info):
    page = getattr(root, PAGE_OFFERS, None)
    if page is not None:
        return page
    variants = getattr(root, OFFER_VARIANTS, None)
    if variants is not None:
        offers = [offer for variant in variants for offer in getattr(variant, VISIBLE_OFFERS)]
        return sorted(offers, key=lambda offer: (offer.price, offer.pk))
    tree = selection_tree(info)
    visible = offers_visible().filter(variant__product=root)
    return offer_queryset(tree, visible).order_by("price", "id")


def _business_offers(root, info, **_pagination):
    tree = connection_node_tree(info)
    return offer_queryset(tree, offers_visible().filter(seller=root)).order_by("price", "id")


add_fields(
    ProductType,
    offers=graphene.List(
        graphene.NonNull(OfferType),
        required=True,
        description="Offers buyers can take up now, cheapest first.",
    ),
    resolve_offers=_product_offers,
)
add_fields(
    BusinessType,
    offers=ConnectionField(OfferType, description="The business's visible offers, cheapest first."),
    resolve_offers=_business_offers,
)


def _filter_products_by_offers(
    queryset: QuerySet[Product], *, price_min=None, price_max=None, seller_type=None, in_stock=None
) -> QuerySet[Product]:
    """Products with at least one visible offer matching every condition given (all on the
    same offer: "under 200.000 ₫ from an OCOP centre" means one offer that is both)."""
    for name, value in (("priceMin", price_min), ("priceMax", price_max)):
        if value is not None and value < 0:
            raise api_error(
                _("`%(arg)s` cannot be negative.") % {"arg": name}, ErrorCode.OUT_OF_RANGE
            )
    if price_min is not None and price_max is not None and price_min > price_max:
        raise api_error(_("`priceMin` is above `priceMax`."), ErrorCode.OUT_OF_RANGE)
    if price_min is None and price_max is None and seller_type is None and not in_stock:
        return queryset
    offers = offers_visible().filter(variant__product=OuterRef("pk"))
    if price_min is not None:
        offers = offers.filter(price__gte=price_min)
    if price_max is not None:
        offers = offers.filter(price__lte=price_max)
    if seller_type is not None:
        offers = offers.filter(seller__seller_type=_value(seller_type))
    if in_stock:
        offers = offers.filter(Exists(Stock.objects.filter(offer=OuterRef("pk"), quantity__gt=0)))
    return queryset.filter(Exists(offers))


extend_products_filters(
    arguments={
        "price_min": graphene.Argument(
            graphene.Int, description="With a visible offer at this price or more (đồng)."
        ),
        "price_max": graphene.Argument(
            graphene.Int, description="With a visible offer at this price or less (đồng)."
        ),
        "seller_type": graphene.Argument(
            SellerTypeEnum, description="With a visible offer from this kind of seller."
        ),
        "in_stock": graphene.Argument(
            graphene.Boolean, description="true: with a visible offer that has stock on hand."
        ),
    },
    apply=_filter_products_by_offers,
)


# --- queries ----------------------------------------------------------------------------------


def _business_acted_for(info, global_id) -> Business:
    """The business ``global_id`` names if the request acts for it; else a PERMISSION_DENIED
    error that says nothing about the business."""
    pk = from_global_id_or_error(global_id, BusinessType)
    business = acting_businesses(info).filter(pk=pk).first()
    if business is None:
        raise api_error(_("You do not act for this business."), ErrorCode.PERMISSION_DENIED)
    return business


class Query(graphene.ObjectType):
    offer = graphene.Field(
        OfferType,
        id=graphene.ID(required=True, description="An Offer ID."),
        description="A visible offer, or one of your own in any state; null otherwise.",
    )
    seller = graphene.Field(
        BusinessType,
        slug=graphene.String(required=True),
        description="A business by its slug, with its visible offers; null when there is none.",
    )
    my_offers = ConnectionField(
        OfferType,
        business=graphene.ID(required=True, description="A business you belong to."),
        status=graphene.Argument(OfferStatusEnum),
        description="Your business's offers in any state (visible or not), cheapest first.",
    )
    my_stock_locations = graphene.List(
        graphene.NonNull(StockLocationType),
        required=True,
        business=graphene.ID(required=True, description="A business you belong to."),
        description="Your business's stock locations.",
    )

    @staticmethod
    def resolve_offer(root, info, id):
        return OfferType.get_node(info, from_global_id_or_error(id, OfferType))

    @staticmethod
    def resolve_seller(root, info, slug):
        tree = selection_tree(info)
        related = business_related(tree)
        return Business.objects.select_related(*related).filter(slug=slug.strip()).first()

    @staticmethod
    def resolve_my_offers(root, info, business, status=None, **_pagination):
        business = _business_acted_for(info, business)
        offers = Offer.objects.filter(seller=business)
        if status is not None:
            offers = offers.filter(status=_value(status))
        return offer_queryset(connection_node_tree(info), offers).order_by("price", "id")

    @staticmethod
    def resolve_my_stock_locations(root, info, business):
        business = _business_acted_for(info, business)
        return StockLocation.objects.filter(business=business).select_related("province")


# --- mutations (thin: look up through memberships, call one service) ---------------------------


def _own_offer(info, global_id) -> Offer:
    return own_object(
        info, Offer.objects.all(), global_id, OfferType, through="seller", field="offer"
    )


def _own_business(info, global_id) -> Business:
    return own_object(
        info, Business.objects.all(), global_id, BusinessType, through="pk", field="business"
    )


class OfferCreate(SellerMutation):
    """A draft offer of one pack (the holder's, or a reseller's with the holder's grant)."""

    class Arguments:
        business = graphene.ID(required=True, description="The selling business.")
        variant = graphene.ID(required=True, description="The ProductVariant (pack) to sell.")
        price = graphene.Int(required=True, description="Whole đồng, 1.000 – 1.000.000.000.")
        compare_at_price = graphene.Int(description="Crossed-out price, above `price`.")

    offer = graphene.Field(OfferType)

    @classmethod
    def perform_mutation(cls, root, info, business, variant, price, compare_at_price=None):
        seller = _own_business(info, business)
        variant = public_object(
            ProductVariant.objects.select_related("product"),
            variant,
            ProductVariantType,
            field="variant",
        )
        offer = offer_create(
            actor=info.context.user,
            seller=seller,
            variant=variant,
            price=price,
            compare_at_price=compare_at_price,
        )
        return cls(offer=offer)


class OfferUpdate(SellerMutation):
    class Arguments:
        offer = graphene.ID(required=True)
        price = graphene.Int(description="Whole đồng; left out: unchanged.")
        compare_at_price = graphene.Int(description="Left out: unchanged.")
        clear_compare_at_price = graphene.Boolean(description="true: no crossed-out price.")

    offer = graphene.Field(OfferType)

    @classmethod
    def perform_mutation(
        cls, root, info, offer, price=None, compare_at_price=None, clear_compare_at_price=False
    ):
        offer = offer_update(
            actor=info.context.user,
            offer=_own_offer(info, offer),
            price=price,
            compare_at_price=compare_at_price,
            clear_compare_at=bool(clear_compare_at_price),
        )
        return cls(offer=offer)


class OfferPublish(SellerMutation):
    """Buyers see the offer while the seller is active and the certificate is in force."""

    class Arguments:
        offer = graphene.ID(required=True)

    offer = graphene.Field(OfferType)

    @classmethod
    def perform_mutation(cls, root, info, offer):
        return cls(offer=offer_publish(actor=info.context.user, offer=_own_offer(info, offer)))


class OfferPause(SellerMutation):
    class Arguments:
        offer = graphene.ID(required=True)

    offer = graphene.Field(OfferType)

    @classmethod
    def perform_mutation(cls, root, info, offer):
        return cls(offer=offer_pause(actor=info.context.user, offer=_own_offer(info, offer)))


class OfferDelete(SellerMutation):
    """Delete a draft or paused offer (pause a published one first)."""

    class Arguments:
        offer = graphene.ID(required=True)

    deleted_id = graphene.ID()

    @classmethod
    def perform_mutation(cls, root, info, offer):
        global_id = offer
        offer_delete(actor=info.context.user, offer=_own_offer(info, offer))
        return cls(deleted_id=global_id)


class StockUpdate(SellerMutation):
    """Set the units on hand of an offer at one of the seller's locations (staff may)."""

    class Arguments:
        offer = graphene.ID(required=True)
        location = graphene.ID(required=True, description="A StockLocation of the same seller.")
        quantity = graphene.Int(required=True, description="0 – 1.000.000.")

    stock = graphene.Field(StockType)
    offer = graphene.Field(OfferType)

    @classmethod
    def perform_mutation(cls, root, info, offer, location, quantity):
        offer = _own_offer(info, offer)
        location = own_object(
            info,
            StockLocation.objects.all(),
            location,
            StockLocationType,
            through="business",
            field="location",
        )
        stock = stock_set(
            actor=info.context.user, offer=offer, location=location, quantity=quantity
        )
        return cls(stock=stock, offer=offer)


class StockLocationCreate(SellerMutation):
    class Arguments:
        business = graphene.ID(required=True)
        name = graphene.String(required=True)
        province = graphene.String(
            required=True, description="The current province, by slug or code."
        )
        commune = graphene.String()
        street = graphene.String()

    location = graphene.Field(StockLocationType)

    @classmethod
    def perform_mutation(cls, root, info, business, name, province, commune="", street=""):
        business = _own_business(info, business)
        found = Province.objects.filter(Q(slug=province.strip()) | Q(code=province.strip()))
        province_row = found.first()
        if province_row is None:
            raise SellerError(
                _("There is no province “%(province)s”.") % {"province": province},
                code="not_found",
                field="province",
            )
        location = stock_location_create(
            actor=info.context.user,
            business=business,
            name=name,
            province=province_row,
            commune=commune or "",
            street=street or "",
        )
        return cls(location=location)


class ResaleGrant(SellerMutation):
    """The holder lets another business (an OCOP centre, a distributor) sell its product."""

    class Arguments:
        product = graphene.ID(required=True, description="A product your business holds.")
        reseller = graphene.ID(required=True, description="The Business allowed to resell.")

    authorization = graphene.Field(ResaleAuthorizationType)

    @classmethod
    def perform_mutation(cls, root, info, product, reseller):
        product = own_object(
            info,
            Product.objects.select_related("holder"),
            product,
            ProductType,
            through="holder",
            field="product",
        )
        reseller = public_object(Business.objects.all(), reseller, BusinessType, field="reseller")
        authorization = resale_grant(actor=info.context.user, product=product, reseller=reseller)
        return cls(authorization=authorization)


class ResaleRevoke(SellerMutation):
    """Withdraw a resale authorisation: the reseller's offers disappear at once."""

    class Arguments:
        authorization = graphene.ID(required=True)

    authorization = graphene.Field(ResaleAuthorizationType)

    @classmethod
    def perform_mutation(cls, root, info, authorization):
        authorization = own_object(
            info,
            ResaleAuthorization.objects.all(),
            authorization,
            ResaleAuthorizationType,
            through="product__holder",
            field="authorization",
        )
        authorization = resale_revoke(actor=info.context.user, authorization=authorization)
        return cls(authorization=authorization)


class Mutation(graphene.ObjectType):
    offer_create = OfferCreate.Field()
    offer_update = OfferUpdate.Field()
    offer_publish = OfferPublish.Field()
    offer_pause = OfferPause.Field()
    offer_delete = OfferDelete.Field()
    stock_update = StockUpdate.Field()
    stock_location_create = StockLocationCreate.Field()
    resale_grant = ResaleGrant.Field()
    resale_revoke = ResaleRevoke.Field()
