"""Reads over the OCOP registry, shared by pages, GraphQL and commands."""

import datetime
from collections.abc import Iterable

from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.errors import RegistryError
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
from catalog.rules import (
    ReevaluationWindow,
    certificate_newest_in_force,
    frameworks_in_force,
    in_force_q,
)
from core.rows import rows
from core.search import STATUS_ANY, SearchFilters, search_backend


def framework_current(*, today: datetime.date | None = None) -> QuerySet[Framework]:
    """The criteria framework whose groups, product sets and score sheets are offered today: the
    newest in force with sheets of its own (a procedural one such as 1489/2025 has none). A
    one-row queryset, so a page can use it as a subquery (``Subquery(….values("pk"))``)."""
    today = today or timezone.localdate()
    return Framework.objects.filter(scores_with__isnull=True, in_force_from__lte=today).order_by(
        "-in_force_from"
    )[:1]


def framework_for_date(
    *, day: datetime.date, frameworks: Iterable[Framework] | None = None
) -> Framework:
    """The framework a decision or evaluation dated ``day`` falls under when none is named.

    Refused, saying why, when none was in force or when two were (the overlap while 26/2026
    replaces 148/2023 and 1489/2025: dossiers pending then may finish under the old rules, so only
    the caller knows). ``frameworks`` may be passed in to avoid a query in bulk imports."""
    if frameworks is None:
        frameworks = Framework.objects.all()
    found = frameworks_in_force(frameworks, day)
    if len(found) == 1:
        return found[0]
    if not found:
        raise RegistryError(
            _("No framework was in force on %(date)s: name the framework.")
            % {"date": f"{day:%d/%m/%Y}"},
            code="required",
            field="framework",
        )
    raise RegistryError(
        _(
            "On %(date)s %(frameworks)s were both in force (dossiers pending when the new "
            "decision took effect may finish under the old rules): name the framework."
        )
        % {"date": f"{day:%d/%m/%Y}", "frameworks": " & ".join(f.name for f in found)},
        code="framework_ambiguous",
        field="framework",
    )


def certificates_in_force(*, today: datetime.date | None = None) -> QuerySet[Certificate]:
    """Active and not past validity, whether or not the daily expiry job has run yet."""
    today = today or timezone.localdate()
    return Certificate.objects.filter(in_force_q(today))


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
            condition=in_force_q(today, prefix="certificates__"),
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
            status_match = status_match.filter(in_force_q(today))
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


def reevaluation_window(*, today: datetime.date | None = None) -> ReevaluationWindow:
    """When re-evaluation dossiers are due, by the current framework's data. One query."""
    return ReevaluationWindow.of(framework_current(today=today).get())


def certificates_entering_reevaluation(
    *, today: datetime.date | None = None, window: ReevaluationWindow | None = None
) -> QuerySet[Certificate]:
    """Active certificates whose re-evaluation dossier is due (``reevaluation_window``)."""
    today = today or timezone.localdate()
    window = window or reevaluation_window(today=today)
    return (
        certificates_in_force(today=today)
        .filter(
            valid_until__gte=today + datetime.timedelta(days=window.until_days),
            valid_until__lte=today + datetime.timedelta(days=window.from_days),
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
    queries: the product with its holder, province, set and category; its packs
    (``page_variants``, in their own order); its photos (``page_photos``); its evaluation
    history, newest first, with framework and certificate and the certificate's decision
    (``history``) — no part scores or criteria, which the page leaves to the certificate's page.
    ``page_certificate_in_force`` picks the certificate in force. Each list is read by the
    product's id, with no prefetch machinery matching rows to one parent."""
    products = Product.objects.filter(slug=slug)
    product = rows(products.select_related("holder__province", "product_set__category")).first()
    if product is None:
        return None
    # The model's default order sorts packs by product name, a join: their own order instead.
    product.page_variants = list(
        rows(ProductVariant.objects.filter(product_id=product.pk).order_by("position", "id"))
    )
    product.page_photos = list(
        rows(ProductPhoto.objects.filter(product_id=product.pk).order_by("position", "id"))
    )
    product.history = list(
        rows(
            Evaluation.objects.filter(product_id=product.pk)
            .select_related("framework", "certificate__decision")
            .order_by("-evaluated_on", "-id")
        )
    )
    for row in (*product.page_variants, *product.page_photos, *product.history):
        row.product = product  # as a prefetch would: no query for ``row.product``
    return product


def page_certificate_in_force(
    *, product: Product, today: datetime.date | None = None
) -> Certificate | None:
    """The certificate in force of a ``product_page`` product, found among its history (every
    certificate is issued on one of the product's evaluations) instead of one more query; the
    same rule as ``certificates_in_force`` (``catalog.rules``)."""
    today = today or timezone.localdate()
    certificates = [
        evaluation.certificate
        for evaluation in product.history
        if _certificate_of(evaluation) is not None
        and evaluation.certificate.product_id == product.pk
    ]
    return certificate_newest_in_force(certificates, today)


def _certificate_of(evaluation: Evaluation) -> Certificate | None:
    try:
        return evaluation.certificate
    except Certificate.DoesNotExist:
        return None


def current_categories() -> QuerySet[ProductCategory]:
    """The product groups of the current framework: listings offer its categories and product
    sets (numbers and slugs carry over between frameworks)."""
    current = Subquery(framework_current().values("pk"))
    return ProductCategory.objects.filter(framework=current).order_by("code")
