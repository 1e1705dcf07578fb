"""Who may call each seller-facing mutation, and that a refusal changes nothing.

Every mutation runs against the same small world for each kind of caller: anonymous, a buyer
(signed in, no membership), the owner of another seller, the seller's own owner / manager /
staff member, a marketplace staff user (``is_staff``, not a member), and API tokens — one the
owner created for this seller, one the same owner created for another business of theirs (a
token is limited to its business even when its creator belongs to both).

Role rules (enforced by the services, mirrored here): owners and managers run offers, prices,
stock locations, product content and resale; staff update stock only; only owners run the team.
A token acts as its creator (here an owner) for its own business only.
"""

import datetime
import io
import json
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from graphql_relay import to_global_id
from PIL import Image

from catalog.models import Product, ProductPhoto, ProductVariant
from marketplace.offers.models import (
    Offer,
    OfferStatus,
    ResaleAuthorization,
    Stock,
    StockLocation,
)
from marketplace.places.models import OpeningException, OpeningHours, PointOfSale
from sellers.models import Invitation, Membership, SellerStatus, SellerType
from sellers.services import api_token_create
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    OfferFactory,
    ProductVariantFactory,
    StockLocationFactory,
    UserFactory,
    certified_product,
)
from tests.factories_places import point as point_of_sale

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "buyer",
    "other_seller",
    "owner",
    "manager",
    "staff",
    "marketplace_staff",
    "token_own",
    "token_other",
]
OWNERS = {"owner", "token_own"}
MANAGERS = OWNERS | {"manager"}
MEMBERS = MANAGERS | {"staff"}


@dataclass
class World:
    business: object
    product: object
    variant_free: object  # a pack nobody sells yet
    draft: object  # a draft offer of the holder
    published: object  # a published offer of the holder
    location: object
    authorization: object  # the holder's grant to a reseller
    other_reseller: object
    extra_member: object  # a staff membership the team mutations act on
    photos: list
    users: dict
    tokens: dict
    point: object = None  # a point of sale of the business, open every day


def gid(type_name, obj):
    return to_global_id(type_name, obj.pk)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    business = BusinessFactory(status=SellerStatus.ACTIVE, name="HTX Mật ong Tiên Yên")
    product, _evaluation, _certificate = certified_product(holder=business)
    draft = OfferFactory(variant=ProductVariantFactory(product=product), seller=business)
    published = OfferFactory(
        variant=ProductVariantFactory(product=product),
        seller=business,
        status=OfferStatus.PUBLISHED,
        price=120_000,
    )
    variant_free = ProductVariantFactory(product=product, name="Hũ 1 kg")
    location = StockLocationFactory(business=business, name="Kho Tiên Yên")
    reseller = BusinessFactory(status=SellerStatus.ACTIVE, seller_type=SellerType.OCOP_CENTRE)
    authorization = ResaleAuthorization.objects.create(product=product, reseller=reseller)
    other_reseller = BusinessFactory(status=SellerStatus.ACTIVE, seller_type=SellerType.DISTRIBUTOR)
    photos = [
        ProductPhoto.objects.create(
            product=product,
            image=f"products/{product.pk}/{n}.webp",
            width=640,
            height=480,
            position=n,
        )
        for n in range(2)
    ]
    owner = MembershipFactory(business=business, role="owner").user
    users = {
        "anonymous": None,
        "buyer": UserFactory(),
        "other_seller": MembershipFactory(role="owner").user,
        "owner": owner,
        "manager": MembershipFactory(business=business, role="manager").user,
        "staff": MembershipFactory(business=business, role="staff").user,
        "marketplace_staff": UserFactory(is_staff=True),
    }
    extra_member = MembershipFactory(business=business, role="staff")
    # The owner runs a second business too; its token must not reach the first.
    second = BusinessFactory(status=SellerStatus.ACTIVE)
    MembershipFactory(business=second, user=owner, role="owner")
    tokens = {
        "token_own": api_token_create(business=business, user=owner, name="Cổng tỉnh")[1],
        "token_other": api_token_create(business=second, user=owner, name="Kho khác")[1],
    }
    point = point_of_sale(operator=business, name="Quầy OCOP Tiên Yên")
    OpeningException.objects.create(
        location=point.location, date=datetime.date(2031, 1, 22), closed=True
    )
    return World(
        business=business,
        product=product,
        variant_free=variant_free,
        draft=draft,
        published=published,
        location=location,
        authorization=authorization,
        other_reseller=other_reseller,
        extra_member=extra_member,
        photos=photos,
        users=users,
        tokens=tokens,
        point=point,
    )


def state() -> dict:
    """Everything a seller-facing mutation may write, as plain values."""
    models = (
        Offer,
        Stock,
        StockLocation,
        ResaleAuthorization,
        Membership,
        Invitation,
        Product,
        ProductVariant,
        ProductPhoto,
        PointOfSale,
        OpeningHours,
        OpeningException,
    )
    return {
        model.__name__: [
            {k: str(v) for k, v in model_to_dict(row).items()}
            for row in model.objects.order_by("pk")
        ]
        for model in models
    }


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 150, 20)).save(buffer, format="PNG")
    return SimpleUploadedFile("mat-ong.png", buffer.getvalue(), content_type="image/png")


