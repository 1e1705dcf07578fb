"""The demo shop: after load_demo and load_demo_shop a visitor can buy demo products."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from marketplace.offers.models import Offer, ResaleAuthorization, Stock
from marketplace.offers.selectors import offers_visible
from sellers.models import Business, SellerStatus

pytestmark = pytest.mark.django_db


def test_demo_shop_publishes_visible_offers_once():
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("load_demo_shop", stdout=out)
    assert out.getvalue().splitlines()[:3] == [
        "Active demo sellers: 11",
        "Published demo offers: 24",
        "Offers resold by Trung tâm OCOP Hạ Long: 6",
    ]
    # The demo points of sale (marketplace.places, tests/places/test_demo.py) add two more
    # resellers and stock at their points: 17 offers and 17 authorisations.
    counts = (Offer.objects.count(), offers_visible().count(), ResaleAuthorization.objects.count())
    assert counts == (47, 47, 23)
    # The demo fairs (tests/fairs/test_demo.py) add 12 units at each of the summer fair's 4
    # assigned booths.
    shop_stock = Stock.objects.filter(location__point_of_sale__isnull=True)
    assert all(stock.quantity >= 12 for stock in shop_stock)
    assert shop_stock.count() == 34
    assert shop_stock.filter(location__kind="booth").count() == 4
    centre = Business.objects.get(name="Trung tâm OCOP Hạ Long")
    assert (centre.status, centre.seller_type, centre.is_demo) == (
        SellerStatus.ACTIVE,
        "ocop_centre",
        True,
    )
    call_command("load_demo_shop", stdout=StringIO())
    assert (Offer.objects.count(), ResaleAuthorization.objects.count()) == (47, 23)


def test_demo_prices_follow_pack_size():
    """A 1 kg jar never costs less than a 500 g jar of the same product: each pack's price is the
    product's unit price times its net quantity (the first run found a 1 kg jar cheaper)."""
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo_shop", stdout=StringIO())
    per_base = {"g": 1000, "kg": 1, "ml": 1000, "l": 1}
    by_product: dict[tuple[int, str], list[tuple[float, int]]] = {}
    for offer in Offer.objects.filter(seller=F("variant__product__holder")).select_related(
        "variant"
    ):
        variant = offer.variant
        if variant.net_quantity and variant.unit in per_base:
            base = "mass" if variant.unit in ("g", "kg") else "volume"
            size = float(variant.net_quantity) / per_base[variant.unit]
            by_product.setdefault((variant.product_id, base), []).append((size, offer.price))
    several = [sorted(packs) for packs in by_product.values() if len(packs) > 1]
    assert several, "the demo catalogue has products with several packs"
    for packs in several:
        prices = [price for _size, price in packs]
        assert prices == sorted(prices) and len(set(prices)) == len(prices), packs
        (small_size, small_price), (large_size, large_price) = packs[0], packs[-1]
        # Same unit price, up to rounding to 1,000 đ.
        assert abs(large_price / large_size - small_price / small_size) <= 1_000 / small_size
