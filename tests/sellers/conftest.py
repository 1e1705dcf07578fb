import pytest
from django.core.cache import cache
from django.test import Client

from sellers.models import ApiToken, Business, Invitation, Membership, SellerStatus
from tests.factories import BusinessFactory, MembershipFactory, UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the (process-wide) cache; tests must not see each other's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at full strength costs ~0.3 s per password; these tests check flows, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client():
    """A browser asking for English: messages are asserted in their msgid language, so the
    tests keep passing when the Vietnamese translations arrive."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff@ocop.vn", email="staff@ocop.vn", is_staff=True,
                       is_superuser=True)  # fmt: skip


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


class Team:
    """One business with an owner, a manager and a staff member, plus an outsider business."""

    def __init__(self, status=SellerStatus.ACTIVE):
        self.business = BusinessFactory(status=status)
        self.owner = MembershipFactory(business=self.business, role="owner").user
        self.manager = MembershipFactory(business=self.business, role="manager").user
        self.staff = MembershipFactory(business=self.business, role="staff").user
        self.other_business = BusinessFactory(status=SellerStatus.ACTIVE)
        self.other_owner = MembershipFactory(business=self.other_business, role="owner").user
        self.buyer = UserFactory()

    def membership(self, user) -> Membership:
        return Membership.objects.get(business=self.business, user=user)


@pytest.fixture
def team(db):
    return Team()


def snapshot(*businesses: Business) -> dict:
    """Everything a seller page could change, to assert that a refused request changed nothing."""
    ids = [b.pk for b in businesses]
    return {
        "businesses": list(
            Business.objects.filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "status", "terms_accepted_at", "updated_at")
        ),
        "memberships": sorted(
            Membership.objects.filter(business__in=ids).values_list("business", "user", "role")
        ),
        "invitations": sorted(
            Invitation.objects.filter(business__in=ids).values_list("pk", "email", "accepted_at")
        ),
        "tokens": sorted(ApiToken.objects.filter(business__in=ids).values_list("pk", "revoked_at")),
    }
