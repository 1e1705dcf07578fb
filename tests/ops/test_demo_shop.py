"""The demo shop: after load_demo and load_demo_shop a visitor can buy demo products."""

from io import StringIO

import pytest
from django.core.management import call_command

from marketplace.offers.models import Offer, ResaleAuthorization
from marketplace.offers.selectors import offers_visible
from sellers.models import Business, SellerStatus

pytestmark = pytest.mark.django_db


def test_demo_shop_publishes_visible_offers_once():
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("load_demo_shop", stdout=out)
    assert out.getvalue().splitlines() == [
        "Active demo sellers: 11",
        "Published demo offers: 24",
        "Offers resold by Trung tâm OCOP Hạ Long: 6",
    ]
    counts = (Offer.objects.count(), offers_visible().count(), ResaleAuthorization.objects.count())
    assert counts == (30, 30, 6)
    assert all(o.stocks.get().quantity >= 12 for o in Offer.objects.all())
    centre = Business.objects.get(name="Trung tâm OCOP Hạ Long")
    assert (centre.status, centre.seller_type, centre.is_demo) == (
        SellerStatus.ACTIVE,
        "ocop_centre",
        True,
    )
    call_command("load_demo_shop", stdout=StringIO())
    assert (Offer.objects.count(), ResaleAuthorization.objects.count()) == (30, 6)
