"""Every page of the seller workspace (``/seller/<slug>/…``), for every kind of visitor:
anonymous → the sign-in page; the owner of another seller → refused, also when it names its
own business with the victim's objects (cross-object); the holder's staff member → what its
role allows; the owner → served. A refusal changes nothing, GET or POST.

A workspace URL added without a row in ``PAGES`` fails ``test_every_workspace_page_has_a_row``.
"""

import datetime

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from catalog.models import Product, ProductVariant
from marketplace.fairs.models import ExhibitorApplication
from marketplace.fairs.services import application_submit
from marketplace.offers.models import Offer, ResaleAuthorization, Stock, StockLocation
from marketplace.offers.services import resale_grant
from marketplace.orders.models import Order
from marketplace.orders.services import checkout_place_orders
from marketplace.places.models import OpeningException, OpeningHours, PointOfSale, PointPhoto
from marketplace.places.services import location_exception_write
from sellers.models import ApiToken, Invitation, Membership, MembershipRole, SellerStatus
from sellers.services import api_token_create
from tests.factories import BusinessFactory, MembershipFactory
from tests.factories_fairs import FairFactory
from tests.factories_orders import offer_in_stock, ready_cart
from tests.factories_places import point
from tests.factories_traceability import event_for, stamps_for, traced_product
from traceability.models import Batch, ProvenanceEvent, StampRun, StampRunPrint

pytestmark = pytest.mark.django_db

MODELS = (
    Product,
    ProductVariant,
    Offer,
    Stock,
    StockLocation,
    ResaleAuthorization,
    Order,
    Membership,
    Invitation,
    ApiToken,
    Batch,
    ProvenanceEvent,
    StampRun,
    StampRunPrint,
    ExhibitorApplication,
    PointOfSale,
    OpeningHours,
    OpeningException,
    PointPhoto,
)


def _state():
    return {
        model.__name__: [str(model_to_dict(row)) for row in model.objects.order_by("pk")]
        for model in MODELS
    }


@pytest.fixture
def world():
    traced = traced_product()
    traced.event = event_for(traced)
    traced.run, (traced.stamp,), _pins = stamps_for(traced, 1)
    traced.run_print = StampRunPrint.objects.create(run=traced.run, layout="a4-5x13")
    traced.offer, stock = offer_in_stock(holder=traced.holder, name="Trà hoa vàng")
    traced.location = stock.location
    (traced.order,) = checkout_place_orders(
        cart=ready_cart((traced.offer, 1)), payment_method="cod", confirmed=True
    )
    traced.authorization = resale_grant(
        actor=traced.owner, product=traced.product, reseller=BusinessFactory(status="active")
    )
    traced.staff_membership = traced.holder.memberships.get(user=traced.staff)
    traced.point = point(operator=traced.holder, name="Ki-ốt OCOP Tiên Yên")
    traced.exception = location_exception_write(
        location=traced.point.location, date=datetime.date(2027, 2, 17), closed=True, reason="Tết"
    )
    traced.token = api_token_create(business=traced.holder, user=traced.owner, name="ERP")[0]
    traced.fair = FairFactory()
    traced.application = application_submit(
        fair=traced.fair,
        seller=traced.holder,
        actor=traced.owner,
        offer_ids=[traced.offer.pk],
        booths_wanted=1,
        language="vi",
    )
    attacker = MembershipFactory(
        role=MembershipRole.OWNER, business=BusinessFactory(status=SellerStatus.ACTIVE)
    )
    traced.attacker, traced.attacker_business = attacker.user, attacker.business
    return traced


