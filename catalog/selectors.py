"""Reads over the OCOP registry, shared by pages, GraphQL and commands."""

import datetime

from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from catalog.models import (
    Certificate,
    CertificateStatus,
    Evaluation,
    EvaluationChoice,
    EvaluationPart,
    Framework,
    Product,
    ProductCategory,
    ProductPhoto,
    ProductVariant,
)
from core.search import STATUS_ANY, SearchFilters, search_backend

REEVALUATION_WINDOW_START_DAYS = 180
REEVALUATION_WINDOW_END_DAYS = 120


def certificates_in_force(*, today: datetime.date | None = None) -> QuerySet[Certificate]:
    """Active and not past validity, whether or not the daily expiry job has run yet."""
    today = today or timezone.localdate()
    return Certificate.objects.filter(status=CertificateStatus.ACTIVE, valid_until__gte=today)


def products_certified_count(*, today: datetime.date | None = None) -> int:
    """How many products ``product_list()`` lists unfiltered: those with a certificate in force.
    Counted on the certificates alone, which is exact because a product has at most one active
    certificate (``one_active_certificate_per_product``) and a fraction of the product join's
    cost at 20,000 products."""
    return certificates_in_force(today=today).count()


def product_list(
    *,
    text: str = "",
    province_slug: str = "",
    stars: int | None = None,
    product_set: int | None = None,
    category_slug: str = "",
    certificate_status: str = "",
    certified_only: bool = True,
    today: datetime.date | None = None,
) -> QuerySet[Product]:
    """Products filtered as on the storefront and in the API.

    ``certified_only`` keeps products with a certificate in force (what the public sees); a
    ``certificate_status`` filter looks at the product's latest certificate instead.
    ``current_certificate_id`` and ``current_stars`` are annotated so a page of products needs
    no per-row query; ``latest_certificate_id`` too when filtering on ``certificate_status``.
    """
    today = today or timezone.localdate()
    latest = Certificate.objects.filter(product=OuterRef("pk")).order_by("-valid_from", "-id")
    # A product has at most one active certificate (a database constraint), so the one in force
    # is a plain LEFT JOIN: sorting 20,000 products by its stars is a hash join, not 20,000
    # correlated subqueries.
    qs = Product.objects.annotate(
        certificate_in_force=FilteredRelation(
            "certificates",
            condition=Q(
                certificates__status=CertificateStatus.ACTIVE, certificates__valid_until__gte=today
            ),
        )
    ).annotate(
        current_certificate_id=F("certificate_in_force__id"),
        current_stars=F("certificate_in_force__stars"),
    )
    if certified_only and not certificate_status:
        # On the annotation, not ``certificate_in_force__isnull``: that would join the
        # certificates a second time.
        qs = qs.filter(current_certificate_id__isnull=False)
    if certificate_status:
        # Only this filter needs the latest certificate; a correlated subquery per product
        # is too dear to compute for lists that never read it.
        qs = qs.annotate(latest_certificate_id=Subquery(latest.values("pk")[:1]))
        status_match = Certificate.objects.filter(pk=OuterRef("latest_certificate_id"))
        if certificate_status == CertificateStatus.EXPIRED:
            status_match = status_match.filter(
                Q(status=CertificateStatus.EXPIRED)
                | Q(status=CertificateStatus.ACTIVE, valid_until__lt=today)
            )
        elif certificate_status == CertificateStatus.ACTIVE:
            status_match = status_match.filter(
                status=CertificateStatus.ACTIVE, valid_until__gte=today
            )
        else:
            status_match = status_match.filter(status=certificate_status)
        qs = qs.filter(Exists(status_match))
    if text:
        # Matched by the search backend (core.search): diacritics, typos, synonyms, places and
        # producers, the same as /tim-kiem/.
        qs = qs.filter(
            pk__in=search_backend().product_ids(
                query=text, filters=SearchFilters(status=STATUS_ANY), today=today, ranked=False
            )
        )
    if province_slug:
        qs = qs.filter(holder__province__slug=province_slug)
    if stars:
        qs = qs.filter(current_stars=stars)
    if product_set:
        qs = qs.filter(product_set__number=product_set)
    if category_slug:
        qs = qs.filter(product_set__category__slug=category_slug)
    return qs


