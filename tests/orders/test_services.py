"""Cart, checkout and order services: every rule, and that a refusal changes nothing."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from catalog.models import RevocationGround
from marketplace.offers.models import OfferStatus, Stock
from marketplace.orders.errors import CheckoutError
from marketplace.orders.models import (
    Cart,
    CartStatus,
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentMethod,
    Reservation,
)
from marketplace.orders.selectors import checkout_summary
from marketplace.orders.services import (
    DeliveryChoice,
    cart_create,
    cart_for_request,
    cart_line_add,
    cart_line_update,
    checkout_accept_prices,
    checkout_address_set,
    checkout_contact_set,
    checkout_delivery_set,
    checkout_details_set,
    checkout_place_orders,
    checkout_reserve,
    delivery_rule_set,
    order_cancel,
    order_complete,
    order_deliver,
    order_mark_paid,
    order_process,
    order_refund,
    order_ship,
    reservations_expire,
)
from tests.factories import StockLocationFactory, UserFactory, revoke_certificate
from tests.factories_orders import offer_in_stock, ready_cart

pytestmark = pytest.mark.django_db


def _code(exc_info):
    return exc_info.value.code, exc_info.value.field


def test_anonymous_cart_lives_in_the_session_and_merges_at_sign_in():
    session = SessionStore()
    honey, _ = offer_in_stock(quantity=10)
    tea, _ = offer_in_stock(quantity=10, name="Chè")
    anonymous = cart_for_request(user=None, session=session)
    assert session["cart_token"] == str(anonymous.token)
    assert cart_for_request(user=None, session=session) == anonymous
    cart_line_add(cart=anonymous, offer=honey, quantity=2)
    cart_line_add(cart=anonymous, offer=tea, quantity=1)
    user = UserFactory()
    own = Cart.objects.create(user=user)
    cart_line_add(cart=own, offer=honey, quantity=3)

    merged = cart_for_request(user=user, session=session)

    assert merged == own
    assert sorted(merged.lines.values_list("offer_id", "quantity")) == sorted(
        [(honey.pk, 5), (tea.pk, 1)]
    )
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    assert "cart_token" not in session


def test_adding_more_than_the_stock_is_refused_and_changes_nothing():
    offer, _ = offer_in_stock(quantity=3)
    cart = Cart.objects.create()
    cart_line_add(cart=cart, offer=offer, quantity=2)
    with pytest.raises(CheckoutError) as exc_info:
        cart_line_add(cart=cart, offer=offer, quantity=2)
    assert _code(exc_info) == ("SOLD_OUT", "quantity")
    product = offer.variant.product.name
    assert str(exc_info.value) == f"Chỉ còn 3 {product} ({offer.variant.name})."
    assert list(cart.lines.values_list("quantity", flat=True)) == [2]


def test_an_offer_not_on_sale_cannot_be_added():
    offer, _ = offer_in_stock()
    offer.status = OfferStatus.PAUSED
    offer.save()
    with pytest.raises(CheckoutError) as exc_info:
        cart_line_add(cart=Cart.objects.create(), offer=offer, quantity=1)
    assert exc_info.value.code == "OFFER_UNAVAILABLE"


def test_contact_and_address_are_validated_and_normalised():
    cart = Cart.objects.create()
    with pytest.raises(CheckoutError) as exc_info:
        checkout_contact_set(cart=cart, email="lan@", phone="0912345678")
    assert _code(exc_info) == ("invalid", "email")
    with pytest.raises(CheckoutError) as exc_info:
        checkout_contact_set(cart=cart, email="lan@example.vn", phone="12345")
    assert _code(exc_info) == ("invalid", "phone")
    checkout_contact_set(cart=cart, email=" Lan@Example.VN ", phone="091 234 5678")
    cart.refresh_from_db()
    assert (cart.email, cart.phone) == ("lan@example.vn", "+84912345678")
    with pytest.raises(CheckoutError) as exc_info:
        checkout_address_set(
            cart=cart, recipient_name="Lan", province=None, commune="Ba Đình", street="12"
        )
    assert _code(exc_info) == ("required", "province")


def test_cart_create_gives_a_signed_in_buyer_their_one_open_cart():
    anonymous = cart_create(user=None)
    assert (anonymous.user, anonymous.status) == (None, CartStatus.OPEN)
    assert cart_create(user=None) != anonymous
    buyer = UserFactory()
    mine = cart_create(user=buyer)
    assert mine.user == buyer
    assert cart_create(user=buyer) == mine
    assert Cart.objects.filter(user=buyer).count() == 1


def _details(cart, deliveries, **given):
    values = {
        "email": "lan@example.vn",
        "phone": "024 3825 1234",
        "note": "Giao giờ hành chính",
        "recipient_name": "Nguyễn Thị Lan",
        "province": None,
        "commune": "",
        "street": "",
        **given,
    }
    return checkout_details_set(cart=cart, deliveries=deliveries, **values)


def test_checkout_details_are_saved_together_or_not_at_all():
    honey, stock = offer_in_stock()
    cart = Cart.objects.create()
    cart_line_add(cart=cart, offer=honey, quantity=1)
    shipping = [DeliveryChoice(honey.seller, DeliveryMethod.SHIPPING)]
    with pytest.raises(CheckoutError) as exc_info:
        _details(cart, shipping, email="lan@", street="12 Phố Đội Cấn")
    # Every refusal in one answer, and the valid inputs were not saved either.
    assert [(e.code, e.field) for e in exc_info.value.errors] == [
        ("invalid", "email"),
        ("required", "province"),
        ("required", "commune"),
    ]
    fresh = Cart.objects.get(pk=cart.pk)
    assert (fresh.phone, fresh.note, fresh.street, fresh.deliveries.count()) == ("", "", "", 0)

    # Everything picked up: no address asked for, the recipient's name kept (normalised).
    pickup = [DeliveryChoice(honey.seller, DeliveryMethod.PICKUP, stock.location)]
    _details(cart, pickup, recipient_name="  Nguyễn   Thị Lan ")
    fresh = Cart.objects.get(pk=cart.pk)
    assert (fresh.email, fresh.phone, fresh.recipient_name, fresh.note) == (
        "lan@example.vn",
        "+842438251234",
        "Nguyễn Thị Lan",
        "Giao giờ hành chính",
    )
    assert fresh.deliveries.get().method == DeliveryMethod.PICKUP


def test_summary_groups_by_seller_with_fee_rules():
    honey, _ = offer_in_stock(price=120_000)
    tea, _ = offer_in_stock(price=90_000, name="Chè")
    delivery_rule_set(
        seller=tea.seller, ships=True, flat_fee=25_000, free_above=150_000, pickup_enabled=True
    )
    cart = ready_cart((honey, 2), (tea, 1))
    summary = checkout_summary(cart=cart)
    assert [(g.seller, g.subtotal, g.shipping_fee) for g in summary.groups] == sorted(
        [(honey.seller, 240_000, 30_000), (tea.seller, 90_000, 25_000)],
        key=lambda row: row[0].pk,
    )
    assert summary.total == 385_000
    cart_line_update(cart=cart, line=cart.lines.get(offer=tea), quantity=2)
    summary = checkout_summary(cart=cart)
    assert {g.seller: g.shipping_fee for g in summary.groups}[tea.seller] == 0


def test_pickup_must_be_at_one_of_the_sellers_places():
    honey, stock = offer_in_stock()
    cart = ready_cart((honey, 1))
    elsewhere = StockLocationFactory()
    with pytest.raises(CheckoutError) as exc_info:
        checkout_delivery_set(
            cart=cart, seller=honey.seller, method="pickup", pickup_location=elsewhere
        )
    assert _code(exc_info) == ("NOT_SELLER_PLACE", "pickup_location")
    checkout_delivery_set(
        cart=cart, seller=honey.seller, method="pickup", pickup_location=stock.location
    )
    (group,) = checkout_summary(cart=cart).groups
    assert (group.delivery_method, group.shipping_fee) == (DeliveryMethod.PICKUP, 0)


def test_a_price_change_is_shown_and_must_be_accepted():
    offer, _ = offer_in_stock(price=120_000)
    cart = ready_cart((offer, 1))
    offer.price = 130_000
    offer.save()
    problems = checkout_summary(cart=cart).problems
    assert [p.code for p in problems] == ["PRICE_CHANGED"]
    assert problems[0].message.endswith("từ 120.000 ₫ thành 130.000 ₫.")
    with pytest.raises(CheckoutError) as exc_info:
        checkout_reserve(cart=cart)
    assert exc_info.value.code == "PRICE_CHANGED"
    assert Reservation.objects.count() == 0
    checkout_accept_prices(cart=cart)
    checkout_reserve(cart=cart)
    assert Reservation.objects.get().quantity == 1


def test_a_lost_certificate_stops_the_checkout():
    offer, _ = offer_in_stock()
    cart = ready_cart((offer, 1))
    certificate = offer.variant.product.certificates.get()
    revoke_certificate(certificate=certificate, ground=RevocationGround.FALSE_DOSSIER)
    assert [p.code for p in checkout_summary(cart=cart).problems] == ["OFFER_UNAVAILABLE"]
    with pytest.raises(CheckoutError) as exc_info:
        checkout_place_orders(cart=cart, payment_method=PaymentMethod.COD, confirmed=True)
    assert exc_info.value.code == "OFFER_UNAVAILABLE"
    assert Order.objects.count() == 0


def test_reservations_hold_stock_from_other_buyers_until_they_expire():
    offer, _stock = offer_in_stock(quantity=2)
    first = ready_cart((offer, 2))
    second = ready_cart((offer, 1))
    checkout_reserve(cart=first)
    with pytest.raises(CheckoutError) as exc_info:
        checkout_reserve(cart=second)
    assert exc_info.value.code == "SOLD_OUT"
    Reservation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    checkout_reserve(cart=second)
    assert reservations_expire() == 1
    assert list(Reservation.objects.values_list("cart_id", "quantity")) == [(second.pk, 1)]


def test_placing_makes_one_order_per_seller_and_takes_the_stock():
    honey, honey_stock = offer_in_stock(quantity=5, price=120_000)
    tea, tea_stock = offer_in_stock(quantity=5, price=90_000, name="Chè")
    buyer = UserFactory()
    cart = ready_cart((honey, 2), (tea, 1), user=buyer)
    checkout_reserve(cart=cart)
    orders = checkout_place_orders(cart=cart, payment_method=PaymentMethod.COD, confirmed=True)
    assert [(o.seller, o.subtotal, o.shipping_fee, o.total, o.status) for o in orders] == sorted(
        [
            (honey.seller, 240_000, 30_000, 270_000, OrderStatus.CONFIRMED),
            (tea.seller, 90_000, 30_000, 120_000, OrderStatus.CONFIRMED),
        ],
        key=lambda row: row[0].pk,
    )
    assert all(o.buyer == buyer and o.number.startswith("DH") for o in orders)
    honey_stock.refresh_from_db()
    tea_stock.refresh_from_db()
    assert (honey_stock.quantity, tea_stock.quantity) == (3, 4)
    cart.refresh_from_db()
    assert cart.status == CartStatus.COMPLETED
    assert Reservation.objects.count() == 0
    with pytest.raises(CheckoutError):
        checkout_place_orders(cart=cart, payment_method=PaymentMethod.COD, confirmed=True)
    assert Order.objects.count() == 2


def test_the_lifecycle_records_who_and_when_and_refuses_skips():
    offer, _stock = offer_in_stock(quantity=5)
    cart = ready_cart((offer, 1))
    (order,) = checkout_place_orders(
        cart=cart, payment_method=PaymentMethod.VIETQR, confirmed=False
    )
    seller_user = UserFactory()
    with pytest.raises(CheckoutError) as exc_info:
        order_ship(order=order, actor=seller_user, carrier="VNPost", tracking_number="EB1")
    assert exc_info.value.code == "INVALID_TRANSITION"
    order = order_mark_paid(order=order)
    order = order_process(order=order, actor=seller_user)
    order = order_ship(order=order, actor=seller_user, carrier="VNPost", tracking_number="EB123VN")
    order = order_deliver(order=order, actor=seller_user)
    order = order_complete(order=order, actor=seller_user)
    assert list(order.events.values_list("from_status", "to_status")) == [
        ("", "awaiting_payment"),
        ("awaiting_payment", "confirmed"),
        ("confirmed", "processing"),
        ("processing", "shipped"),
        ("shipped", "delivered"),
        ("delivered", "completed"),
    ]
    assert OrderEvent.objects.filter(actor=seller_user).count() == 4
    assert (order.carrier, order.tracking_number) == ("VNPost", "EB123VN")


def test_cash_on_delivery_needs_the_cash_collected():
    offer, _ = offer_in_stock()
    (order,) = checkout_place_orders(
        cart=ready_cart((offer, 1)), payment_method=PaymentMethod.COD, confirmed=True
    )
    actor = UserFactory()
    order_process(order=order, actor=actor)
    order_ship(order=order, actor=actor, carrier="GHN", tracking_number="GHN1")
    with pytest.raises(CheckoutError) as exc_info:
        order_deliver(order=order, actor=actor)
    assert _code(exc_info) == ("required", "cod_collected")
    order = order_deliver(order=order, actor=actor, cod_collected=True)
    assert order.status == OrderStatus.DELIVERED and order.cod_collected_at and order.paid_at


def test_cancel_and_refund_return_the_stock_where_it_came_from():
    offer, stock = offer_in_stock(quantity=5)
    second_place = Stock.objects.create(
        offer=offer, location=StockLocationFactory(business=offer.seller), quantity=2
    )
    (order,) = checkout_place_orders(
        cart=ready_cart((offer, 6)), payment_method=PaymentMethod.COD, confirmed=True
    )
    stock.refresh_from_db()
    second_place.refresh_from_db()
    assert (stock.quantity, second_place.quantity) == (0, 1)
    with pytest.raises(CheckoutError):
        order_cancel(order=order, actor=None, reason="")
    order_cancel(order=order, actor=None, reason="Khách đổi ý")
    stock.refresh_from_db()
    second_place.refresh_from_db()
    assert (stock.quantity, second_place.quantity) == (5, 2)

    (order,) = checkout_place_orders(
        cart=ready_cart((offer, 1)), payment_method=PaymentMethod.COD, confirmed=True
    )
    order_refund(order=order, actor=None, reason="Hàng lỗi")
    assert sum(Stock.objects.filter(offer=offer).values_list("quantity", flat=True)) == 7


def test_opposite_line_order_locks_in_the_same_order():
    honey, _ = offer_in_stock(quantity=5)
    tea, _ = offer_in_stock(quantity=5, name="Chè")
    first = ready_cart((honey, 1), (tea, 1))
    second = ready_cart((tea, 1), (honey, 1))
    for cart in (first, second):
        checkout_place_orders(cart=cart, payment_method=PaymentMethod.COD, confirmed=True)
    assert Order.objects.count() == 4
