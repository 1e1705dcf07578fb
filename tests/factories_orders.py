"""Carts ready to check out: certified products on sale with stock, a buyer's details filled in."""

import itertools

from marketplace.orders.models import Cart
from marketplace.orders.services import (
    cart_line_add,
    checkout_address_set,
    checkout_contact_set,
)
from sellers.models import SellerStatus
from tests.factories import BusinessFactory, StockFactory, province, selling_product

_serial = itertools.count(1)


def offer_in_stock(*, quantity: int = 10, price: int = 120_000, name: str = "Mật ong", holder=None):
    holder = holder or BusinessFactory(status=SellerStatus.ACTIVE)
    # Product slugs are unique: a second "Mật ong" in one test gets its own.
    n = next(_serial)
    slug_name = name if n == 1 else f"{name} {n}"
    _product, _certificate, (offer,) = selling_product(holder=holder, name=slug_name)
    offer.price = price
    offer.save(update_fields=["price"])
    stock = StockFactory(offer=offer, quantity=quantity)
    return offer, stock


def ready_cart(*offers_and_quantities, user=None) -> Cart:
    cart = Cart.objects.create(user=user)
    for offer, quantity in offers_and_quantities:
        cart_line_add(cart=cart, offer=offer, quantity=quantity)
    checkout_contact_set(cart=cart, email="lan@example.vn", phone="0912 345 678")
    checkout_address_set(
        cart=cart,
        recipient_name="Nguyễn Thị Lan",
        province=province("01"),
        commune="Phường Ba Đình",
        street="12 Phố Đội Cấn",
    )
    return cart
