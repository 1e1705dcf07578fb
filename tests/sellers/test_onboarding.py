"""Becoming a seller through the pages: claim or apply, staff review in the admin, "Start
selling", and staff suspending / reinstating sellers."""

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.urls import reverse
from django.utils import translation

from sellers.admin import BusinessAdmin
from sellers.models import (
    ApplicationStatus,
    Business,
    Membership,
    SellerApplication,
    SellerStatus,
)
from sellers.services import seller_application_submit_claim
from tests.factories import BusinessFactory, MembershipFactory, UserFactory, province
from tests.sellers.conftest import login, snapshot

pytestmark = pytest.mark.django_db

CLAIM = {
    "tax_code": "5700100256",
    "contact_name": "Nguyễn Thị Hoa",
    "contact_phone": "0912 345 678",
    "evidence": "GCN HTX số 22/2019",
}


@pytest.fixture
def registry_business(db):
    return BusinessFactory(tax_code="5700100256", name="HTX Mật ong Tiên Yên")


# --- claim --------------------------------------------------------------------------------------


def test_claim_page_with_the_right_tax_code(client, registry_business):
    user = UserFactory()
    url = reverse("seller:claim", args=[registry_business.slug])
    assert url == f"/seller/claim/{registry_business.slug}/"
    login(client, user)
    assert client.get(url).status_code == 200
    response = client.post(url, CLAIM)
    assert response.status_code == 302
    assert response["Location"] == reverse("account:my_account")
    application = SellerApplication.objects.get()
    assert (application.applicant, application.business, application.status) == (
        user,
        registry_business,
        "pending",
    )
    assert application.contact_phone == "+84912345678"
    assert Business.objects.get(pk=registry_business.pk).status == SellerStatus.CLAIMED
    # The applicant sees it pending on their account page.
    response = client.get(reverse("account:my_account"))
    assert list(response.context["applications"]) == [application]


def test_claim_with_a_wrong_tax_code_shows_the_error_on_the_field(client, registry_business):
    login(client, UserFactory())
    response = client.post(
        reverse("seller:claim", args=[registry_business.slug]), {**CLAIM, "tax_code": "5700100257"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "tax_code": ["The tax code does not match the registry's record for this business."]
    }
    assert SellerApplication.objects.count() == 0
    assert Business.objects.get(pk=registry_business.pk).status == SellerStatus.UNCLAIMED


def test_claim_with_a_bad_phone_is_refused_on_the_field(client, registry_business):
    login(client, UserFactory())
    response = client.post(
        reverse("seller:claim", args=[registry_business.slug]),
        {**CLAIM, "contact_phone": "12345"},
    )
    assert response.context["form"].errors == {
        "contact_phone": ["Enter a Vietnamese phone number, such as 0912 345 678 or 024 3825 1234."]
    }
    assert SellerApplication.objects.count() == 0


def test_claim_of_an_already_claimed_business_is_refused(client, registry_business):
    seller_application_submit_claim(
        user=UserFactory(), business=registry_business, **{**CLAIM, "contact_phone": "0912345678"}
    )
    login(client, UserFactory())
    url = reverse("seller:claim", args=[registry_business.slug])
    response = client.get(url)
    assert response.context["claimable"] is False
    assert "This business has already been claimed." in response.content.decode()
    before = snapshot(registry_business)
    response = client.post(url, CLAIM)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "This business has already been claimed."
    ]
    assert SellerApplication.objects.count() == 1
    assert snapshot(registry_business) == before


def test_claim_needs_sign_in(client, registry_business):
    url = reverse("seller:claim", args=[registry_business.slug])
    response = client.post(url, CLAIM)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account:login')}?next={url}"
    assert SellerApplication.objects.count() == 0


def test_claim_of_an_unknown_slug_is_404(client):
    login(client, UserFactory())
    assert client.get(reverse("seller:claim", args=["khong-co"])).status_code == 404


# --- apply with a new business ------------------------------------------------------------------

APPLY = {
    "name": "Trung tâm OCOP Hạ Long",
    "legal_type": "enterprise",
    "tax_code": "5701234567",
    "seller_type": "ocop_centre",
    "commune": "phường Hạ Long",
    "street": "1 Đường Bao Biển",
    "contact_name": "Trần Văn Nam",
    "contact_phone": "+84912345678",
}


def test_apply_with_a_new_business(client):
    user = UserFactory()
    login(client, user)
    response = client.get(reverse("seller:apply"))
    assert response.status_code == 200
    assert response.context["form"].fields["province"].queryset.count() == 34
    response = client.post(reverse("seller:apply"), {**APPLY, "province": province("22").pk})
    assert response.status_code == 302
    application = SellerApplication.objects.get()
    business = application.business
    assert (application.kind, application.applicant) == ("new", user)
    assert (business.name, business.status, business.seller_type, business.province.code) == (
        "Trung tâm OCOP Hạ Long",
        SellerStatus.CLAIMED,
        "ocop_centre",
        "22",
    )


def test_apply_with_a_listed_tax_code_is_refused_on_the_field(client, registry_business):
    login(client, UserFactory())
    response = client.post(
        reverse("seller:apply"),
        {**APPLY, "tax_code": "5700 100 256", "province": province("22").pk},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "tax_code": ["A business with this tax code is already listed: claim it instead."]
    }
    assert Business.objects.count() == 1


def test_apply_errors_in_vietnamese_for_django_messages(registry_business):
    from django.test import Client

    client = Client()  # no Accept-Language: the default language, Vietnamese
    login(client, UserFactory())
    response = client.post(reverse("seller:apply"), {})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["Trường này là bắt buộc."]


# --- staff review in the admin ------------------------------------------------------------------