# A page a staff member may open although its action is the owner's or a manager's: the form
# or list is shown, and the POST is refused by the service (membership_require).
SHOWN = "shown"  # truthy: the GET is allowed
# name -> (kwargs of the holder's objects (the slug is added), staff member allowed to GET)
PAGES = {
    "activate": (lambda w: {}, SHOWN),
    "team": (lambda w: {}, SHOWN),
    "team_invite": (lambda w: {}, False),
    "member_role": (lambda w: {"membership_id": w.staff_membership.pk}, False),
    "member_remove": (lambda w: {"membership_id": w.staff_membership.pk}, False),
    "tokens": (lambda w: {}, False),
    "token_revoke": (lambda w: {"token_id": w.token.pk}, False),
    "dashboard": (lambda w: {}, True),
    "offer_list": (lambda w: {}, True),
    "offer_create": (lambda w: {}, SHOWN),
    "offer_edit": (lambda w: {"pk": w.offer.pk}, SHOWN),
    "offer_publish": (lambda w: {"pk": w.offer.pk}, False),
    "offer_pause": (lambda w: {"pk": w.offer.pk}, False),
    "offer_delete": (lambda w: {"pk": w.offer.pk}, False),
    "stock": (lambda w: {}, True),
    "location_create": (lambda w: {}, SHOWN),
    "product_list": (lambda w: {}, True),
    "product_edit": (lambda w: {"product_slug": w.product.slug}, SHOWN),
    "variant_add": (lambda w: {"product_slug": w.product.slug}, False),
    "variant_edit": (lambda w: {"product_slug": w.product.slug, "pk": w.variant.pk}, SHOWN),
    "variant_remove": (lambda w: {"product_slug": w.product.slug, "pk": w.variant.pk}, False),
    "photo_add": (lambda w: {"product_slug": w.product.slug}, False),
    "photo_move": (lambda w: {"product_slug": w.product.slug}, False),
    "photo_remove": (lambda w: {"product_slug": w.product.slug, "pk": 1}, False),
    "resale_grant": (lambda w: {"product_slug": w.product.slug}, False),
    "resale_revoke": (lambda w: {"pk": w.authorization.pk}, False),
    "order_list": (lambda w: {}, True),
    "order_detail": (lambda w: {"number": w.order.number}, True),
    "packing_slip": (lambda w: {"number": w.order.number}, True),
    "order_action": (lambda w: {"number": w.order.number, "action": "cancel"}, True),
    "ledger": (lambda w: {}, False),
    "batch_list": (lambda w: {}, True),
    "batch_create": (lambda w: {}, False),
    "batch_detail": (lambda w: {"pk": w.batch.pk}, True),
    "batch_epcis": (lambda w: {"pk": w.batch.pk}, True),
    "batch_transformation": (lambda w: {"pk": w.batch.pk}, True),
    "batch_carton": (lambda w: {"pk": w.batch.pk}, True),
    "event_correct": (lambda w: {"pk": w.batch.pk, "event_pk": w.event.pk}, True),
    "stamp_run_list": (lambda w: {"pk": w.batch.pk}, True),
    "stamp_run_create": (lambda w: {"pk": w.batch.pk}, False),
    "stamp_run_detail": (lambda w: {"run_pk": w.run.pk}, SHOWN),
    "stamp_run_print_create": (lambda w: {"run_pk": w.run.pk}, False),
    "stamp_run_print_file": (
        lambda w: {"run_pk": w.run.pk, "print_pk": w.run_print.pk, "kind": "pdf"},
        False,
    ),
    "stamp_png": (lambda w: {"run_pk": w.run.pk, "serial": w.stamp.serial}, False),
    "stamp_svg": (lambda w: {"run_pk": w.run.pk, "serial": w.stamp.serial}, False),
    "applications": (lambda w: {}, True),
    "apply": (lambda w: {"fair_slug": w.fair.slug}, False),
    "withdraw": (lambda w: {"pk": w.application.pk}, False),
    "point_list": (lambda w: {}, True),
    "point_create": (lambda w: {}, False),
    "point_edit": (lambda w: {"pk": w.point.pk}, False),
    "point_status": (lambda w: {"pk": w.point.pk}, False),
    "point_hours": (lambda w: {"pk": w.point.pk}, False),
    "point_exception_delete": (
        lambda w: {"pk": w.point.pk, "exception_pk": w.exception.pk},
        False,
    ),
    "point_photo_add": (lambda w: {"pk": w.point.pk}, False),
    "point_photo_remove": (lambda w: {"pk": w.point.pk, "photo_pk": 1}, False),
    "point_photo_move": (lambda w: {"pk": w.point.pk, "photo_pk": 1}, False),
    "point_stock": (lambda w: {"pk": w.point.pk}, True),
}
# Pages whose object is public (a fair anyone may apply to): under one's own business they are
# one's own page, so the cross-object case does not apply.
PUBLIC_OBJECTS = {"apply"}


