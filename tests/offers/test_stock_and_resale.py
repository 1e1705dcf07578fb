"""Stock per offer × location, stock locations, and resale authorisations."""

import pytest

from marketplace.offers.models import ResaleAuthorization, Stock, StockLocation
from marketplace.offers.services import (
    resale_grant,
    resale_revoke,
    stock_location_create,
    stock_set,
    stock_set_many,
)
from sellers.errors import SellerError
from tests.factories import OfferFactory, StockLocationFactory, province

pytestmark = pytest.mark.django_db


def test_staff_sets_stock_at_an_own_location(market):
    offer = OfferFactory(variant=market.variant)
    location = StockLocationFactory(business=market.holder)
    stock = stock_set(actor=market.staff, offer=offer, location=location, quantity=12)
    assert (stock.offer, stock.location, stock.quantity) == (offer, location, 12)
    stock_set(actor=market.staff, offer=offer, location=location, quantity=0)
    assert list(Stock.objects.values_list("quantity", flat=True)) == [0]


def test_stock_at_a_foreign_location_is_refused(market):
    offer = OfferFactory(variant=market.variant)
    foreign = StockLocationFactory(business=market.reseller)
    with pytest.raises(SellerError) as caught:
        stock_set(actor=market.owner, offer=offer, location=foreign, quantity=5)
    assert (caught.value.code, caught.value.field) == ("permission_denied", "location")
    assert Stock.objects.count() == 0


def test_stock_at_a_closed_location_is_refused(market):
    offer = OfferFactory(variant=market.variant)
    closed = StockLocationFactory(business=market.holder, is_active=False)
    with pytest.raises(SellerError) as caught:
        stock_set(actor=market.owner, offer=offer, location=closed, quantity=5)
    assert (caught.value.code, caught.value.field) == ("invalid_status", "location")
    assert Stock.objects.count() == 0


@pytest.mark.parametrize("quantity", [-1, 1_000_001, 2.5, "7", True])
def test_stock_quantity_must_be_a_whole_number_in_range(market, quantity):
    offer = OfferFactory(variant=market.variant)
    location = StockLocationFactory(business=market.holder)
    with pytest.raises(SellerError) as caught:
        stock_set(actor=market.owner, offer=offer, location=location, quantity=quantity)
    assert (caught.value.code, caught.value.field) == ("out_of_range", "quantity")
    assert Stock.objects.count() == 0


def test_stock_set_many_is_all_or_nothing(market):
    first = OfferFactory(variant=market.variant)
    warehouse = StockLocationFactory(business=market.holder, name="Kho Tiên Yên")
    shop = StockLocationFactory(business=market.holder, name="Cửa hàng Hạ Long")
    foreign = StockLocationFactory(business=market.reseller)
    changed = stock_set_many(
        actor=market.staff,
        business=market.holder,
        entries=[(first, warehouse, 8), (first, shop, 0)],
    )
    assert changed == 1  # the empty shop cell needs no row
    assert list(Stock.objects.values_list("location__name", "quantity")) == [("Kho Tiên Yên", 8)]
    with pytest.raises(SellerError) as caught:
        stock_set_many(
            actor=market.staff,
            business=market.holder,
            entries=[(first, warehouse, 3), (first, foreign, 1)],
        )
    assert caught.value.field == "location"
    assert list(Stock.objects.values_list("location__name", "quantity")) == [("Kho Tiên Yên", 8)]


def test_stock_set_many_refuses_another_sellers_offer(market):
    theirs = OfferFactory(variant=market.variant, seller=market.reseller)
    mine = StockLocationFactory(business=market.holder)
    with pytest.raises(SellerError) as caught:
        stock_set_many(actor=market.owner, business=market.holder, entries=[(theirs, mine, 5)])
    assert (caught.value.code, caught.value.field) == ("permission_denied", "offer")
    assert Stock.objects.count() == 0


def test_stock_location_create(market):
    location = stock_location_create(
        actor=market.manager,
        business=market.holder,
        name="  Điểm bán   OCOP Tiên Yên ",
        kind="point_of_sale",
        province=province("22"),
        street="Số 1 phố Lý Thường Kiệt",
    )
    assert (location.business, location.name, location.kind) == (
        market.holder,
        "Điểm bán OCOP Tiên Yên",
        "point_of_sale",
    )
    with pytest.raises(SellerError) as caught:
        stock_location_create(
            actor=market.manager,
            business=market.holder,
            name="Điểm bán OCOP Tiên Yên",
            province=province("22"),
        )
    assert (caught.value.code, caught.value.field) == ("duplicate", "name")
    with pytest.raises(SellerError) as caught:
        stock_location_create(
            actor=market.manager, business=market.holder, name="x" * 121, province=province("22")
        )
    assert (caught.value.code, caught.value.field) == ("too_long", "name")
    assert StockLocation.objects.count() == 1


def test_staff_cannot_create_a_location(market):
    with pytest.raises(SellerError) as caught:
        stock_location_create(
            actor=market.staff, business=market.holder, name="Kho 2", province=province("22")
        )
    assert caught.value.code == "permission_denied"
    assert StockLocation.objects.count() == 0


def test_resale_grant_is_idempotent_and_revoke_keeps_history(market):
    existing = ResaleAuthorization.objects.get(reseller=market.reseller)
    again = resale_grant(actor=market.owner, product=market.product, reseller=market.reseller)
    assert again.pk == existing.pk
    granted = resale_grant(
        actor=market.manager, product=market.product, reseller=market.other_seller
    )
    assert (granted.reseller, granted.granted_by) == (market.other_seller, market.manager)
    resale_revoke(actor=market.owner, authorization=granted)
    granted.refresh_from_db()
    assert granted.revoked_at is not None
    assert granted.revoked_by == market.owner
    regranted = resale_grant(
        actor=market.owner, product=market.product, reseller=market.other_seller
    )
    assert regranted.pk != granted.pk
    assert ResaleAuthorization.objects.filter(reseller=market.other_seller).count() == 2


def test_the_holder_needs_no_authorisation(market):
    with pytest.raises(SellerError) as caught:
        resale_grant(actor=market.owner, product=market.product, reseller=market.holder)
    assert (caught.value.code, caught.value.field) == ("invalid", "reseller")


def test_a_reseller_cannot_grant_or_revoke(market):
    authorization = ResaleAuthorization.objects.get(reseller=market.reseller)
    with pytest.raises(SellerError):
        resale_grant(
            actor=market.reseller_owner, product=market.product, reseller=market.other_seller
        )
    with pytest.raises(SellerError):
        resale_revoke(actor=market.reseller_owner, authorization=authorization)
    authorization.refresh_from_db()
    assert authorization.revoked_at is None
    assert ResaleAuthorization.objects.count() == 1