def _changelist_post(client, action, applications, **extra):
    return client.post(
        reverse("admin:sellers_sellerapplication_changelist"),
        {
            "action": action,
            admin.helpers.ACTION_CHECKBOX_NAME: [a.pk for a in applications],
            **extra,
        },
    )


def test_admin_approve_makes_the_owner_and_verifies(client, staff_user):
    business = BusinessFactory(tax_code="5700100256")
    applicant = UserFactory()
    application = seller_application_submit_claim(
        user=applicant, business=business, **{**CLAIM, "contact_phone": "0912345678"}
    )
    login(client, staff_user)
    assert client.get(reverse("admin:sellers_sellerapplication_changelist")).status_code == 200
    response = _changelist_post(client, "approve_applications", [application])
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.status == SellerStatus.VERIFIED
    assert SellerApplication.objects.get().status == ApplicationStatus.APPROVED
    assert list(Membership.objects.values_list("user", "business", "role")) == [
        (applicant.pk, business.pk, "owner")
    ]
    # Approving again is refused row by row, and changes nothing.
    before = snapshot(business)
    response = _changelist_post(client, "approve_applications", [application])
    assert snapshot(business) == before


def test_admin_reject_asks_for_a_note_then_frees_the_business(client, staff_user):
    business = BusinessFactory(tax_code="5700100256")
    application = seller_application_submit_claim(
        user=UserFactory(), business=business, **{**CLAIM, "contact_phone": "0912345678"}
    )
    login(client, staff_user)
    response = _changelist_post(client, "reject_applications", [application])
    assert response.status_code == 200  # the intermediate page
    assert response.templates[0].name == "workspace/sellers/admin/reject_applications.html"
    assert SellerApplication.objects.get().status == "pending"
    # An empty note is asked for again.
    response = _changelist_post(client, "reject_applications", [application], apply="1", note="")
    assert response.status_code == 200
    assert SellerApplication.objects.get().status == "pending"
    response = _changelist_post(
        client, "reject_applications", [application], apply="1", note="Mã số thuế không khớp"
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.review_note, application.reviewed_by) == (
        "rejected",
        "Mã số thuế không khớp",
        staff_user,
    )
    assert Business.objects.get(pk=business.pk).status == SellerStatus.UNCLAIMED
    assert Membership.objects.count() == 0


def test_admin_applications_cannot_be_added_or_deleted(client, staff_user):
    login(client, staff_user)
    assert client.get(reverse("admin:sellers_sellerapplication_add")).status_code == 403


# --- activation ---------------------------------------------------------------------------------


def test_owner_starts_selling_after_verification(client):
    owner = MembershipFactory(role="owner", business__status=SellerStatus.VERIFIED)
    url = reverse("seller:activate", args=[owner.business.slug])
    assert url == f"/seller/{owner.business.slug}/activate/"
    login(client, owner.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["can_activate"] is True
    # Terms must be accepted.
    response = client.post(url, {})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "accept_terms": ["Accept the seller terms to start selling."]
    }
    assert Business.objects.get().status == SellerStatus.VERIFIED
    response = client.post(url, {"accept_terms": "on"})
    assert response.status_code == 302
    business = Business.objects.get()
    assert business.status == SellerStatus.ACTIVE
    assert business.terms_accepted_at is not None


@pytest.mark.parametrize("status", [SellerStatus.CLAIMED, SellerStatus.SUSPENDED])
def test_activation_only_from_verified_through_the_page(client, status):
    owner = MembershipFactory(role="owner", business__status=status)
    login(client, owner.user)
    url = reverse("seller:activate", args=[owner.business.slug])
    assert client.get(url).context["can_activate"] is False
    response = client.post(url, {"accept_terms": "on"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Only a verified business can start selling."
    ]
    assert Business.objects.get().status == status


# --- suspend / reinstate admin actions ----------------------------------------------------------


def _admin_request(rf, user):
    request = rf.post("/admin/sellers/business/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _messages(request):
    return [str(m) for m in request._messages]


@translation.override("en")
def test_suspend_and_reinstate_actions(rf, staff_user):
    owner = MembershipFactory(role="owner", business__status=SellerStatus.ACTIVE)
    unclaimed = BusinessFactory(status=SellerStatus.UNCLAIMED)
    Business.objects.filter(pk=owner.business.pk).update(terms_accepted_at="2026-01-01T00:00Z")
    modeladmin = BusinessAdmin(Business, admin.site)
    request = _admin_request(rf, staff_user)
    modeladmin.suspend(request, Business.objects.order_by("pk"))
    assert dict(Business.objects.values_list("pk", "status")) == {
        owner.business.pk: SellerStatus.SUSPENDED,
        unclaimed.pk: SellerStatus.UNCLAIMED,
    }
    assert _messages(request) == [
        f"{unclaimed.name}: Only a verified or active seller can be suspended.",
        "1 seller suspended.",
    ]
    request = _admin_request(rf, staff_user)
    modeladmin.reinstate(request, Business.objects.filter(pk=owner.business.pk))
    assert Business.objects.get(pk=owner.business.pk).status == SellerStatus.ACTIVE
    assert _messages(request) == ["1 seller reinstated."]


@translation.override("en")
def test_suspend_action_by_a_non_staff_user_changes_nothing(rf):
    owner = MembershipFactory(role="owner", business__status=SellerStatus.ACTIVE)
    request = _admin_request(rf, owner.user)
    BusinessAdmin(Business, admin.site).suspend(request, Business.objects.all())
    assert Business.objects.get().status == SellerStatus.ACTIVE
    assert _messages(request) == [f"{owner.business.name}: Only marketplace staff suspend sellers."]
