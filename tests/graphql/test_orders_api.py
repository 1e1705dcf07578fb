"""Buying through the API: cart, checkout, payment start, orders, seller fulfilment, and who may
call each mutation."""

import json

import pytest
from django.forms.models import model_to_dict
from graphql_relay import to_global_id

from marketplace.ledger.models import LedgerEntry
from marketplace.offers.models import Stock
from marketplace.orders.models import Order, OrderEvent, PaymentMethod
from marketplace.orders.services import checkout_place_orders
from marketplace.payments.vietqr import tlv_fields, tlv_parse
from sellers.models import MembershipRole
from sellers.services import api_token_create
from tests.factories import BusinessFactory, MembershipFactory, UserFactory
from tests.factories_orders import offer_in_stock, ready_cart

pytestmark = pytest.mark.django_db

CART_FIELDS = """cart { token total problems { code }
  sellerGroups { seller { name } subtotal shippingFee deliveryMethod
                 lines { id quantity unitPrice offer { price } } } }
  errors { field code message }"""


def _checkout(gql, *offers, method="COD"):
    token = gql(f"mutation {{ cartCreate {{ {CART_FIELDS} }} }}")["cartCreate"]["cart"]["token"]
    for offer in offers:
        result = gql(
            f"""mutation ($t: UUID!, $o: ID!) {{ cartLineAdd(token: $t, offer: $o, quantity: 1)
            {{ {CART_FIELDS} }} }}""",
            {"t": token, "o": to_global_id("Offer", offer.pk)},
        )["cartLineAdd"]
        assert result["errors"] == []
    gql(
        """mutation ($t: UUID!) { checkoutContactSet(token: $t, email: "lan@example.vn",
        phone: "0912345678") { errors { code } } }""",
        {"t": token},
    )
    address = gql(
        """mutation ($t: UUID!) { checkoutAddressSet(token: $t, recipientName: "Nguyễn Thị Lan",
        province: "01", commune: "Phường Ba Đình", street: "12 Phố Đội Cấn") {
        cart { total } errors { code } } }""",
        {"t": token},
    )["checkoutAddressSet"]
    assert address["errors"] == []
    return token, gql(
        """mutation ($t: UUID!, $m: PaymentMethod!) { checkoutPaymentStart(token: $t, method: $m) {
        payment { method status amount reference vietqrPayload
                  orders { id number status total seller { name } } }
        errors { field code } } }""",
        {"t": token, "m": method},
    )["checkoutPaymentStart"]


def test_one_api_checkout_across_two_sellers_with_cash_on_delivery(gql):
    honey, _ = offer_in_stock(price=120_000)
    tea, _ = offer_in_stock(price=90_000, name="Chè")
    _token, result = _checkout(gql, honey, tea)
    assert result["errors"] == []
    payment = result["payment"]
    assert (payment["method"], payment["amount"], payment["vietqrPayload"]) == (
        "COD",
        270_000,
        None,
    )
    assert sorted((o["total"], o["status"]) for o in payment["orders"]) == [
        (120_000, "CONFIRMED"),
        (150_000, "CONFIRMED"),
    ]
    assert LedgerEntry.objects.count() == 4


def test_vietqr_returns_a_payload_with_the_reference_and_amount(gql):
    honey, _ = offer_in_stock(price=120_000)
    _token, result = _checkout(gql, honey, method="VIETQR")
    payment = result["payment"]
    fields = tlv_parse(payment["vietqrPayload"])
    assert (fields["54"], tlv_fields(fields["62"])["08"]) == ("150000", payment["reference"])
    assert [o["status"] for o in payment["orders"]] == ["AWAITING_PAYMENT"]


def test_sold_out_comes_back_as_an_error_and_changes_nothing(gql):
    honey, stock = offer_in_stock(quantity=1)
    token = gql(f"mutation {{ cartCreate {{ {CART_FIELDS} }} }}")["cartCreate"]["cart"]["token"]
    gql(
        "mutation ($t: UUID!, $o: ID!) { cartLineAdd(token: $t, offer: $o) { errors { code } } }",
        {"t": token, "o": to_global_id("Offer", honey.pk)},
    )
    checkout_place_orders(cart=ready_cart((honey, 1)), payment_method="cod", confirmed=True)
    gql(
        """mutation ($t: UUID!) { checkoutContactSet(token: $t, email: "a@b.vn",
        phone: "0912345678") { errors { code } } }""",
        {"t": token},
    )
    gql(
        """mutation ($t: UUID!) { checkoutAddressSet(token: $t, recipientName: "Lan",
        province: "01", commune: "Ba Đình", street: "12") { errors { code } } }""",
        {"t": token},
    )
    result = gql(
        """mutation ($t: UUID!) { checkoutPaymentStart(token: $t, method: COD) {
        payment { reference } errors { field code } } }""",
        {"t": token},
    )["checkoutPaymentStart"]
    assert result["payment"] is None
    assert [e["code"] for e in result["errors"]] == ["SOLD_OUT"]
    assert Order.objects.count() == 1 and Stock.objects.get(pk=stock.pk).quantity == 0


