"""GraphQL types of fairs: what a visitor sees (the fair, its zones, booths, exhibitors and the
products they bring). Everything here is public; a fair's page is loaded whole by
``selectors.fair_pages`` for the page of fairs a query returns, so nesting costs no query."""

from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType
from graphql_relay import to_global_id

from core.graphql.connections import CountableConnection
from core.graphql.relay import Node
from core.graphql.types import ProvinceType, enum_from_choices, enum_value
from core.media import media_url
from marketplace.fairs.models import (
    ApplicationStatus,
    BoothStatus,
    Fair,
    FairStatus,
    OrganiserKind,
    ZoneKind,
)
from marketplace.fairs.selectors import fair_pages, fairs_public
from marketplace.places.graphql.types import PointOfSaleType

FairStatusEnum = enum_from_choices("FairStatus", FairStatus, "Where a fair stands.")
ApplicationStatusEnum = enum_from_choices(
    "ExhibitorApplicationStatus", ApplicationStatus, "Where an exhibitor's application stands."
)
ZoneKindEnum = enum_from_choices("FairZoneKind", ZoneKind, "What a zone of a fair holds.")
BoothStatusEnum = enum_from_choices("FairBoothStatus", BoothStatus, "Whether a booth is free.")
OrganiserKindEnum = enum_from_choices("FairOrganiserKind", OrganiserKind, "Who runs a fair.")


class FairOrganiser(graphene.ObjectType):
    id = graphene.ID(required=True, description="Give it as `organiser` to fairCreate.")
    name = graphene.String(required=True)
    slug = graphene.String(required=True)
    kind = graphene.Field(OrganiserKindEnum, required=True)

    @staticmethod
    def resolve_id(root, info):
        return to_global_id("FairOrganiser", root.pk)

    @staticmethod
    def resolve_kind(root, info):
        return enum_value(root.kind)


class FairZone(graphene.ObjectType):
    id = graphene.ID(required=True, description="Give it as `preferredZone` when applying.")
    name = graphene.String(required=True)
    kind = graphene.Field(ZoneKindEnum, required=True)
    colour = graphene.String(required=True, description="#RRGGBB on the booth map.")

    @staticmethod
    def resolve_id(root, info):
        return to_global_id("FairZone", root.pk)

    @staticmethod
    def resolve_kind(root, info):
        return enum_value(root.kind)


class FairExhibitorProduct(graphene.ObjectType):
    name = graphene.String(required=True)
    slug = graphene.String(required=True)
    stars = graphene.Int(description="Stars of its certificate in force; null without one.")

    @staticmethod
    def resolve_name(root, info):
        return root.product.name

    @staticmethod
    def resolve_slug(root, info):
        return root.product.slug


class FairAnnouncedCertificate(graphene.ObjectType):
    id = graphene.ID(
        required=True,
        description="The registry certificate (Certificate): node(id:) gives its decision and "
        "scoring record.",
    )
    number = graphene.String(required=True)
    stars = graphene.Int(required=True)
    product_name = graphene.String(required=True)
    product_slug = graphene.String(required=True)

    @staticmethod
    def resolve_id(root, info):
        return to_global_id("Certificate", root.pk)

    @staticmethod
    def resolve_product_name(root, info):
        return root.product.name

    @staticmethod
    def resolve_product_slug(root, info):
        return root.product.slug


class FairProgrammeItem(graphene.ObjectType):
    """An item of a fair's programme: the certificates announced at it ("39 products recognised
    ★4 at the opening")."""

    id = graphene.ID(required=True, description="Give it as `item` to fairProgrammeItemRemove.")
    title = graphene.String(required=True)
    day = graphene.Date(description="The fair's day it is on, if it has one.")
    certificates = graphene.List(graphene.NonNull(FairAnnouncedCertificate), required=True)

    @staticmethod
    def resolve_id(root, info):
        return to_global_id("FairProgrammeItem", root.pk)

    @staticmethod
    def resolve_certificates(root, info):
        return root.certificates.all()


class _SellerFields:
    """The exhibiting seller's name, slug and province, for a row whose ``seller`` (with its
    province) is loaded: an exhibitor on the fair page, an application on the review list."""

    seller_name = graphene.String(required=True)
    seller_slug = graphene.String(required=True)
    province = graphene.String(required=True, description="The seller's province.")

    @staticmethod
    def resolve_seller_name(root, info):
        return root.seller.name

    @staticmethod
    def resolve_seller_slug(root, info):
        return root.seller.slug

    @staticmethod
    def resolve_province(root, info):
        return root.seller.province.name


