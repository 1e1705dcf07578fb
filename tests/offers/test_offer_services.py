"""Offer services: create, update, publish, pause, delete, and the rules each enforces."""

import datetime
from decimal import Decimal

import pytest

from catalog.models import Certificate
from marketplace.offers.models import Offer, OfferStatus
from marketplace.offers.services import (
    offer_create,
    offer_delete,
    offer_pause,
    offer_publish,
    offer_update,
)
from sellers.errors import SellerError
from sellers.models import SellerStatus
from tests.factories import (
    OfferFactory,
    ProductFactory,
    ProductVariantFactory,
    StockFactory,
    revoke_certificate,
)

pytestmark = pytest.mark.django_db


# --- create ------------------------------------------------------------------------------------


def test_holder_creates_a_draft_offer(market):
    offer = offer_create(
        actor=market.manager, seller=market.holder, variant=market.variant, price=185_000
    )
    assert (offer.seller, offer.variant, offer.price, offer.compare_at_price) == (
        market.holder,
        market.variant,
        185_000,
        None,
    )
    assert offer.status == OfferStatus.DRAFT
    assert offer.published_at is None


@pytest.mark.parametrize("price", [1_000, 1_000_000_000])
def test_price_bounds_are_inclusive(market, price):
    offer = offer_create(
        actor=market.owner, seller=market.holder, variant=market.variant, price=price
    )
    assert offer.price == price


@pytest.mark.parametrize("price", [999, 1_000_000_001, 0, -5_000])
def test_price_out_of_range_is_refused(market, price):
    with pytest.raises(SellerError) as caught:
        offer_create(actor=market.owner, seller=market.holder, variant=market.variant, price=price)
    assert (caught.value.code, caught.value.field) == ("out_of_range", "price")
    # Vietnamese is the default language.
    assert str(caught.value.message) == "Giá phải từ 1.000 ₫ đến 1.000.000.000 ₫."
    assert Offer.objects.count() == 0


@pytest.mark.parametrize("price", [1500.0, Decimal("1500"), "150000", True, None])
def test_price_must_be_whole_dong(market, price):
    with pytest.raises(SellerError) as caught:
        offer_create(actor=market.owner, seller=market.holder, variant=market.variant, price=price)
    assert (caught.value.code, caught.value.field) == ("invalid", "price")
    assert Offer.objects.count() == 0


@pytest.mark.parametrize("compare_at", [150_000, 149_000])
def test_compare_at_price_must_be_higher(market, compare_at):
    with pytest.raises(SellerError) as caught:
        offer_create(
            actor=market.owner,
            seller=market.holder,
            variant=market.variant,
            price=150_000,
            compare_at_price=compare_at,
        )
    assert (caught.value.code, caught.value.field) == ("invalid", "compare_at_price")
    assert Offer.objects.count() == 0


def test_compare_at_price_higher_is_kept(market):
    offer = offer_create(
        actor=market.owner,
        seller=market.holder,
        variant=market.variant,
        price=150_000,
        compare_at_price=150_001,
    )
    assert offer.compare_at_price == 150_001


def test_second_offer_for_the_same_variant_is_refused(market):
    offer_create(actor=market.owner, seller=market.holder, variant=market.variant, price=150_000)
    with pytest.raises(SellerError) as caught:
        offer_create(
            actor=market.owner, seller=market.holder, variant=market.variant, price=160_000
        )
    assert (caught.value.code, caught.value.field) == ("duplicate", "variant")
    assert Offer.objects.count() == 1


def test_authorised_reseller_creates_an_offer(market):
    offer = offer_create(
        actor=market.reseller_owner, seller=market.reseller, variant=market.variant, price=199_000
    )
    assert offer.seller == market.reseller


def test_unauthorised_seller_cannot_offer_someone_elses_product(market):
    with pytest.raises(SellerError) as caught:
        offer_create(
            actor=market.other_owner,
            seller=market.other_seller,
            variant=market.variant,
            price=199_000,
        )
    assert (caught.value.code, caught.value.field) == ("permission_denied", "variant")
    assert Offer.objects.count() == 0


# --- update ------------------------------------------------------------------------------------


def test_update_changes_price_and_compare_at(market):
    offer = OfferFactory(variant=market.variant, price=150_000)
    offer_update(actor=market.manager, offer=offer, price=140_000, compare_at_price=160_000)
    offer.refresh_from_db()
    assert (offer.price, offer.compare_at_price) == (140_000, 160_000)
    offer_update(actor=market.manager, offer=offer, clear_compare_at=True)
    offer.refresh_from_db()
    assert (offer.price, offer.compare_at_price) == (140_000, None)


@pytest.mark.parametrize("price", [999, 1_000_000_001, 12.5])
def test_update_refuses_bad_prices_and_changes_nothing(market, price):
    offer = OfferFactory(variant=market.variant, price=150_000)
    with pytest.raises(SellerError) as caught:
        offer_update(actor=market.owner, offer=offer, price=price)
    assert caught.value.field == "price"
    offer.refresh_from_db()
    assert offer.price == 150_000


