"""What buyers see (offers_visible) and what the seller is told (offer_hidden_reasons)."""

import datetime

import pytest
from django.utils import translation

from catalog.models import Certificate
from catalog.services import certificate_expire_due
from marketplace.offers.models import OfferStatus, ResaleAuthorization
from marketplace.offers.selectors import (
    offer_hidden_reasons,
    offers_for_workspace,
    offers_visible,
)
from marketplace.offers.services import resale_revoke
from sellers.models import SellerStatus
from tests.factories import (
    OfferFactory,
    ProductFactory,
    ProductVariantFactory,
    StockFactory,
    revoke_certificate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(market):
    """The holder's and the reseller's published offers of the same variant."""
    own = OfferFactory(variant=market.variant, status=OfferStatus.PUBLISHED)
    resold = OfferFactory(
        variant=market.variant, seller=market.reseller, status=OfferStatus.PUBLISHED, price=199_000
    )
    return own, resold


def visible_ids():
    return set(offers_visible().values_list("pk", flat=True))


def reasons(offer):
    with translation.override("en"):
        return offer_hidden_reasons(offer=type(offer).objects.get(pk=offer.pk))


def test_both_published_offers_are_visible(published):
    own, resold = published
    assert visible_ids() == {own.pk, resold.pk}
    assert reasons(own) == []
    assert reasons(resold) == []


def test_draft_and_paused_offers_are_hidden(market, published):
    own, resold = published
    draft = OfferFactory(variant=ProductVariantFactory(product=market.product, name="Hũ 250 g"))
    resold.status = OfferStatus.PAUSED
    resold.save()
    assert visible_ids() == {own.pk}
    assert reasons(draft) == ["The offer is not published (Draft)."]
    assert reasons(resold) == ["The offer is not published (Paused)."]


def test_revoking_the_certificate_hides_holder_and_reseller_at_once(market, published):
    own, resold = published
    revoke_certificate(certificate=market.certificate, ground="mark_misuse")
    assert visible_ids() == set()
    expected = ["The product's OCOP certificate was revoked: Misuse of the OCOP mark."]
    assert reasons(own) == expected
    assert reasons(resold) == expected


def test_expiry_hides_holder_and_reseller_even_before_the_daily_job(market, published):
    own, resold = published
    valid_until = market.certificate.valid_until
    day_after = valid_until + datetime.timedelta(days=1)
    assert set(offers_visible(today=valid_until).values_list("pk", flat=True)) == {
        own.pk,
        resold.pk,
    }
    assert offers_visible(today=day_after).count() == 0
    with translation.override("en"):
        expected = [f"The product's OCOP certificate expired on {valid_until:%d/%m/%Y}."]
        assert offer_hidden_reasons(offer=own, today=day_after) == expected
        assert offer_hidden_reasons(offer=resold, today=day_after) == expected


def test_expired_by_the_daily_job_hides_both(market, published):
    Certificate.objects.filter(pk=market.certificate.pk).update(
        valid_from=datetime.date(2022, 7, 1), valid_until=datetime.date(2025, 7, 1)
    )
    assert certificate_expire_due() == 1
    assert visible_ids() == set()
    own, _resold = published
    assert reasons(own) == ["The product's OCOP certificate expired on 01/07/2025."]


def test_suspending_the_seller_hides_all_its_offers(market, published):
    own, resold = published
    second = OfferFactory(
        variant=ProductVariantFactory(product=market.product, name="Hũ 1 kg"),
        status=OfferStatus.PUBLISHED,
    )
    market.holder.status = SellerStatus.SUSPENDED
    market.holder.save()
    assert visible_ids() == {resold.pk}
    assert reasons(own) == ["Your business is not an active seller (Suspended)."]
    assert reasons(second) == ["Your business is not an active seller (Suspended)."]


def test_revoking_the_resale_authorisation_hides_only_the_resellers_offer(market, published):
    own, resold = published
    authorization = ResaleAuthorization.objects.get(
        product=market.product, reseller=market.reseller
    )
    resale_revoke(actor=market.owner, authorization=authorization)
    assert visible_ids() == {own.pk}
    assert reasons(resold) == ["The product's holder has not authorised you to resell it."]
    assert reasons(own) == []


def test_product_without_certificate_is_hidden(market):
    offer = OfferFactory(
        variant=ProductVariantFactory(product=ProductFactory(holder=market.holder)),
        status=OfferStatus.PUBLISHED,
    )
    assert visible_ids() == set()
    assert reasons(offer) == ["The product has no OCOP certificate."]


def test_several_reasons_are_all_given(market, published):
    _own, resold = published
    resold.status = OfferStatus.DRAFT
    resold.save()
    market.reseller.status = SellerStatus.SUSPENDED
    market.reseller.save()
    revoke_certificate(certificate=market.certificate, ground="stopped_production")
    ResaleAuthorization.objects.update(revoked_at=market.certificate.status_changed_at)
    assert reasons(resold) == [
        "The offer is not published (Draft).",
        "Your business is not an active seller (Suspended).",
        "The product's OCOP certificate was revoked: The producer stopped producing.",
        "The product's holder has not authorised you to resell it.",
    ]


def test_workspace_rows_agree_with_offers_visible_and_reasons(market, published, django_queries):
    own, resold = published
    StockFactory(offer=own, quantity=3)
    StockFactory(offer=own, quantity=4)
    revoke_certificate(certificate=market.certificate, ground="mark_misuse")
    with django_queries(2):
        rows = list(offers_for_workspace(business=market.holder))
        with translation.override("en"):
            row_reasons = [offer_hidden_reasons(offer=row) for row in rows]
    assert [(r.pk, r.is_visible, r.stock_total) for r in rows] == [(own.pk, False, 7)]
    assert row_reasons == [["The product's OCOP certificate was revoked: Misuse of the OCOP mark."]]
    with django_queries(2):
        rows = list(offers_for_workspace(business=market.reseller))
        with translation.override("en"):
            row_reasons = [offer_hidden_reasons(offer=row) for row in rows]
    assert [(r.pk, r.is_visible, r.stock_total, r.resale_ok) for r in rows] == [
        (resold.pk, False, 0, True)
    ]
    assert row_reasons == [["The product's OCOP certificate was revoked: Misuse of the OCOP mark."]]
