"""Which offers buyers may see, and why a seller's offer is hidden."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Certificate, CertificateStatus, Product, ProductVariant
from catalog.rules import ReevaluationWindow
from catalog.selectors import certificates_in_force, reevaluation_window
from core.text import fold
from marketplace.offers.models import (
    Offer,
    OfferStatus,
    ResaleAuthorization,
    Stock,
    StockLocation,
)
from sellers.models import Business, SellerStatus


def stock_locations_usable(*, today: datetime.date | None = None, prefix: str = "") -> Q:
    """Stock locations whose stock may be sold and handed over ``today``: active, and ``today``
    inside the availability window when it has one (a fair booth, for the fair's days).
    ``prefix``: the path to the location from the queried model (``"location__"`` on Stock)."""
    today = today or timezone.localdate()
    return (
        Q(**{f"{prefix}is_active": True})
        & (
            Q(**{f"{prefix}available_from__isnull": True})
            | Q(**{f"{prefix}available_from__lte": today})
        )
        & (
            Q(**{f"{prefix}available_until__isnull": True})
            | Q(**{f"{prefix}available_until__gte": today})
        )
    )


def stock_location_usable(location: StockLocation, *, today: datetime.date | None = None) -> bool:
    """``stock_locations_usable`` for a row already loaded (the same rule, no query)."""
    today = today or timezone.localdate()
    return (
        location.is_active
        and (location.available_from is None or location.available_from <= today)
        and (location.available_until is None or today <= location.available_until)
    )


def offer_stocked(*, today: datetime.date | None = None) -> Exists:
    """Whether the outer offer has units to sell ``today``: a stock row above zero at a location
    usable that day (``stock_locations_usable``: a fair booth's units count on the fair's days
    only). The one "in stock" every reader uses: cards, the in-stock filter, search documents,
    the API."""
    return Exists(
        Stock.objects.filter(
            stock_locations_usable(today=today, prefix="location__"),
            offer=OuterRef("pk"),
            quantity__gt=0,
        )
    )


def resale_authorized(*, product_ref="variant__product", seller_ref="seller") -> Exists:
    return Exists(
        ResaleAuthorization.objects.filter(
            product=OuterRef(product_ref), reseller=OuterRef(seller_ref), revoked_at__isnull=True
        )
    )


def offers_visible(
    *, today: datetime.date | None = None, product_ids: list[int] | None = None
) -> QuerySet[Offer]:
    """Published offers of active sellers whose product has a certificate in force, sold by the
    holder or by a reseller the holder has authorised. Expiry, revocation, suspension or a
    withdrawn authorisation hide an offer at once because nothing here is cached in a flag.

    ``product_ids`` narrows to the offers of those products (a page of them), the certificate
    test included, so PostgreSQL probes their certificates instead of hashing every one."""
    today = today or timezone.localdate()
    in_force = certificates_in_force(today=today)
    offers = Offer.objects.all()
    if product_ids is not None:
        in_force = in_force.filter(product__in=product_ids)
        offers = offers.filter(variant__product__in=product_ids)
    # The reseller's live authorisation is a LEFT JOIN, not an EXISTS beside the holder test:
    # PostgreSQL turns "holder OR EXISTS" into a hash of every live authorisation and every
    # product however few offers are asked for (≈ 25 ms for a page at 20,000 products), while
    # the join probes the authorisation's index per offer. At most one live authorisation per
    # product and reseller (``one_live_resale_authorization``), so the join never repeats an
    # offer.
    return (
        offers.filter(status=OfferStatus.PUBLISHED, seller__status=SellerStatus.ACTIVE)
        .filter(Exists(in_force.filter(product=OuterRef("variant__product"))))
        .annotate(
            live_resale=FilteredRelation(
                "variant__product__resale_authorizations",
                condition=Q(
                    variant__product__resale_authorizations__reseller=F("seller"),
                    variant__product__resale_authorizations__revoked_at__isnull=True,
                ),
            )
        )
        .filter(Q(seller=F("variant__product__holder")) | Q(live_resale__isnull=False))
    )


def offers_with_stock(queryset: QuerySet[Offer]) -> QuerySet[Offer]:
    """``stock_total``: units on hand across the offer's locations usable today (0 without
    stock rows): a fair booth's count only on the fair's days, as checkout does
    (``stock_locations_usable``).

    A subquery per offer rather than ``Sum`` over a join: the join made PostgreSQL group every
    selected column (the seller's, the pack's…) to sum a few stock rows."""
    total = (
        Stock.objects.filter(stock_locations_usable(prefix="location__"), offer=OuterRef("pk"))
        .order_by()  # Stock's default ordering would join offers and locations for nothing
        .values("offer")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return queryset.annotate(stock_total=Coalesce(Subquery(total), 0))


def _latest_certificate(product):
    """The product's latest certificate, from the prefetch cache when the caller shaped the
    queryset (workspace lists), so a page of offers costs no query per row."""
    cache = getattr(product, "_prefetched_objects_cache", {})
    if "certificates" in cache:
        certificates = sorted(
            cache["certificates"], key=lambda c: (c.valid_from, c.pk), reverse=True
        )
        return certificates[0] if certificates else None, certificates
    certificate = product.certificates.order_by("-valid_from", "-id").first()
    return certificate, None


def offer_hidden_reasons(*, offer: Offer, today: datetime.date | None = None) -> list[str]:
    """Why buyers cannot see ``offer`` (empty when they can), in the seller's language.

    Mirrors ``offers_visible`` rule by rule. Offers from ``offers_for_workspace`` carry what it
    needs (certificates prefetched, ``resale_ok`` annotated); others are queried.
    """
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
    certificate, prefetched = _latest_certificate(product)
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
        elif status == "superseded":
            if prefetched is not None:
                in_force = any(c.status_on(today) == "active" for c in prefetched)
            else:
                in_force = certificates_in_force(today=today).filter(product=product).exists()
            if not in_force:
                reasons.append(_("The product has no OCOP certificate in force."))
    if offer.seller_id != product.holder_id:
        authorised = getattr(offer, "resale_ok", None)
        if authorised is None:
            authorised = ResaleAuthorization.objects.filter(
                product=product, reseller=offer.seller_id, revoked_at__isnull=True
            ).exists()
        if not authorised:
            reasons.append(_("The product's holder has not authorised you to resell it."))
    return reasons


# --- the seller workspace ------------------------------------------------------------------------

LOW_STOCK_THRESHOLD = 5


def offers_for_workspace(
    *, business: Business, status: str = "", today: datetime.date | None = None
) -> QuerySet[Offer]:
    """``business``'s own offers shaped for a page: product and holder joined, ``stock_total``,
    ``is_visible`` and ``resale_ok`` annotated, certificates prefetched, so listing them and
    their hidden reasons costs two queries whatever the number of offers."""
    today = today or timezone.localdate()
    offers = Offer.objects.filter(seller=business)
    if status:
        offers = offers.filter(status=status)
    # A subquery rather than Sum over a join: it cannot multiply with other joins or need a
    # GROUP BY over the annotations below.
    stock_total = (
        Stock.objects.filter(offer=OuterRef("pk"))
        .order_by()  # Stock's default ordering would join offers and locations for nothing
        .values("offer")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return (
        offers.select_related("seller", "variant__product__holder")
        .annotate(
            stock_total=Coalesce(Subquery(stock_total), 0),
            is_visible=Exists(offers_visible(today=today).filter(pk=OuterRef("pk"))),
            resale_ok=resale_authorized(),
        )
        .prefetch_related(
            Prefetch(
                "variant__product__certificates",
                queryset=Certificate.objects.order_by("-valid_from", "-id"),
            )
        )
        .order_by("variant__product__name", "variant__position", "variant__id", "id")
    )


def offers_low_stock(
    *, business: Business, threshold: int = LOW_STOCK_THRESHOLD
) -> QuerySet[Offer]:
    """Published offers with ``threshold`` units or fewer across all locations."""
    return offers_for_workspace(business=business, status=OfferStatus.PUBLISHED).filter(
        stock_total__lte=threshold
    )


@dataclass(frozen=True)
class CertificateWarning:
    product: Product
    certificate: Certificate
    kind: str  # "expiring", "expired" or "revoked"
    days_left: int | None
    in_reevaluation_window: bool
    window: ReevaluationWindow | None = None


def certificate_warnings(
    *, business: Business, today: datetime.date | None = None
) -> list[CertificateWarning]:
    """Certificates of the products ``business`` holds that need its attention: revoked,
    expired, or expiring before the re-evaluation window closes (flagged while the window —
    180→120 days under the current framework's data — is open, when the dossier for renewal is
    due). Three queries."""
    today = today or timezone.localdate()
    window = reevaluation_window(today=today)
    products = Product.objects.filter(holder=business).prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.order_by("-valid_from", "-id"))
    )
    warnings = []
    for product in products:
        certificates = list(product.certificates.all())
        if not certificates:
            continue
        latest = certificates[0]
        status = latest.status_on(today)
        if status == CertificateStatus.REVOKED:
            warnings.append(CertificateWarning(product, latest, "revoked", None, False))
        elif status == CertificateStatus.EXPIRED:
            warnings.append(CertificateWarning(product, latest, "expired", None, False))
        elif status == CertificateStatus.ACTIVE:
            days_left = (latest.valid_until - today).days
            if days_left <= window.from_days:
                warnings.append(
                    CertificateWarning(
                        product, latest, "expiring", days_left, window.contains(days_left), window
                    )
                )
    order = {"revoked": 0, "expired": 1, "expiring": 2}
    warnings.sort(key=lambda w: (order[w.kind], w.days_left or 0, w.product.name))
    return warnings


def stock_grid(*, business: Business) -> tuple[list[Offer], list[StockLocation], dict]:
    """The stock editor's rows (offers), columns (active locations, and closed ones still
    holding units) and cells
    ``{(offer_id, location_id): quantity}``; three queries."""
    offers = list(
        Offer.objects.filter(seller=business)
        .select_related("variant__product")
        .order_by("variant__product__name", "variant__position", "variant__id", "id")
    )
    # A closed location still holding units stays (a released fair booth's), for the seller
    # to take them out (``stock_set_many`` lets a closed location's cells only go down).
    locations = list(
        StockLocation.objects.filter(business=business)
        .filter(Q(is_active=True) | Q(stocks__quantity__gt=0))
        .distinct()
    )
    cells = {
        (offer_id, location_id): quantity
        for offer_id, location_id, quantity in Stock.objects.filter(
            offer__seller=business
        ).values_list("offer_id", "location_id", "quantity")
    }
    return offers, locations, cells


def resellable_variants(*, business: Business) -> QuerySet[ProductVariant]:
    """Variants ``business`` may offer: of products it holds or is authorised to resell, and
    not offered by it yet."""
    authorised = ResaleAuthorization.objects.filter(
        product=OuterRef("product"), reseller=business, revoked_at__isnull=True
    )
    return (
        ProductVariant.objects.filter(Q(product__holder=business) | Exists(authorised))
        .exclude(offers__seller=business)
        .select_related("product")
        .order_by("product__name", "position", "id")
    )


def resale_authorizations_live(*, business: Business) -> QuerySet[ResaleAuthorization]:
    """Live authorisations ``business`` granted, as the holder of the products."""
    return ResaleAuthorization.objects.filter(
        product__holder=business, revoked_at__isnull=True
    ).select_related("reseller", "product")


def resale_authorizations_received(*, business: Business) -> QuerySet[ResaleAuthorization]:
    return ResaleAuthorization.objects.filter(
        reseller=business, revoked_at__isnull=True
    ).select_related("product__holder")


def resale_candidates(*, query: str, holder: Business, limit: int = 10) -> list[Business]:
    """Active businesses matching a tax code (exactly, dashes and spaces ignored) or a name
    (diacritics folded, every word), other than ``holder``: who the holder may authorise."""
    text = fold(query)
    if not text:
        return []
    candidates = Business.objects.filter(status=SellerStatus.ACTIVE).exclude(pk=holder.pk)
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits and len(digits) >= 10 and not any(ch.isalpha() for ch in text):
        by_code = [
            business
            for business in candidates.filter(tax_code__startswith=digits[:10])
            if "".join(ch for ch in business.tax_code if ch.isdigit()) == digits
        ]
        return by_code[:limit]
    for word in text.split():
        candidates = candidates.filter(name_folded__contains=word)
    return list(candidates.order_by("name", "id")[:limit])