def test_lines_are_updated_and_removed(gql):
    honey, _ = offer_in_stock(quantity=5)
    token = gql(f"mutation {{ cartCreate {{ {CART_FIELDS} }} }}")["cartCreate"]["cart"]["token"]
    added = gql(
        f"""mutation ($t: UUID!, $o: ID!) {{ cartLineAdd(token: $t, offer: $o, quantity: 2)
        {{ {CART_FIELDS} }} }}""",
        {"t": token, "o": to_global_id("Offer", honey.pk)},
    )["cartLineAdd"]["cart"]
    line = added["sellerGroups"][0]["lines"][0]["id"]
    too_many = gql(
        """mutation ($t: UUID!, $l: Int!) { cartLineUpdate(token: $t, line: $l, quantity: 6) {
        cart { total } errors { field code } } }""",
        {"t": token, "l": line},
    )["cartLineUpdate"]
    assert too_many["errors"] == [{"field": f"line-{line}", "code": "SOLD_OUT"}]
    removed = gql(
        f"""mutation ($t: UUID!, $l: Int!) {{ cartLineRemove(token: $t, line: $l)
        {{ {CART_FIELDS} }} }}""",
        {"t": token, "l": line},
    )["cartLineRemove"]
    assert (removed["errors"], removed["cart"]["sellerGroups"], removed["cart"]["total"]) == (
        [],
        [],
        0,
    )


def test_a_users_cart_is_theirs_alone(gql, client):
    honey, _ = offer_in_stock()
    owner = UserFactory()
    client.force_login(owner)
    token = gql(f"mutation {{ cartCreate {{ {CART_FIELDS} }} }}")["cartCreate"]["cart"]["token"]
    client.force_login(UserFactory())
    result = gql(
        "mutation ($t: UUID!, $o: ID!) { cartLineAdd(token: $t, offer: $o) { errors { field code } } }",
        {"t": token, "o": to_global_id("Offer", honey.pk)},
    )["cartLineAdd"]
    assert result["errors"] == [{"field": "token", "code": "NOT_FOUND"}]
    assert gql("query ($t: UUID!) { cart(token: $t) { token } }", {"t": token})["cart"] is None


ORDERS = """query { myOrders(first: 50) { totalCount edges { node { number status
  lines { productName quantity } events { toStatus } seller { name } } } } }"""


def test_my_orders_runs_constant_queries(client, django_queries):
    honey, _ = offer_in_stock(quantity=50)
    buyer = UserFactory()
    client.force_login(buyer)
    body = json.dumps({"query": ORDERS})

    def post():
        return client.post("/graphql/", body, content_type="application/json").json()

    checkout_place_orders(
        cart=ready_cart((honey, 1), user=buyer), payment_method="cod", confirmed=True
    )
    post()
    with django_queries(6):
        one = post()
    for _ in range(4):
        checkout_place_orders(
            cart=ready_cart((honey, 1), user=buyer), payment_method="cod", confirmed=True
        )
    with django_queries(6):
        many = post()
    assert (one["data"]["myOrders"]["totalCount"], many["data"]["myOrders"]["totalCount"]) == (1, 5)


def test_seller_orders_run_constant_queries_through_memberships(client, gql, django_queries):
    honey, _ = offer_in_stock(quantity=50)
    owner = MembershipFactory(business=honey.seller, role=MembershipRole.OWNER).user
    client.force_login(owner)
    query = """query ($b: ID!) { sellerOrders(business: $b, first: 50) { totalCount
      edges { node { number lines { quantity } } } } }"""
    body = json.dumps(
        {"query": query, "variables": {"b": to_global_id("Business", honey.seller.pk)}}
    )
    checkout_place_orders(cart=ready_cart((honey, 1)), payment_method="cod", confirmed=True)
    client.post("/graphql/", body, content_type="application/json")
    with django_queries(7):
        client.post("/graphql/", body, content_type="application/json")
    for _ in range(4):
        checkout_place_orders(cart=ready_cart((honey, 1)), payment_method="cod", confirmed=True)
    with django_queries(7):
        data = client.post("/graphql/", body, content_type="application/json").json()
    assert data["data"]["sellerOrders"]["totalCount"] == 5
    client.force_login(MembershipFactory(role="owner").user)
    errors = gql.errors(query, {"b": to_global_id("Business", honey.seller.pk)})
    assert errors[0]["extensions"]["code"] == "PERMISSION_DENIED"