class FairExhibitor(_SellerFields, graphene.ObjectType):
    booth_codes = graphene.List(graphene.NonNull(graphene.String), required=True)
    products = graphene.List(graphene.NonNull(FairExhibitorProduct), required=True)

    @staticmethod
    def resolve_booth_codes(root, info):
        return [booth.code for booth in root.booths]


class FairBooth(graphene.ObjectType):
    id = graphene.ID(required=True, description="Give it as `booth` when assigning.")
    code = graphene.String(required=True)
    zone = graphene.String(required=True, description="The zone's name.")
    area_m2 = graphene.Float(required=True)
    price = graphene.Int(
        required=True, description="Whole đồng: the booth's own price, else the fair's booth fee."
    )
    x = graphene.Int(required=True)
    y = graphene.Int(required=True)
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    status = graphene.Field(BoothStatusEnum, required=True)
    held_for = graphene.String(required=True)
    exhibitor = graphene.Field(FairExhibitor, description="Who has the booth, if anyone.")
    products = graphene.List(
        graphene.NonNull(FairExhibitorProduct),
        required=True,
        description="The products its exhibitor brings, with their stars; empty when free.",
    )

    @staticmethod
    def resolve_id(root, info):
        return to_global_id("FairBooth", root.pk)

    @staticmethod
    def resolve_products(root, info):
        exhibitor = root.exhibitor
        return exhibitor.products if exhibitor is not None else []

    @staticmethod
    def resolve_zone(root, info):
        return root.zone_name

    @staticmethod
    def resolve_price(root, info):
        return root.fee

    @staticmethod
    def resolve_status(root, info):
        return enum_value(root.status)


class FairType(DjangoObjectType):
    """A public fair: dates, venue, zones, the booth map's booths and the exhibitors."""

    status = graphene.Field(FairStatusEnum, required=True)
    description = graphene.String(required=True, description="In the request's language.")
    province = graphene.Field(ProvinceType, required=True)
    organiser = graphene.Field(FairOrganiser, required=True)
    partners = graphene.List(graphene.NonNull(graphene.String), required=True)
    closed_days = graphene.List(graphene.NonNull(graphene.Date), required=True)
    cover_url = graphene.String(description="The cover image's URL; null without one.")
    url = graphene.String(required=True, description="The fair's page, from the site root.")
    zones = graphene.List(graphene.NonNull(FairZone), required=True)
    booths = graphene.List(graphene.NonNull(FairBooth), required=True)
    exhibitors = graphene.List(graphene.NonNull(FairExhibitor), required=True)
    programme = graphene.List(
        graphene.NonNull(FairProgrammeItem),
        required=True,
        description="Certificates announced at the fair, item by item.",
    )
    # Spelled here, not taken from the model's translated help text: the schema's descriptions
    # must not depend on the language active when it is printed.
    booth_fee = graphene.Int(required=True, description="Per standard booth, in whole đồng.")
    venue_name = graphene.String(
        required=True, description="The venue's name (the point of sale's, when it is one)."
    )
    venue_address = graphene.String(
        required=True, description="The venue's address (the point of sale's, when it is one)."
    )
    latitude = graphene.Decimal(description="The venue's (the point of sale's, when it is one).")
    longitude = graphene.Decimal(description="The venue's (the point of sale's, when it is one).")
    venue_point = graphene.Field(
        PointOfSaleType,
        description="The fair and exhibition centre the fair is held at, when it is a point of "
        "sale; its address and coordinates are then the venue's.",
    )

    class Meta:
        model = Fair
        name = "Fair"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "name",
            "slug",
            "venue_name",
            "venue_address",
            "latitude",
            "longitude",
            "starts_on",
            "ends_on",
            "opens_at",
            "closes_at",
            "applications_open_on",
            "applications_close_on",
            "booth_fee",
            "rules",
            "is_demo",
        )

    @classmethod
    def get_node(cls, info, id):
        fair = fairs_public().filter(pk=id).first()
        if fair is not None:
            fair_pages_attach([fair])
        return fair

    @staticmethod
    def resolve_status(root, info):
        return enum_value(root.status)

    @staticmethod
    def resolve_organiser(root, info):
        return root.organiser

    @staticmethod
    def resolve_venue_name(root, info):
        return root.venue.name

    @staticmethod
    def resolve_venue_address(root, info):
        return root.venue.address

    @staticmethod
    def resolve_latitude(root, info):
        return root.venue.latitude

    @staticmethod
    def resolve_longitude(root, info):
        return root.venue.longitude

    @staticmethod
    def resolve_venue_point(root, info):
        return root.venue_point

    @staticmethod
    def resolve_closed_days(root, info):
        return root.closed_dates

    @staticmethod
    def resolve_cover_url(root, info):
        name = root.cover.name
        return media_url(name) if name else None

    @staticmethod
    def resolve_url(root, info):
        return root.get_absolute_url()

    @staticmethod
    def resolve_zones(root, info):
        return root.graphql_page.zones

    @staticmethod
    def resolve_booths(root, info):
        return root.graphql_page.booths

    @staticmethod
    def resolve_exhibitors(root, info):
        return root.graphql_page.exhibitors

    @staticmethod
    def resolve_programme(root, info):
        return root.graphql_page.programme


