"""Which offers buyers may see, and why a seller's offer is hidden."""

import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import certificates_in_force
from marketplace.offers.models import Offer, OfferStatus, ResaleAuthorization
from sellers.models import SellerStatus


def resale_authorized(*, product_ref="variant__product", seller_ref="seller") -> Exists:
    return Exists(
        ResaleAuthorization.objects.filter(
            product=OuterRef(product_ref), reseller=OuterRef(seller_ref), revoked_at__isnull=True
        )
    )


def offers_visible(*, today: datetime.date | None = None) -> QuerySet[Offer]:
    """Published offers of active sellers whose product has a certificate in force, sold by the
    holder or by a reseller the holder has authorised. Expiry, revocation, suspension or a
    withdrawn authorisation hide an offer at once because nothing here is cached in a flag."""
    today = today or timezone.localdate()
    return (
        Offer.objects.filter(status=OfferStatus.PUBLISHED, seller__status=SellerStatus.ACTIVE)
        .filter(
            Exists(certificates_in_force(today=today).filter(product=OuterRef("variant__product")))
        )
        .filter(Q(seller=F("variant__product__holder")) | resale_authorized())
    )


def offers_with_stock(queryset: QuerySet[Offer]) -> QuerySet[Offer]:
    return queryset.annotate(stock_total=Coalesce(Sum("stocks__quantity"), 0))


def offer_hidden_reasons(*, offer: Offer, today: datetime.date | None = None) -> list[str]:
    """Why buyers cannot see ``offer`` (empty when they can), in the seller's language."""
    today = today or timezone.localdate()
    reasons = []
    product = offer.variant.product
    if offer.status != OfferStatus.PUBLISHED:
        reasons.append(
            _("The offer is not published (%(status)s).") % {"status": offer.get_status_display()}
        )
    if offer.seller.status != SellerStatus.ACTIVE:
        reasons.append(
            _("Your business is not an active seller (%(status)s).")
            % {"status": offer.seller.get_status_display()}
        )
    certificate = product.certificates.order_by("-valid_from", "-id").first()
    if certificate is None:
        reasons.append(_("The product has no OCOP certificate."))
    else:
        status = certificate.status_on(today)
        if status == "expired":
            reasons.append(
                _("The product's OCOP certificate expired on %(date)s.")
                % {"date": certificate.valid_until.strftime("%d/%m/%Y")}
            )
        elif status == "revoked":
            reasons.append(
                _("The product's OCOP certificate was revoked: %(ground)s.")
                % {"ground": certificate.get_revocation_ground_display()}
            )
        elif (
            status == "superseded"
            and not certificates_in_force(today=today).filter(product=product).exists()
        ):
            reasons.append(_("The product has no OCOP certificate in force."))
    if (
        offer.seller_id != product.holder_id
        and not ResaleAuthorization.objects.filter(
            product=product, reseller=offer.seller_id, revoked_at__isnull=True
        ).exists()
    ):
        reasons.append(_("The product's holder has not authorised you to resell it."))
    return reasons