# Each case: the mutation, its variables for a world, and who may call it.
CASES = {
    "offerCreate": (
        """mutation ($business: ID!, $variant: ID!) { offerCreate(business: $business,
           variant: $variant, price: 150000) { offer { id } errors { field code } } }""",
        lambda w: {
            "business": gid("Business", w.business),
            "variant": gid("ProductVariant", w.variant_free),
        },
        MANAGERS,
    ),
    "offerUpdate": (
        """mutation ($offer: ID!) { offerUpdate(offer: $offer, price: 95000) {
           offer { id } errors { field code } } }""",
        lambda w: {"offer": gid("Offer", w.published)},
        MANAGERS,
    ),
    "offerPublish": (
        """mutation ($offer: ID!) { offerPublish(offer: $offer) { offer { id }
           errors { field code } } }""",
        lambda w: {"offer": gid("Offer", w.draft)},
        MANAGERS,
    ),
    "offerPause": (
        """mutation ($offer: ID!) { offerPause(offer: $offer) { offer { id }
           errors { field code } } }""",
        lambda w: {"offer": gid("Offer", w.published)},
        MANAGERS,
    ),
    "offerDelete": (
        """mutation ($offer: ID!) { offerDelete(offer: $offer) { deletedId
           errors { field code } } }""",
        lambda w: {"offer": gid("Offer", w.draft)},
        MANAGERS,
    ),
    "stockUpdate": (
        """mutation ($offer: ID!, $location: ID!) { stockUpdate(offer: $offer,
           location: $location, quantity: 9) { stock { quantity } errors { field code } } }""",
        lambda w: {
            "offer": gid("Offer", w.published),
            "location": gid("StockLocation", w.location),
        },
        MEMBERS,
    ),
    "stockLocationCreate": (
        """mutation ($business: ID!) { stockLocationCreate(business: $business,
           name: "Quầy OCOP Hạ Long", province: "22") { location { id } errors { field code } } }""",
        lambda w: {"business": gid("Business", w.business)},
        MANAGERS,
    ),
    "resaleGrant": (
        """mutation ($product: ID!, $reseller: ID!) { resaleGrant(product: $product,
           reseller: $reseller) { authorization { id } errors { field code } } }""",
        lambda w: {
            "product": gid("Product", w.product),
            "reseller": gid("Business", w.other_reseller),
        },
        MANAGERS,
    ),
    "resaleRevoke": (
        """mutation ($authorization: ID!) { resaleRevoke(authorization: $authorization) {
           authorization { id } errors { field code } } }""",
        lambda w: {"authorization": gid("ResaleAuthorization", w.authorization)},
        MANAGERS,
    ),
    "productContentUpdate": (
        """mutation ($product: ID!) { productContentUpdate(product: $product,
           description: "Mật ong rừng nguyên chất.") { product { id } errors { field code } } }""",
        lambda w: {"product": gid("Product", w.product)},
        MANAGERS,
    ),
    "productVariantAdd": (
        """mutation ($product: ID!) { productVariantAdd(product: $product, name: "Hũ 250 g",
           netQuantity: "250", unit: GRAM) { variant { id } errors { field code } } }""",
        lambda w: {"product": gid("Product", w.product)},
        MANAGERS,
    ),
    "productVariantUpdate": (
        """mutation ($variant: ID!) { productVariantUpdate(variant: $variant, name: "Hũ 1,2 kg")
           { variant { id } errors { field code } } }""",
        lambda w: {"variant": gid("ProductVariant", w.variant_free)},
        MANAGERS,
    ),
    "productVariantRemove": (
        """mutation ($variant: ID!) { productVariantRemove(variant: $variant) { removedId
           errors { field code } } }""",
        lambda w: {"variant": gid("ProductVariant", w.variant_free)},
        MANAGERS,
    ),
    "productPhotoUpload": (
        """mutation ($product: ID!, $image: Upload!) { productPhotoUpload(product: $product,
           image: $image, altText: "Hũ mật ong") { photo { id } errors { field code } } }""",
        lambda w: {"product": gid("Product", w.product), "image": None},
        MANAGERS,
    ),
    "productPhotoRemove": (
        """mutation ($photo: ID!) { productPhotoRemove(photo: $photo) { removedId
           errors { field code } } }""",
        lambda w: {"photo": gid("ProductPhoto", w.photos[0])},
        MANAGERS,
    ),
    "productPhotoReorder": (
        """mutation ($product: ID!, $photos: [ID!]!) { productPhotoReorder(product: $product,
           photos: $photos) { photos { id } errors { field code } } }""",
        lambda w: {
            "product": gid("Product", w.product),
            "photos": [gid("ProductPhoto", p) for p in reversed(w.photos)],
        },
        MANAGERS,
    ),
    "pointOfSaleCreate": (
        """mutation ($business: ID!) { pointOfSaleCreate(business: $business,
           name: "Quầy OCOP Bãi Cháy", kind: BUS_STATION, province: "22", latitude: 20.958,
           longitude: 107.04) { point { id } errors { field code } } }""",
        lambda w: {"business": gid("Business", w.business)},
        MANAGERS,
    ),
    "pointOfSaleUpdate": (
        """mutation ($point: ID!) { pointOfSaleUpdate(point: $point, phone: "0203 3846 123")
           { point { id } errors { field code } } }""",
        lambda w: {"point": gid("PointOfSale", w.point)},
        MANAGERS,
    ),
    "pointOfSaleHoursSet": (
        """mutation ($point: ID!) { pointOfSaleHoursSet(point: $point, hours: [
           {weekday: 0, opens: "07:00", closes: "19:00"}]) { point { id } errors { field code } } }""",
        lambda w: {"point": gid("PointOfSale", w.point)},
        MANAGERS,
    ),
    "pointOfSaleExceptionSet": (
        """mutation ($point: ID!) { pointOfSaleExceptionSet(point: $point, date: "2031-01-23",
           closed: true, reason: "Tết") { point { id } errors { field code } } }""",
        lambda w: {"point": gid("PointOfSale", w.point)},
        MANAGERS,
    ),
    "pointOfSaleExceptionDelete": (
        """mutation ($point: ID!) { pointOfSaleExceptionDelete(point: $point, date: "2031-01-22")
           { point { id } errors { field code } } }""",
        lambda w: {"point": gid("PointOfSale", w.point)},
        MANAGERS,
    ),
    "pointOfSaleStatusSet": (
        """mutation ($point: ID!) { pointOfSaleStatusSet(point: $point, status: TEMPORARILY_CLOSED,
           reason: "Sửa chữa") { point { id } errors { field code } } }""",
        lambda w: {"point": gid("PointOfSale", w.point)},
        MANAGERS,
    ),
    "memberInvite": (
        """mutation ($business: ID!) { memberInvite(business: $business,
           email: "lan@example.vn", role: STAFF) { invitation { email } errors { field code } } }""",
        lambda w: {"business": gid("Business", w.business)},
        OWNERS,
    ),
    "memberRoleChange": (
        """mutation ($membership: ID!) { memberRoleChange(membership: $membership,
           role: MANAGER) { membership { role } errors { field code } } }""",
        lambda w: {"membership": gid("Membership", w.extra_member)},
        OWNERS,
    ),
    "memberRemove": (
        """mutation ($membership: ID!) { memberRemove(membership: $membership) { removedId
           errors { field code } } }""",
        lambda w: {"membership": gid("Membership", w.extra_member)},
        OWNERS,
    ),
}