def fair_pages_attach(fairs: list[Fair]) -> None:
    """Load the zones, booths, exhibitors and programme of a page of fairs in a fixed number of
    queries."""
    pages = fair_pages(fairs=fairs)
    for fair in fairs:
        page = pages[fair.pk]
        names = {zone.pk: zone.name for zone in page.zones}
        for booth in page.booths:
            booth.zone_name = names[booth.zone_id]
        fair.graphql_page = page


# --- private: applications, read by the fair's organiser and by the applying seller -------


class BoothFeeStateEnum(graphene.Enum):
    """Where an assigned booth's fee stands."""

    FREE = "free"
    DUE = "due"
    PAID = "paid"
    EXPIRED = "expired"


class FairApplicationProduct(graphene.ObjectType):
    offer_id = graphene.ID(required=True, description="The offer brought (Offer).")
    name = graphene.String(required=True)
    slug = graphene.String(required=True)
    stars = graphene.Int(description="Stars of its certificate in force today; null without one.")
    lapsing = graphene.Boolean(
        required=True,
        description="No certificate of the product is in force on the fair's last day: it "
        "could not be shown there as OCOP.",
    )

    @staticmethod
    def resolve_offer_id(root, info):
        return to_global_id("Offer", root["offer"].pk)

    @staticmethod
    def resolve_name(root, info):
        return root["product"].name

    @staticmethod
    def resolve_slug(root, info):
        return root["product"].slug

    @staticmethod
    def resolve_stars(root, info):
        return root["stars"]

    @staticmethod
    def resolve_lapsing(root, info):
        return root["lapsing"]


class FairApplicationBooth(graphene.ObjectType):
    """A booth assigned to the application, with its fee (VietQR transfer reference)."""

    booth_id = graphene.ID(required=True, description="The booth (FairBooth).")
    code = graphene.String(required=True)
    amount_due = graphene.Int(required=True, description="Whole đồng; 0 for a free booth.")
    reference = graphene.String(description="The transfer note that pays this fee.")
    pay_by = graphene.Date(description="Unpaid by this day, the booth is released.")
    fee_state = graphene.Field(BoothFeeStateEnum, required=True)

    @staticmethod
    def resolve_booth_id(root, info):
        return to_global_id("FairBooth", root.booth_id)

    @staticmethod
    def resolve_code(root, info):
        return root.booth.code

    @staticmethod
    def resolve_fee_state(root, info):
        return root.fee_state


class FairApplication(_SellerFields, graphene.ObjectType):
    """An exhibitor's application, as its fair's organiser and the applying seller see it."""

    id = graphene.ID(required=True, description="Give it as `application` to the mutations.")
    fair_id = graphene.ID(required=True, description="The fair (Fair).")
    fair_name = graphene.String(required=True)
    fair_slug = graphene.String(required=True)
    status = graphene.Field(ApplicationStatusEnum, required=True)
    booths_wanted = graphene.Int(required=True)
    preferred_zone = graphene.String(description="The zone's name.")
    note = graphene.String(required=True)
    rejection_reason = graphene.String(required=True)
    submitted_at = graphene.DateTime(required=True)
    waitlisted_at = graphene.DateTime()
    products = graphene.List(graphene.NonNull(FairApplicationProduct), required=True)
    has_lapsing = graphene.Boolean(
        required=True, description="A product brought has no certificate in force at the fair."
    )
    best_stars = graphene.Int(required=True, description="The most stars of a product brought.")
    booths = graphene.List(graphene.NonNull(FairApplicationBooth), required=True)

    @staticmethod
    def resolve_id(root, info):
        return to_global_id("ExhibitorApplication", root.pk)

    @staticmethod
    def resolve_fair_id(root, info):
        return to_global_id("Fair", root.fair_id)

    @staticmethod
    def resolve_fair_name(root, info):
        return root.fair.name

    @staticmethod
    def resolve_fair_slug(root, info):
        return root.fair.slug

    @staticmethod
    def resolve_status(root, info):
        return enum_value(root.status)

    @staticmethod
    def resolve_preferred_zone(root, info):
        zone = root.preferred_zone
        return zone.name if zone is not None else None

    @staticmethod
    def resolve_booths(root, info):
        return root.live_assignments
