"""A small market: a holder with a certified product and its team, an authorised reseller, and
people with no business with either (a buyer, another seller, a site staff user)."""

from dataclasses import dataclass

import pytest

from catalog.models import Certificate, Product, ProductVariant
from sellers.models import Business, MembershipRole, SellerStatus
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    ProductVariantFactory,
    ResaleAuthorizationFactory,
    UserFactory,
    certified_product,
)


@dataclass
class Market:
    holder: Business
    product: Product
    variant: ProductVariant
    certificate: Certificate
    owner: object
    manager: object
    staff: object
    reseller: Business
    reseller_owner: object
    other_seller: Business
    other_owner: object
    buyer: object
    site_staff: object


@pytest.fixture
def market(db) -> Market:
    holder = BusinessFactory(name="HTX Mật ong Tiên Yên", status=SellerStatus.ACTIVE)
    product, _evaluation, certificate = certified_product(
        holder=holder, name="Mật ong rừng Tiên Yên"
    )
    variant = ProductVariantFactory(product=product, name="Hũ 500 g")
    reseller = BusinessFactory(name="Trung tâm OCOP Hạ Long", status=SellerStatus.ACTIVE)
    other_seller = BusinessFactory(name="HTX Chè Đường Hoa", status=SellerStatus.ACTIVE)
    ResaleAuthorizationFactory(product=product, reseller=reseller)
    return Market(
        holder=holder,
        product=product,
        variant=variant,
        certificate=certificate,
        owner=MembershipFactory(business=holder, role=MembershipRole.OWNER).user,
        manager=MembershipFactory(business=holder, role=MembershipRole.MANAGER).user,
        staff=MembershipFactory(business=holder, role=MembershipRole.STAFF).user,
        reseller=reseller,
        reseller_owner=MembershipFactory(business=reseller, role=MembershipRole.OWNER).user,
        other_seller=other_seller,
        other_owner=MembershipFactory(business=other_seller, role=MembershipRole.OWNER).user,
        buyer=UserFactory(),
        site_staff=UserFactory(is_staff=True, is_superuser=True),
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Factories hash a password per user; PBKDF2 makes the permission matrix crawl.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
