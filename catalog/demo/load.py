"""Writing the demo: businesses and products from the plan, then the invented history through
the catalogue services, all in one transaction."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from catalog.demo.history import (
    DECISIONS,
    GTIN_PRODUCTS,
    REVOCATION_DECISION,
    REVOCATION_NOTE,
    REVOKED_AFTER_DAYS,
    SCORES,
    ScoreSpec,
)
from catalog.demo.illustrations import demo_illustrations_ensure
from catalog.demo.plan import demo_plan
from catalog.demo.vocabulary import (
    CHAIN_PRODUCTS_FILE,
    CURRENT_FRAMEWORK,
    GTIN_PREFIX,
    LEGACY_DISTRICT_TYPES,
    PRODUCT_TABLE_FILE,
    PROVINCE_NAME,
    SOURCE_NOTE,
    VALUE_CHAINS_FILE,
)
from catalog.models import (
    Certificate,
    CertificateStatus,
    Decision,
    Evaluation,
    Framework,
    Product,
    ProductSet,
    ProductVariant,
)
from catalog.services import certificate_issue, certificate_revoke, evaluation_record
from catalog.validators import gtin_check_digit
from core.models import LegacyProvince
from core.search import search_rows_changed
from core.selectors import province_resolve
from core.text import fold, slugify_vi
from sellers.models import Business, business_slug_base, legal_type_from_name

# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class DemoSummary:
    businesses: int = 0
    businesses_created: int = 0
    products: int = 0
    products_created: int = 0
    variants: int = 0
    variants_created: int = 0
    illustrations: int = 0
    decisions: int = 0
    evaluations: int = 0
    evaluations_created: int = 0
    certificates: dict[str, int] = field(default_factory=dict)
    skipped_chains: list[str] = field(default_factory=list)

    def lines(self) -> Iterator[str]:
        yield "Demo data: Quảng Ninh OCOP plan 2017 (real names; invented scores and decisions)"
        yield f"  businesses:   {self.businesses} ({self.businesses_created} new)"
        yield f"  products:     {self.products} ({self.products_created} new)"
        yield f"  variants:     {self.variants} ({self.variants_created} new)"
        yield f"  illustrations: {self.illustrations} new (generated pictures, marked as such)"
        yield f"  decisions:    {self.decisions}"
        yield f"  evaluations:  {self.evaluations} ({self.evaluations_created} new)"
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(self.certificates.items()))
        yield f"  certificates: {sum(self.certificates.values())} ({statuses})"
        if self.skipped_chains:
            yield "  left out (no producer named): " + ", ".join(self.skipped_chains)


def _unique_slug(model, base: str) -> str:
    slug, n = base[:200], 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base[:200]}-{n}", n + 1
    return slug


def _district_label(district: str) -> str:
    return f"{LEGACY_DISTRICT_TYPES.get(district, 'huyện')} {district}"


def _legacy_address(district: str) -> str:
    province = f"tỉnh {PROVINCE_NAME} ({SOURCE_NOTE})"
    return f"{_district_label(district)}, {province}" if district else province


def _gtin(item: int) -> str:
    body = f"{GTIN_PREFIX}{item:05d}"
    return f"{body}{gtin_check_digit(body)}"


@transaction.atomic
def demo_load(
    *,
    chain_products: Path = CHAIN_PRODUCTS_FILE,
    value_chains: Path = VALUE_CHAINS_FILE,
    product_table: Path = PRODUCT_TABLE_FILE,
) -> DemoSummary:
    """Load the demo catalogue; all or nothing, and a second run changes nothing."""
    plan = demo_plan(
        chain_products=chain_products, value_chains=value_chains, product_table=product_table
    )
    summary = DemoSummary(skipped_chains=plan.skipped_chains)
    resolved = province_resolve(name=PROVINCE_NAME)
    if resolved is None:
        raise ValueError(f"Province {PROVINCE_NAME} is not loaded (run migrate first).")
    province = resolved[0]
    legacy_province = LegacyProvince.objects.filter(
        current=province, name_folded=fold(PROVINCE_NAME)
    ).first()

    businesses: dict[str, Business] = {}
    for key, row in plan.producers.items():
        business = Business.objects.filter(name=row.name, province=province, is_demo=True).first()
        if business is None:
            business = Business.objects.create(
                name=row.name,
                name_folded=fold(row.name),
                slug=_unique_slug(Business, business_slug_base(row.name)),
                legal_type=legal_type_from_name(row.name),
                province=province,
                legacy_province=legacy_province,
                legacy_address=_legacy_address(row.district),
                is_demo=True,
            )
            summary.businesses_created += 1
        businesses[key] = business
    summary.businesses = len(businesses)

    sets = {s.number: s for s in ProductSet.objects.filter(framework__code=CURRENT_FRAMEWORK)}
    products: dict[tuple[str, str], Product] = {}
    created_products: list[int] = []
    for row in plan.products:
        holder = businesses[row.producer_key]
        spec = row.spec
        product = Product.objects.filter(holder=holder, name=spec.name, is_demo=True).first()
        if product is None:
            base = slugify_vi(spec.name)
            if Product.objects.filter(slug=base).exists():
                # Another holder already uses the name (two producers of one chain).
                base = slugify_vi(f"{spec.name} {holder.name}")
            product = Product.objects.create(
                name=spec.name,
                name_folded=fold(spec.name),
                slug=_unique_slug(Product, base),
                holder=holder,
                product_set=sets.get(spec.set_number),
                description=(
                    f"Chuỗi “{row.chain}”"
                    + (f", {_district_label(row.district)}" if row.district else "")
                    + ", theo Đề án OCOP tỉnh Quảng Ninh 2017 (QĐ 2366/QĐ-UBND). "
                    "Dữ liệu minh hoạ: điểm, hạng sao và quyết định là giả định."
                ),
                is_demo=True,
            )
            summary.products_created += 1
            created_products.append(product.pk)
        products[(holder.name, spec.name)] = product
        gtin_item = (
            GTIN_PRODUCTS.index((holder.name, spec.name)) + 1
            if (holder.name, spec.name) in GTIN_PRODUCTS
            else None
        )
        for position, pack in enumerate(spec.packs):
            _variant, created = ProductVariant.objects.get_or_create(
                product=product,
                name=pack.name,
                defaults={
                    "net_quantity": pack.quantity,
                    "unit": pack.unit,
                    "gtin": _gtin(gtin_item) if gtin_item and position == 0 else "",
                    "position": position,
                },
            )
            summary.variants_created += created
    summary.products = len(products)
    illustrated = demo_illustrations_ensure(products=products.values())
    summary.illustrations = len(illustrated)
    search_rows_changed(Product, sorted({*created_products, *illustrated}))
    summary.variants = ProductVariant.objects.filter(product__in=products.values()).count()

    frameworks = {f.code: f for f in Framework.objects.all()}
    decisions: dict[str, Decision] = {}
    for key, spec in DECISIONS.items():
        decisions[key], _ = Decision.objects.get_or_create(
            number=spec.number,
            date=spec.date,
            defaults={
                "issuer": spec.issuer,
                "province": province if spec.provincial else None,
                "framework": frameworks[spec.framework],
                "is_demo": True,
            },
        )
    summary.decisions = len(decisions)

    evaluations: list[Evaluation] = []
    for score in SCORES:
        product = products[(score.holder, score.product)]
        evaluation, created = _evaluation(
            score=score, product=product, decisions=decisions, frameworks=frameworks
        )
        summary.evaluations_created += created
        evaluations.append(evaluation)
        if not score.certify:
            continue
        certificate = Certificate.objects.filter(evaluation=evaluation).first()
        if certificate is None:
            certificate = certificate_issue(evaluation=evaluation, decision=evaluation.decision)
        if score.revoke and certificate.status == CertificateStatus.ACTIVE:
            certificate_revoke(
                certificate=certificate,
                ground=score.revoke,
                decision_number=REVOCATION_DECISION,
                decision_date=certificate.valid_from + datetime.timedelta(days=REVOKED_AFTER_DAYS),
                note=REVOCATION_NOTE,
            )
    summary.evaluations = len(evaluations)
    for certificate in Certificate.objects.filter(evaluation__in=evaluations):
        summary.certificates[certificate.status] = (
            summary.certificates.get(certificate.status, 0) + 1
        )
    return summary


def _evaluation(
    *,
    score: ScoreSpec,
    product: Product,
    decisions: dict[str, Decision],
    frameworks: dict[str, Framework],
) -> tuple[Evaluation, bool]:
    if score.decision:
        decision = decisions[score.decision]
        spec = DECISIONS[score.decision]
        framework, level, council = decision.framework, spec.level, spec.council
        # The council sits a few weeks before the decision is signed.
        evaluated_on = decision.date - datetime.timedelta(days=21)
    else:
        decision = None
        framework, level, council = frameworks[score.framework], score.level, score.council
        evaluated_on = score.evaluated_on
    existing = Evaluation.objects.filter(
        product=product, framework=framework, level=level, evaluated_on=evaluated_on, is_demo=True
    ).first()
    if existing is not None:
        return existing, False
    # Score under the framework's own sheet for the product's set number (148 and 26/2026 each
    # have their own 26 sets).
    product_set = None
    if product.product_set_id:
        product_set = ProductSet.objects.filter(
            framework=framework, number=product.product_set.number
        ).first()
    kwargs: dict = {}
    if score.choices:
        kwargs["choices"] = score.choices
    else:
        a, b, c = score.parts
        kwargs["part_scores"] = {"A": Decimal(a), "B": Decimal(b), "C": Decimal(c)}
        kwargs["total_score"] = Decimal(a + b + c)
    evaluation = evaluation_record(
        product=product,
        framework=framework,
        level=level,
        evaluated_on=evaluated_on,
        product_set=product_set,
        council=council,
        decision=decision,
        is_demo=True,
        **kwargs,
    )
    return evaluation, True