def _workspace_routes() -> dict[str, str]:
    """Name -> "namespace:name" of every URL under /seller/<slug>/."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif (prefix + str(pattern.pattern)).startswith("seller/<slug:slug>/"):
                yield pattern.name, f"{namespace}:{pattern.name}"

    return dict(walk(get_resolver().url_patterns, "", None))


def test_every_workspace_page_has_a_row():
    assert set(_workspace_routes()) == set(PAGES)


def _url(world, name, slug=None):
    kwargs = {"slug": slug or world.holder.slug, **PAGES[name][0](world)}
    return reverse(_workspace_routes()[name], kwargs=kwargs)


@pytest.mark.parametrize("name", list(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(world, name):
    url = _url(world, name)
    before = _state()
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, (method, response.status_code)
        assert response["Location"].startswith("/tai-khoan/dang-nhap/"), response["Location"]
    assert _state() == before


@pytest.mark.parametrize("name", list(PAGES))
def test_another_sellers_owner_is_refused_even_naming_its_own_business(world, name):
    client = Client()
    client.force_login(world.attacker)
    urls = [_url(world, name)]
    # A page of the victim's objects: named under its own business too.
    if PAGES[name][0](world) and name not in PUBLIC_OBJECTS:
        urls.append(_url(world, name, slug=world.attacker_business.slug))
    before = _state()
    for url in urls:
        # A POST-only page answers GET with 405 before anything else: it reveals nothing.
        assert client.get(url).status_code in (403, 404, 405), url
        assert client.post(url).status_code in (403, 404), url
    assert _state() == before


@pytest.mark.parametrize("name", list(PAGES))
def test_staff_members_get_what_their_role_allows_and_owners_everything(world, name):
    url = _url(world, name)
    staff, owner = Client(), Client()
    staff.force_login(world.staff)
    owner.force_login(world.owner)
    allowed = PAGES[name][1]
    answer = staff.get(url).status_code
    if allowed:
        assert answer in (200, 405), answer
    else:
        assert answer in (403, 404, 405), answer
    assert owner.get(url).status_code in (200, 302, 404, 405)


# The pages a staff member may open whose form is the owner's or a manager's: a valid form
# (the owner's identical POST goes through, so the payload itself is not what is refused) posted
# by staff changes nothing.
STAFF_REFUSED_POSTS = {
    "activate": lambda w: {"accept_terms": "on"},
    "offer_create": lambda w: {"variant": w.variant.pk, "price": "150000"},
    "offer_edit": lambda w: {"price": "99000"},
    "location_create": lambda w: {"name": "Kho Hạ Long", "kind": "warehouse", "province": "22"},
    "product_edit": lambda w: {"description": "Mô tả mới", "story": "Câu chuyện mới"},
    "variant_edit": lambda w: {"name": "Hũ 1 kg", "net_quantity": "1", "unit": "kg"},
}


def test_every_shown_page_with_a_form_has_a_refused_post():
    shown = {name for name, (_kwargs, allowed) in PAGES.items() if allowed is SHOWN}
    # team and stamp_run_detail are read-only pages: a POST there renders the page again.
    assert set(STAFF_REFUSED_POSTS) == shown - {"team", "stamp_run_detail"}


@pytest.mark.parametrize("name", list(STAFF_REFUSED_POSTS))
def test_a_staff_members_valid_post_on_a_shown_page_changes_nothing(world, name):
    holder = type(world.holder).objects.filter(pk=world.holder.pk)
    if name == "activate":
        holder.update(status=SellerStatus.VERIFIED)

    def state():
        return _state() | {"status": holder.get().status}

    url = _url(world, name)
    payload = STAFF_REFUSED_POSTS[name](world)
    staff, owner = Client(), Client()
    staff.force_login(world.staff)
    owner.force_login(world.owner)
    before = state()
    assert staff.post(url, payload).status_code == 403
    assert state() == before
    assert owner.post(url, payload).status_code == 302
    assert state() != before