# --- the permission matrix of the seller's order mutations --------------------------------------

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
MEMBERS = {"owner", "manager", "staff", "token_own"}

CASES = {
    "orderProcess": (
        "mutation ($o: ID!) { orderProcess(order: $o) { order { status } errors { code } } }",
        "confirmed",
    ),
    "orderShip": (
        """mutation ($o: ID!) { orderShip(order: $o, carrier: "VNPost", trackingNumber: "EB1")
        { order { status } errors { code } } }""",
        "processing",
    ),
    "orderDeliver": (
        """mutation ($o: ID!) { orderDeliver(order: $o, codCollected: true)
        { order { status } errors { code } } }""",
        "shipped",
    ),
    "orderComplete": (
        "mutation ($o: ID!) { orderComplete(order: $o) { order { status } errors { code } } }",
        "delivered",
    ),
    "orderCancel": (
        """mutation ($o: ID!) { orderCancel(order: $o, reason: "Hết hàng")
        { order { status } errors { code } } }""",
        "confirmed",
    ),
}


@pytest.fixture
def world():
    honey, _ = offer_in_stock(quantity=20)
    holder = honey.seller
    owner = MembershipFactory(business=holder, role=MembershipRole.OWNER).user
    second = BusinessFactory(status="active")
    MembershipFactory(business=second, user=owner, role=MembershipRole.OWNER)
    users = {
        "anonymous": None,
        "buyer": UserFactory(),
        "other_seller": MembershipFactory(role="owner").user,
        "owner": owner,
        "manager": MembershipFactory(business=holder, role=MembershipRole.MANAGER).user,
        "staff": MembershipFactory(business=holder, role=MembershipRole.STAFF).user,
        "marketplace_staff": UserFactory(is_staff=True),
    }
    tokens = {
        "token_own": api_token_create(business=holder, user=owner, name="A")[1],
        "token_other": api_token_create(business=second, user=owner, name="B")[1],
    }
    return honey, users, tokens


def _state():
    return {
        model.__name__: [
            {k: str(v) for k, v in model_to_dict(row).items()}
            for row in model.objects.order_by("pk")
        ]
        for model in (Order, OrderEvent, Stock, LedgerEntry)
    }


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("mutation", list(CASES))
def test_permission_matrix(client, world, mutation, actor):
    honey, users, tokens = world
    query, status = CASES[mutation]
    (order,) = checkout_place_orders(
        cart=ready_cart((honey, 1)), payment_method=PaymentMethod.COD, confirmed=True
    )
    Order.objects.filter(pk=order.pk).update(status=status)
    before = _state()
    extra = {}
    if actor in tokens:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {tokens[actor]}"
    elif users[actor] is not None:
        client.force_login(users[actor])
    body = json.dumps({"query": query, "variables": {"o": to_global_id("Order", order.pk)}})
    payload = client.post("/graphql/", body, content_type="application/json", **extra).json()
    assert "errors" not in payload, payload
    result = payload["data"][mutation]
    if actor in MEMBERS:
        assert result["errors"] == []
        assert _state() != before
    else:
        assert [e["code"] for e in result["errors"]] == ["PERMISSION_DENIED"]
        assert _state() == before


def test_checkout_details_answer_every_mistake_at_once(gql):
    honey, _ = offer_in_stock()
    token = gql(f"mutation {{ cartCreate {{ {CART_FIELDS} }} }}")["cartCreate"]["cart"]["token"]
    gql(
        "mutation ($t: UUID!, $o: ID!) { cartLineAdd(token: $t, offer: $o) { errors { code } } }",
        {"t": token, "o": to_global_id("Offer", honey.pk)},
    )
    contact = gql(
        """mutation ($t: UUID!) { checkoutContactSet(token: $t, email: "lan@", phone: "12345")
        { errors { field code message } } }""",
        {"t": token},
    )["checkoutContactSet"]
    assert [(e["field"], e["code"]) for e in contact["errors"]] == [
        ("email", "INVALID"),
        ("phone", "INVALID"),
    ]
    assert contact["errors"][0]["message"] == "Enter a valid e-mail address."
    address = gql(
        """mutation ($t: UUID!) { checkoutAddressSet(token: $t, recipientName: " ",
        province: "99", commune: "", street: "12 Phố Đội Cấn") { errors { field code message } } }""",
        {"t": token},
    )["checkoutAddressSet"]
    assert address["errors"] == [
        {"field": "recipient_name", "code": "REQUIRED", "message": "Enter the recipient's name."},
        {"field": "province", "code": "REQUIRED", "message": "Choose the province or city."},
        {"field": "commune", "code": "REQUIRED", "message": "Enter the commune or ward."},
    ]
