"""factory_boy factories shared by the whole suite."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from catalog.models import (
    CriterionOption,
    Decision,
    EvaluationLevel,
    Framework,
    Product,
    ProductSet,
    ProductVariant,
)
from catalog.services import certificate_issue, evaluation_record, evaluation_stars
from core.models import Province
from core.text import fold, slugify_vi
from sellers.models import Business, LegalType, SellerStatus


def province(code: str = "22") -> Province:
    return Province.objects.get(code=code)


def framework(code: str = "QD26-2026") -> Framework:
    return Framework.objects.get(code=code)


def product_set(number: int = 1, framework_code: str = "QD26-2026") -> ProductSet:
    return ProductSet.objects.get(framework__code=framework_code, number=number)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    password = factory.django.Password("correct horse battery staple")


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"HTX Nông sản số {n}")
    name_folded = factory.LazyAttribute(lambda b: fold(b.name))
    slug = factory.LazyAttribute(lambda b: slugify_vi(b.name))
    legal_type = LegalType.COOPERATIVE
    tax_code = factory.Sequence(lambda n: f"57{n:08d}")
    province = factory.LazyFunction(lambda: province("22"))
    commune = "xã Tiên Yên"
    status = SellerStatus.UNCLAIMED


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Mật ong rừng số {n}")
    name_folded = factory.LazyAttribute(lambda p: fold(p.name))
    slug = factory.LazyAttribute(lambda p: slugify_vi(p.name))
    holder = factory.SubFactory(BusinessFactory)
    product_set = factory.LazyFunction(lambda: product_set(4))


class ProductVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"Hũ {n * 100 + 100} g")
    net_quantity = Decimal("500")
    unit = "g"


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    number = factory.Sequence(lambda n: f"{3900 + n}/QĐ-UBND")
    date = datetime.date(2026, 8, 5)
    issuer = "UBND tỉnh Quảng Ninh"
    province = factory.LazyFunction(lambda: province("22"))
    framework = factory.LazyFunction(lambda: framework("QD26-2026"))
    source_url = "https://ocop.quangninh.gov.vn/quyet-dinh/3981"


def granting_level(*, framework: Framework, total: Decimal, options=()) -> str:
    """The council that recognises what ``total`` (and the chosen ``options``) earn: the central
    council for ★5, the province below (the framework's star grants)."""
    stars = evaluation_stars(framework=framework, total_score=total, chosen_options=options).stars
    return EvaluationLevel.CENTRAL if stars == 5 else EvaluationLevel.PROVINCE


def certified_product(
    *,
    total: str = "72.50",
    decision: Decision | None = None,
    product: Product | None = None,
    parts: dict | None = None,
    **product_kwargs,
):
    """A product with an evaluation by the council that grants its stars (★ from ``total``) and
    the certificate it earned."""
    decision = decision or DecisionFactory()
    product = product or ProductFactory(**product_kwargs)
    evaluation = evaluation_record(
        product=product,
        framework=decision.framework,
        level=granting_level(framework=decision.framework, total=Decimal(total)),
        evaluated_on=decision.date - datetime.timedelta(days=20),
        total_score=Decimal(total),
        part_scores=parts or {},
        council="Hội đồng OCOP tỉnh",
        decision=decision,
    )
    certificate = certificate_issue(evaluation=evaluation, decision=decision)
    return product, evaluation, certificate


# --- GraphQL helpers (tests/graphql) -------------------------------------------------------------

# The 26/2026 set-1 sheet with the top option everywhere except 2.3 "style and labelling", where
# 2 points misses the ★4 minimum (3 points): 99 points, band ★5, capped to ★3.
SET01_CAPPED_CHOICES = {
    "1.1": 3, "1.2": 2, "1.3": 3, "1.4": 3, "1.5": 3, "1.6": 3, "1.7": 1,
    "2.1": 3, "2.2": 3, "2.3": 2, "2.4": 1,
    "3.1": 3, "3.2": 1, "3.3": 3, "3.4": 2, "3.5": 3,
    "4.1": 5, "4.2": 3, "4.3": 5,
    "5.1": 5, "5.2": 2, "5.3": 5,
    "6.1": 2, "6.2": 4, "6.3": 3, "6.4": 3, "7": 3, "8": 5, "9": 5, "10": 5, "11": 2, "12": 3,
}  # fmt: skip


def scored_product(*, choices: dict, decision: Decision | None = None, **product_kwargs):
    """A set-1 product scored criterion by criterion, and the certificate it earned."""
    decision = decision or DecisionFactory()
    product_kwargs.setdefault("product_set", product_set(1))
    product = ProductFactory(**product_kwargs)
    options = [
        CriterionOption.objects.get(
            criterion__group__product_set=product.product_set,
            criterion__code=code,
            points=Decimal(points),
        )
        for code, points in choices.items()
    ]
    total = sum((o.points for o in options), Decimal(0))
    evaluation = evaluation_record(
        product=product,
        framework=decision.framework,
        level=granting_level(framework=decision.framework, total=total, options=options),
        evaluated_on=decision.date - datetime.timedelta(days=20),
        choices={code: Decimal(points) for code, points in choices.items()},
        council="Hội đồng OCOP tỉnh",
        decision=decision,
    )
    certificate = certificate_issue(evaluation=evaluation, decision=decision)
    return product, evaluation, certificate


# --- sellers: memberships, applications (tests/sellers) -----------------------------------------


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sellers.Membership"

    user = factory.SubFactory(UserFactory)
    business = factory.SubFactory(BusinessFactory, status=SellerStatus.ACTIVE)
    role = "owner"


class SellerApplicationFactory(factory.django.DjangoModelFactory):
    """A pending claim; the business is left as given (use the services for real transitions)."""

    class Meta:
        model = "sellers.SellerApplication"

    kind = "claim"
    business = factory.SubFactory(BusinessFactory, status=SellerStatus.CLAIMED)
    applicant = factory.SubFactory(UserFactory)
    tax_code = factory.LazyAttribute(lambda a: a.business.tax_code)
    contact_name = "Nguyễn Thị Hoa"
    contact_phone = "0912345678"


# --- offers: stock locations, offers, stock, resale authorisations (tests/offers) ---------------


class StockLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "offers.StockLocation"

    business = factory.SubFactory(BusinessFactory, status=SellerStatus.ACTIVE)
    name = factory.Sequence(lambda n: f"Kho số {n}")
    province = factory.LazyFunction(lambda: province("22"))


class OfferFactory(factory.django.DjangoModelFactory):
    """A draft offer by the variant's holder (pass ``seller`` for a reseller's offer)."""

    class Meta:
        model = "offers.Offer"

    variant = factory.SubFactory(ProductVariantFactory)
    seller = factory.LazyAttribute(lambda o: o.variant.product.holder)
    price = 150_000


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "offers.Stock"

    offer = factory.SubFactory(OfferFactory)
    location = factory.LazyAttribute(lambda s: StockLocationFactory(business=s.offer.seller))
    quantity = 10


class ResaleAuthorizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "offers.ResaleAuthorization"

    product = factory.SubFactory(ProductFactory)
    reseller = factory.SubFactory(BusinessFactory, status=SellerStatus.ACTIVE)


# --- GraphQL: sellers with certified products on sale (tests/graphql) ---------------------------


def member(business, role: str = "owner", **user_kwargs):
    """A user with ``role`` in ``business``."""
    return MembershipFactory(business=business, role=role, **user_kwargs).user


def selling_product(*, holder=None, variants: int = 1, published: bool = True, **product_kwargs):
    """A certified product of an active holder, with one holder offer per pack."""
    from marketplace.offers.models import OfferStatus

    holder = holder or BusinessFactory(status=SellerStatus.ACTIVE)
    product, _evaluation, certificate = certified_product(holder=holder, **product_kwargs)
    offers = [
        OfferFactory(
            variant=ProductVariantFactory(product=product),
            seller=holder,
            price=100_000 + 10_000 * n,
            status=OfferStatus.PUBLISHED if published else OfferStatus.DRAFT,
        )
        for n in range(variants)
    ]
    return product, certificate, offers


def honey_on_sale(*, quantity: int = 12):
    """A ★4 product ("Mật ong Tiên Yên") whose active holder sells one pack ("Hũ 500 g") at
    125.000 ₫ with ``quantity`` in stock: (product, certificate, offer, stock)."""
    from marketplace.offers.models import OfferStatus

    product, _evaluation, certificate = certified_product(
        total="75", name="Mật ong Tiên Yên", holder__status=SellerStatus.ACTIVE,
        holder__name="HTX Mật ong Tiên Yên",
    )  # fmt: skip
    variant = ProductVariantFactory(product=product, name="Hũ 500 g")
    offer = OfferFactory(variant=variant, price=125_000, status=OfferStatus.PUBLISHED)
    stock = StockFactory(offer=offer, quantity=quantity)
    return product, certificate, offer, stock


def admin_product_form(product, **changes) -> dict:
    """The admin change form of ``product`` with its one pack, as the browser posts it, with
    ``changes`` applied to the product's fields."""
    variant = product.variants.get()
    data = {
        "name": product.name,
        "holder": product.holder_id,
        "product_set": product.product_set_id,
        "product_code": product.product_code,
        "description": product.description,
        "story": product.story,
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "1",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-id": variant.pk,
        "variants-0-product": product.pk,
        "variants-0-position": str(variant.position),
        "variants-0-name": variant.name,
        "variants-0-net_quantity": ""
        if variant.net_quantity is None
        else str(variant.net_quantity),
        "variants-0-unit": variant.unit,
        "variants-0-gtin": variant.gtin,
        "variants-0-sku": variant.sku,
        "_save": "Save",
    }
    return {**data, **changes}


def revoke_certificate(*, certificate, ground, **kwargs):
    """``certificate_revoke`` with a revocation decision dated today (never before the
    certificate's validity) unless the test names one."""
    from django.utils import timezone

    from catalog.services import certificate_revoke

    now = kwargs.get("now") or timezone.now()
    kwargs.setdefault("decision_number", "99/QĐ-UBND")
    kwargs.setdefault("decision_date", max(certificate.valid_from, timezone.localdate(now)))
    return certificate_revoke(certificate=certificate, ground=ground, **kwargs)