def test_update_price_above_existing_compare_at_is_refused(market):
    offer = OfferFactory(variant=market.variant, price=150_000, compare_at_price=170_000)
    with pytest.raises(SellerError) as caught:
        offer_update(actor=market.owner, offer=offer, price=170_000)
    assert (caught.value.code, caught.value.field) == ("invalid", "compare_at_price")
    offer.refresh_from_db()
    assert (offer.price, offer.compare_at_price) == (150_000, 170_000)


# --- publish -----------------------------------------------------------------------------------


def test_publish_sets_status_and_date(market):
    offer = OfferFactory(variant=market.variant)
    offer_publish(actor=market.owner, offer=offer)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.published_at is not None


@pytest.mark.parametrize(
    "status", [SellerStatus.UNCLAIMED, SellerStatus.CLAIMED, SellerStatus.VERIFIED,
               SellerStatus.SUSPENDED],
)  # fmt: skip
def test_publish_refused_for_a_seller_that_is_not_active(market, status):
    market.holder.status = status
    market.holder.save()
    offer = OfferFactory(variant=market.variant)
    with pytest.raises(SellerError) as caught:
        offer_publish(actor=market.owner, offer=offer)
    assert (caught.value.code, caught.value.field) == ("invalid_status", "seller")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


def test_publish_refused_without_a_certificate(market):
    uncertified = ProductFactory(holder=market.holder)
    offer = OfferFactory(variant=ProductVariantFactory(product=uncertified))
    with pytest.raises(SellerError) as caught:
        offer_publish(actor=market.owner, offer=offer)
    assert caught.value.code == "not_certified"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


def test_publish_refused_with_a_revoked_certificate(market):
    revoke_certificate(certificate=market.certificate, ground="mark_misuse")
    offer = OfferFactory(variant=market.variant)
    with pytest.raises(SellerError) as caught:
        offer_publish(actor=market.owner, offer=offer)
    assert caught.value.code == "not_certified"
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.DRAFT


def test_publish_refused_with_an_expired_certificate(market):
    # Past its date but not yet recorded as expired by the daily job: still refused.
    Certificate.objects.filter(pk=market.certificate.pk).update(
        valid_from=datetime.date(2022, 7, 1), valid_until=datetime.date(2025, 7, 1)
    )
    offer = OfferFactory(variant=market.variant)
    with pytest.raises(SellerError) as caught:
        offer_publish(actor=market.owner, offer=offer)
    assert caught.value.code == "not_certified"


def test_publish_refused_for_a_reseller_whose_authorisation_was_revoked(market):
    offer = OfferFactory(variant=market.variant, seller=market.reseller)
    from marketplace.offers.models import ResaleAuthorization
    from marketplace.offers.services import resale_revoke

    resale_revoke(
        actor=market.owner, authorization=ResaleAuthorization.objects.get(reseller=market.reseller)
    )
    with pytest.raises(SellerError) as caught:
        offer_publish(actor=market.reseller_owner, offer=offer)
    assert (caught.value.code, caught.value.field) == ("permission_denied", "offer")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


def test_authorised_reseller_publishes(market):
    offer = OfferFactory(variant=market.variant, seller=market.reseller)
    offer_publish(actor=market.reseller_owner, offer=offer)
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PUBLISHED


def test_republishing_keeps_the_first_publication_date(market):
    offer = OfferFactory(variant=market.variant)
    offer_publish(actor=market.owner, offer=offer)
    first = Offer.objects.get(pk=offer.pk).published_at
    offer_pause(actor=market.owner, offer=offer)
    offer_publish(actor=market.owner, offer=offer)
    assert Offer.objects.get(pk=offer.pk).published_at == first


# --- pause and delete --------------------------------------------------------------------------


def test_pause_only_a_published_offer(market):
    offer = OfferFactory(variant=market.variant)
    with pytest.raises(SellerError) as caught:
        offer_pause(actor=market.owner, offer=offer)
    assert caught.value.code == "invalid_status"
    offer_publish(actor=market.owner, offer=offer)
    offer_pause(actor=market.owner, offer=offer)
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PAUSED


def test_delete_refused_while_published_then_allowed_when_paused(market):
    offer = OfferFactory(variant=market.variant)
    StockFactory(offer=offer, quantity=4)
    offer_publish(actor=market.owner, offer=offer)
    with pytest.raises(SellerError) as caught:
        offer_delete(actor=market.owner, offer=offer)
    assert caught.value.code == "invalid_status"
    assert Offer.objects.filter(pk=offer.pk).exists()
    offer_pause(actor=market.owner, offer=offer)
    offer_delete(actor=market.owner, offer=offer)
    assert not Offer.objects.filter(pk=offer.pk).exists()