def product_list_for_display(*, queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Shape a product queryset so a page of it costs a fixed number of queries: holder and
    province joined, the certificates in force with their evaluation, parts and decision
    prefetched into ``current_certificates``."""
    today = timezone.localdate()
    return queryset.select_related("holder__province", "product_set__category").prefetch_related(
        Prefetch(
            "certificates",
            queryset=certificates_in_force(today=today)
            .select_related("decision", "evaluation__framework")
            .prefetch_related(
                Prefetch(
                    "evaluation__parts", queryset=EvaluationPart.objects.select_related("part")
                )
            ),
            to_attr="current_certificates",
        )
    )


def evaluation_history(*, product: Product) -> QuerySet[Evaluation]:
    return (
        Evaluation.objects.filter(product=product)
        .select_related("framework", "decision", "certificate")
        .prefetch_related(
            Prefetch("parts", queryset=EvaluationPart.objects.select_related("part")),
            Prefetch(
                "choices",
                queryset=EvaluationChoice.objects.select_related("criterion__group", "option"),
            ),
        )
        .order_by("-evaluated_on", "-id")
    )


def certificates_entering_reevaluation(
    *, today: datetime.date | None = None
) -> QuerySet[Certificate]:
    """Active certificates whose re-evaluation dossier is due: 180 to 120 days before expiry."""
    today = today or timezone.localdate()
    return (
        certificates_in_force(today=today)
        .filter(
            valid_until__gte=today + datetime.timedelta(days=REEVALUATION_WINDOW_END_DAYS),
            valid_until__lte=today + datetime.timedelta(days=REEVALUATION_WINDOW_START_DAYS),
        )
        .select_related("product__holder", "decision")
    )


RECENTLY_EXPIRED_DAYS = 30


def certificates_recently_expired(
    *, today: datetime.date | None = None, days: int = RECENTLY_EXPIRED_DAYS
) -> QuerySet[Certificate]:
    """Certificates whose validity ran out in the last ``days`` days (not revoked or superseded),
    whether or not the daily expiry job has recorded them yet."""
    today = today or timezone.localdate()
    return Certificate.objects.filter(
        status__in=[CertificateStatus.ACTIVE, CertificateStatus.EXPIRED],
        valid_until__lt=today,
        valid_until__gte=today - datetime.timedelta(days=days),
    ).select_related("product__holder", "decision")


def product_page(*, slug: str) -> Product | None:
    """The product of its page (``/san-pham/<slug>/``) with what the page shows, in four
    queries: the product with its holder, province, set and category; its packs; its photos
    (``page_photos``); its evaluation history, newest first, with framework and certificate and
    the certificate's decision (``history``) — no part scores or criteria, which the page leaves
    to the certificate's page. ``page_certificate_in_force`` picks the certificate in force."""
    return (
        Product.objects.filter(slug=slug)
        .select_related("holder__province", "product_set__category")
        .prefetch_related(
            # Packs in their own order: the model's default sorts by product name, a join.
            Prefetch("variants", queryset=ProductVariant.objects.order_by("position", "id")),
            Prefetch(
                "photos",
                queryset=ProductPhoto.objects.order_by("position", "id"),
                to_attr="page_photos",
            ),
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.select_related(
                    "framework", "certificate__decision"
                ).order_by("-evaluated_on", "-id"),
                to_attr="history",
            ),
        )
        .first()
    )


def page_certificate_in_force(
    *, product: Product, today: datetime.date | None = None
) -> Certificate | None:
    """The certificate in force of a ``product_page`` product, found among its history (every
    certificate is issued on one of the product's evaluations) instead of one more query; the
    same test as ``certificates_in_force``."""
    today = today or timezone.localdate()
    in_force = [
        evaluation.certificate
        for evaluation in product.history
        if _certificate_of(evaluation) is not None
        and evaluation.certificate.product_id == product.pk
        and evaluation.certificate.status == CertificateStatus.ACTIVE
        and evaluation.certificate.valid_until >= today
    ]
    return max(in_force, key=lambda c: (c.valid_from, c.pk), default=None)


def _certificate_of(evaluation: Evaluation) -> Certificate | None:
    try:
        return evaluation.certificate
    except Certificate.DoesNotExist:
        return None


def current_categories() -> QuerySet[ProductCategory]:
    """The product groups of the framework in force most recently: listings offer its
    categories and product sets (numbers and slugs carry over between frameworks)."""
    latest = Framework.objects.order_by("-in_force_from").values("pk")[:1]
    return ProductCategory.objects.filter(framework=Subquery(latest)).order_by("code")