def call(client, world, actor, query, variables):
    """POST the mutation as ``actor``: a session for users, a bearer header for tokens, and a
    multipart request when a variable is a file."""
    extra = {}
    if actor in world.tokens:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[actor]}"
    elif world.users[actor] is not None:
        client.force_login(world.users[actor])
    if "image" in variables:
        operations = json.dumps({"query": query, "variables": variables})
        data = {"operations": operations, "map": json.dumps({"0": ["variables.image"]}), "0": png()}
        return client.post("/graphql/", data, **extra)
    body = json.dumps({"query": query, "variables": variables})
    return client.post("/graphql/", body, content_type="application/json", **extra)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("mutation", list(CASES))
def test_permission_matrix(client, world, mutation, actor, tmp_path):
    query, variables, allowed = CASES[mutation]
    before = state()

    response = call(client, world, actor, query, variables(world))

    assert response.status_code == 200, response.content
    payload = response.json()
    assert "errors" not in payload, payload["errors"]
    result = payload["data"][mutation]
    if actor in allowed:
        assert result["errors"] == []
        assert state() != before
    else:
        assert [e["code"] for e in result["errors"]] == ["PERMISSION_DENIED"]
        # The object is withheld and nothing was written (no photo file either).
        assert [value for key, value in result.items() if key != "errors"] == [None]
        assert state() == before
        media = tmp_path / "media"
        assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


# Mutations anyone may call, each tested on its own (e.g. a buyer checking a stamp's PIN).
PUBLIC_MUTATIONS = {
    "stampPinCheck",
    # The cart's token (or its owner's session) is the permission: tests/graphql/test_orders_api.py
    "cartCreate",
    "cartLineAdd",
    "cartLineUpdate",
    "cartLineRemove",
    "checkoutContactSet",
    "checkoutAddressSet",
    "checkoutDeliverySet",
    "checkoutNoteSet",
    "checkoutPaymentStart",
    "checkoutComplete",
}


def test_every_seller_mutation_is_in_a_matrix():
    from api.schema import schema
    from tests.graphql.test_fairs_api import CASES as FAIR_CASES
    from tests.graphql.test_orders_api import CASES as ORDER_CASES
    from tests.graphql.test_traceability_api import CASES as TRACEABILITY_CASES

    mutations = set(schema.graphql_schema.mutation_type.fields)
    matrices = set(CASES) | set(TRACEABILITY_CASES) | set(ORDER_CASES) | set(FAIR_CASES)
    assert mutations == matrices | PUBLIC_MUTATIONS
