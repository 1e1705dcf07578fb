"""The seller services, called directly: the rules behind every page and API mutation."""

import datetime
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from sellers.errors import PermissionDenied, SellerError
from sellers.models import (
    ApiToken,
    ApplicationKind,
    ApplicationStatus,
    Business,
    Invitation,
    Membership,
    SellerApplication,
    SellerStatus,
)
from sellers.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    business_activate,
    business_reinstate,
    business_suspend,
    contact_phone_normalise,
    invitation_accept,
    membership_invite,
    membership_remove,
    membership_role_change,
    seller_application_approve,
    seller_application_reject,
    seller_application_submit_claim,
    seller_application_submit_new,
    tax_code_normalise,
    user_register,
)
from tests.factories import BusinessFactory, MembershipFactory, UserFactory, province

pytestmark = pytest.mark.django_db

CLAIM = {"contact_name": "Nguyễn Thị Hoa", "contact_phone": "0912 345 678", "evidence": "GCN 01"}


def _claim(user, business, tax_code=None, **kwargs):
    return seller_application_submit_claim(
        user=user, business=business, tax_code=tax_code or business.tax_code, **{**CLAIM, **kwargs}
    )


def _new(user, **kwargs):
    data = {
        "name": "Trung tâm OCOP Hạ Long",
        "legal_type": "enterprise",
        "tax_code": "5701234567",
        "province": province("22"),
        "commune": "phường Hạ Long",
        "street": "1 Đường Bao Biển",
        "contact_name": "Trần Văn Nam",
        "contact_phone": "+84912345678",
        "seller_type": "ocop_centre",
    }
    return seller_application_submit_new(user=user, **{**data, **kwargs})


def _error(exc_info) -> tuple[str, str | None]:
    return exc_info.value.code, exc_info.value.field


# --- input normalisation ------------------------------------------------------------------------


def test_contact_phone_is_stored_as_e164():
    # The rule and its edges are core.phone's (tests/core/test_phone.py).
    assert contact_phone_normalise("024 3825 1234") == "+842438251234"


@pytest.mark.parametrize("given", ["", "09123456789", "+1 912345678", "01662345678"])
def test_contact_phone_refusals_name_the_field(given):
    with pytest.raises(SellerError) as exc_info:
        contact_phone_normalise(given)
    assert exc_info.value.field == "contact_phone"
    assert exc_info.value.code == ("required" if given == "" else "invalid")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("5700100256", "5700100256"),
        (" 5700 100 256 ", "5700100256"),
        ("5700100256-001", "5700100256-001"),
        ("5700100256001", "5700100256-001"),
    ],
)
def test_tax_code_normalise(given, expected):
    assert tax_code_normalise(given) == expected


@pytest.mark.parametrize("given", ["570010025", "57001002560", "5700100256-01", "MST"])
def test_tax_code_normalise_refuses_malformed_codes(given):
    with pytest.raises(SellerError) as exc_info:
        tax_code_normalise(given)
    assert _error(exc_info) == ("required" if given == "MST" else "invalid", "tax_code")


# --- user_register ------------------------------------------------------------------------------


def test_user_register_makes_the_email_the_username():
    user = user_register(
        email=" Hoa@Example.VN ", password="mat-ong-rung-42", full_name="Nguyễn  Thị Hoa"
    )
    assert (user.username, user.email) == ("hoa@example.vn", "hoa@example.vn")
    assert (user.first_name, user.last_name) == ("Nguyễn Thị", "Hoa")
    assert user.check_password("mat-ong-rung-42")


def test_user_register_refuses_a_taken_email_whatever_its_case():
    UserFactory(username="admin", email="Hoa@Example.vn")
    with pytest.raises(SellerError) as exc_info:
        user_register(email="hoa@example.vn", password="a-long-unusual-pass-42")
    assert _error(exc_info) == ("duplicate", "email")
    assert get_user_model().objects.count() == 1


def test_user_register_validates_email_and_password():
    with pytest.raises(SellerError) as exc_info:
        user_register(email="not-an-email", password="a-long-unusual-pass-42")
    assert _error(exc_info) == ("invalid", "email")
    with pytest.raises(SellerError) as exc_info:
        user_register(email="hoa@example.vn", password="123")
    assert _error(exc_info) == ("invalid", "password")
    assert get_user_model().objects.count() == 0


# --- claims and applications --------------------------------------------------------------------


def test_claim_with_the_registry_tax_code_is_pending_and_marks_the_business_claimed():
    business = BusinessFactory(tax_code="5700100256")
    user = UserFactory()
    application = _claim(user, business, tax_code="5700 100 256")
    business.refresh_from_db()
    assert business.status == SellerStatus.CLAIMED
    assert (application.kind, application.status) == (ApplicationKind.CLAIM, "pending")
    assert (application.applicant, application.tax_code) == (user, "5700100256")
    assert (application.contact_name, application.contact_phone) == (
        "Nguyễn Thị Hoa",
        "+84912345678",
    )
    assert Membership.objects.count() == 0  # owners are made by staff approval only


def test_claim_matches_a_registry_branch_code_written_without_its_dash():
    business = BusinessFactory(tax_code="5700100256001")
    _claim(UserFactory(), business, tax_code="5700100256-001")
    assert Business.objects.get(pk=business.pk).status == SellerStatus.CLAIMED


def test_claim_with_a_wrong_tax_code_is_refused_and_changes_nothing():
    business = BusinessFactory(tax_code="5700100256")
    with pytest.raises(SellerError) as exc_info:
        _claim(UserFactory(), business, tax_code="5700100257")
    assert _error(exc_info) == ("invalid", "tax_code")
    assert Business.objects.get(pk=business.pk).status == SellerStatus.UNCLAIMED
    assert SellerApplication.objects.count() == 0


@pytest.mark.parametrize(
    "status",
    [SellerStatus.CLAIMED, SellerStatus.VERIFIED, SellerStatus.ACTIVE, SellerStatus.SUSPENDED],
)
def test_claim_of_a_business_not_unclaimed_is_refused(status):
    business = BusinessFactory(status=status)
    with pytest.raises(SellerError) as exc_info:
        _claim(UserFactory(), business)
    assert _error(exc_info) == ("invalid_status", "business")
    assert SellerApplication.objects.count() == 0


def test_claim_needs_a_signed_in_user():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        _claim(AnonymousUser(), BusinessFactory())


def test_new_business_application_creates_a_claimed_business():
    user = UserFactory()
    application = _new(user)
    business = application.business
    assert (application.kind, application.status) == (ApplicationKind.NEW, "pending")
    assert (business.name, business.slug, business.tax_code) == (
        "Trung tâm OCOP Hạ Long",
        "trung-tam-ocop-ha-long",
        "5701234567",
    )
    assert (business.status, business.seller_type, business.legal_type) == (
        SellerStatus.CLAIMED,
        "ocop_centre",
        "enterprise",
    )
    assert application.contact_phone == "+84912345678"


@pytest.mark.parametrize("name", ["Apply", "Claim", "Invitations"])
def test_a_business_never_gets_a_slug_the_workspace_routes_use(name):
    business = _new(UserFactory(), name=name).business
    assert business.slug == f"{name.lower()}-chu-the"


def test_the_admin_refuses_a_reserved_slug():
    business = BusinessFactory()
    business.slug = "claim"
    with pytest.raises(ValidationError) as exc_info:
        business.full_clean()
    assert exc_info.value.message_dict["slug"] == [
        "“claim” được dành cho các trang của hệ thống; hãy chọn slug khác."
    ]


def test_new_business_with_a_listed_tax_code_is_refused():
    BusinessFactory(tax_code="5701234567")
    with pytest.raises(SellerError) as exc_info:
        _new(UserFactory(), tax_code="5701 234 567")
    assert _error(exc_info) == ("duplicate", "tax_code")
    assert Business.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "  ", "required"),
        ("legal_type", "llc", "invalid"),
        ("seller_type", "wholesaler", "invalid"),
        ("contact_phone", "12345", "invalid"),
        ("contact_name", "", "required"),
        ("tax_code", "", "required"),
    ],
)
def test_new_business_application_validates_its_input(field, value, code):
    with pytest.raises(SellerError) as exc_info:
        _new(UserFactory(), **{field: value})
    assert _error(exc_info) == (code, field)
    assert Business.objects.count() == 0


# --- staff review -------------------------------------------------------------------------------


def test_approve_makes_the_applicant_owner_and_the_business_verified(staff_user):
    business = BusinessFactory(tax_code="")
    user = UserFactory()
    application = _claim(user, business, tax_code="5700100256")
    seller_application_approve(application=application, reviewer=staff_user)
    business.refresh_from_db()
    application.refresh_from_db()
    assert (business.status, business.tax_code) == (SellerStatus.VERIFIED, "5700100256")
    assert (application.status, application.reviewed_by) == (
        ApplicationStatus.APPROVED,
        staff_user,
    )
    assert list(Membership.objects.values_list("user", "business", "role")) == [
        (user.pk, business.pk, "owner")
    ]


def test_only_staff_review_and_only_once(staff_user):
    application = _claim(UserFactory(), BusinessFactory())
    with pytest.raises(PermissionDenied):
        seller_application_approve(application=application, reviewer=UserFactory())
    with pytest.raises(PermissionDenied):
        seller_application_reject(application=application, reviewer=UserFactory(), note="no")
    seller_application_approve(application=application, reviewer=staff_user)
    with pytest.raises(SellerError) as exc_info:
        seller_application_reject(application=application, reviewer=staff_user, note="late")
    assert exc_info.value.code == "invalid_status"
    assert SellerApplication.objects.get().status == ApplicationStatus.APPROVED


def test_reject_a_claim_with_a_note_frees_the_business(staff_user):
    business = BusinessFactory()
    application = _claim(UserFactory(), business)
    seller_application_reject(
        application=application, reviewer=staff_user, note="  Không khớp đăng ký  "
    )
    application.refresh_from_db()
    assert (application.status, application.review_note) == ("rejected", "Không khớp đăng ký")
    assert Business.objects.get(pk=business.pk).status == SellerStatus.UNCLAIMED
    assert Membership.objects.count() == 0
    # The real owner can claim it now.
    _claim(UserFactory(), business)


def test_reject_needs_a_note(staff_user):
    application = _claim(UserFactory(), BusinessFactory())
    with pytest.raises(SellerError) as exc_info:
        seller_application_reject(application=application, reviewer=staff_user, note="   ")
    assert _error(exc_info) == ("required", "note")
    assert SellerApplication.objects.get().status == "pending"


def test_reject_a_new_business_keeps_it_off_the_marketplace(staff_user):
    application = _new(UserFactory())
    seller_application_reject(application=application, reviewer=staff_user, note="Giả mạo")
    assert Business.objects.get().status == SellerStatus.SUSPENDED


# --- activation, suspension ---------------------------------------------------------------------


def test_activation_by_an_owner_of_a_verified_business():
    membership = MembershipFactory(business__status=SellerStatus.VERIFIED, role="owner")
    business = business_activate(business=membership.business, user=membership.user)
    assert business.status == SellerStatus.ACTIVE
    assert business.terms_accepted_at is not None


@pytest.mark.parametrize(
    "status",
    [SellerStatus.UNCLAIMED, SellerStatus.CLAIMED, SellerStatus.ACTIVE, SellerStatus.SUSPENDED],
)
def test_activation_only_from_verified(status):
    membership = MembershipFactory(business__status=status, role="owner")
    with pytest.raises(SellerError) as exc_info:
        business_activate(business=membership.business, user=membership.user)
    assert _error(exc_info) == ("invalid_status", "business")
    business = Business.objects.get()
    assert (business.status, business.terms_accepted_at) == (status, None)


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_activation_only_by_owners(role, staff_user):
    membership = MembershipFactory(business__status=SellerStatus.VERIFIED, role=role)
    for user in (membership.user, staff_user, UserFactory()):
        with pytest.raises(PermissionDenied):
            business_activate(business=membership.business, user=user)
    assert Business.objects.get().status == SellerStatus.VERIFIED


def test_suspend_and_reinstate_are_staff_only(staff_user):
    membership = MembershipFactory(business__status=SellerStatus.ACTIVE, role="owner")
    business = membership.business
    business.terms_accepted_at = timezone.now()
    business.save()
    with pytest.raises(PermissionDenied):
        business_suspend(business=business, reviewer=membership.user)
    assert Business.objects.get().status == SellerStatus.ACTIVE
    business_suspend(business=business, reviewer=staff_user)
    assert Business.objects.get().status == SellerStatus.SUSPENDED
    with pytest.raises(PermissionDenied):
        business_reinstate(business=business, reviewer=membership.user)
    assert Business.objects.get().status == SellerStatus.SUSPENDED
    business_reinstate(business=business, reviewer=staff_user)
    assert Business.objects.get().status == SellerStatus.ACTIVE


def test_reinstate_returns_a_never_activated_seller_to_verified(staff_user):
    membership = MembershipFactory(business__status=SellerStatus.VERIFIED, role="owner")
    business_suspend(business=membership.business, reviewer=staff_user)
    business = business_reinstate(business=membership.business, reviewer=staff_user)
    assert business.status == SellerStatus.VERIFIED


def test_reinstate_needs_an_owner(staff_user):
    # Fixed bug: any membership used to do; a business run by nobody must stay suspended.
    membership = MembershipFactory(business__status=SellerStatus.SUSPENDED, role="staff")
    with pytest.raises(SellerError) as exc_info:
        business_reinstate(business=membership.business, reviewer=staff_user)
    assert exc_info.value.code == "invalid_status"
    assert Business.objects.get().status == SellerStatus.SUSPENDED


def test_suspend_refuses_sellers_not_verified_or_active(staff_user):
    business = BusinessFactory(status=SellerStatus.UNCLAIMED)
    with pytest.raises(SellerError):
        business_suspend(business=business, reviewer=staff_user)
    assert Business.objects.get().status == SellerStatus.UNCLAIMED


# --- invitations --------------------------------------------------------------------------------


def _invite(owner_membership, email="moi@example.vn", role="manager", **kwargs):
    return membership_invite(
        business=owner_membership.business, inviter=owner_membership.user, email=email, role=role,
        **kwargs,
    )  # fmt: skip


def test_invite_emails_a_link_and_stores_only_a_hash(django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://cho-ocop.vn"
    owner = MembershipFactory(role="owner")
    with django_capture_on_commit_callbacks(execute=True):
        invitation, raw = _invite(owner, email=" Moi@Example.VN ")
    assert invitation.email == "moi@example.vn"
    assert invitation.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(list(Invitation.objects.values_list()))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["moi@example.vn"]
    assert f"https://cho-ocop.vn/seller/invitations/{raw}/" in message.body
    assert owner.business.name in message.subject


def test_only_owners_invite():
    manager = MembershipFactory(role="manager")
    with pytest.raises(PermissionDenied):
        _invite(manager)
    assert Invitation.objects.count() == 0


def test_invite_refuses_members_and_bad_input():
    owner = MembershipFactory(role="owner")
    with pytest.raises(SellerError) as exc_info:
        _invite(owner, email=owner.user.email.upper())
    assert _error(exc_info) == ("duplicate", "email")
    with pytest.raises(SellerError) as exc_info:
        _invite(owner, email="not an email")
    assert _error(exc_info) == ("invalid", "email")
    with pytest.raises(SellerError) as exc_info:
        _invite(owner, role="boss")
    assert _error(exc_info) == ("invalid", "role")
    assert Invitation.objects.count() == 0


def test_accept_by_the_invited_email_only():
    owner = MembershipFactory(role="owner")
    invitation, raw = _invite(owner, email="moi@example.vn", role="manager")
    stranger = UserFactory(email="other@example.vn")
    with pytest.raises(SellerError) as exc_info:
        invitation_accept(token=raw, user=stranger)
    assert _error(exc_info) == ("invalid", "token")
    assert not Membership.objects.filter(user=stranger).exists()
    invited = UserFactory(email="Moi@example.vn")
    membership = invitation_accept(token=raw, user=invited)
    assert (membership.business, membership.role) == (owner.business, "manager")
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (invited, True)


def test_a_used_invitation_is_refused():
    owner = MembershipFactory(role="owner")
    _invitation, raw = _invite(owner)
    invited = UserFactory(email="moi@example.vn")
    invitation_accept(token=raw, user=invited)
    Membership.objects.filter(user=invited).delete()
    with pytest.raises(SellerError) as exc_info:
        invitation_accept(token=raw, user=invited)
    assert _error(exc_info) == ("invalid", "token")
    assert not Membership.objects.filter(user=invited).exists()


def test_an_expired_invitation_is_refused():
    owner = MembershipFactory(role="owner")
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    _invitation, raw = _invite(owner, now=eight_days_ago)
    with pytest.raises(SellerError) as exc_info:
        invitation_accept(token=raw, user=UserFactory(email="moi@example.vn"))
    assert _error(exc_info) == ("expired", "token")
    assert Membership.objects.count() == 1


def test_an_unknown_token_is_refused():
    with pytest.raises(SellerError) as exc_info:
        invitation_accept(token="nope", user=UserFactory())
    assert _error(exc_info) == ("invalid", "token")


# --- roles and removal --------------------------------------------------------------------------


def test_owner_changes_roles_and_removes_members():
    owner = MembershipFactory(role="owner")
    member = MembershipFactory(business=owner.business, role="staff")
    membership_role_change(actor=owner.user, membership=member, role="manager")
    assert Membership.objects.get(pk=member.pk).role == "manager"
    membership_remove(actor=owner.user, membership=member)
    assert not Membership.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_only_owners_change_roles_or_remove(role):
    owner = MembershipFactory(role="owner")
    actor = MembershipFactory(business=owner.business, role=role)
    target = MembershipFactory(business=owner.business, role="staff")
    with pytest.raises(PermissionDenied):
        membership_role_change(actor=actor.user, membership=target, role="owner")
    with pytest.raises(PermissionDenied):
        membership_remove(actor=actor.user, membership=owner)
    assert sorted(Membership.objects.values_list("role", flat=True)) == sorted(
        ["owner", role, "staff"]
    )


def test_owner_of_another_business_cannot_touch_this_team():
    owner = MembershipFactory(role="owner")
    outsider = MembershipFactory(role="owner")
    with pytest.raises(PermissionDenied):
        membership_remove(actor=outsider.user, membership=owner)
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_last_owner_is_protected():
    owner = MembershipFactory(role="owner")
    with pytest.raises(SellerError) as exc_info:
        membership_role_change(actor=owner.user, membership=owner, role="manager")
    assert _error(exc_info) == ("invalid", "role")
    with pytest.raises(SellerError) as exc_info:
        membership_remove(actor=owner.user, membership=owner)
    assert _error(exc_info) == ("invalid", "membership")
    assert Membership.objects.get().role == "owner"
    # With a second owner, the first may step down.
    MembershipFactory(business=owner.business, role="owner")
    membership_role_change(actor=owner.user, membership=owner, role="manager")
    assert Membership.objects.get(pk=owner.pk).role == "manager"


# --- API tokens ---------------------------------------------------------------------------------


def test_token_is_stored_hashed_and_authenticates():
    owner = MembershipFactory(role="owner")
    token, raw = api_token_create(business=owner.business, user=owner.user, name="Cổng tỉnh")
    assert raw.startswith("ocop_") and len(raw) > 40
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:11]
    stored = str(list(ApiToken.objects.values_list()))
    assert raw not in stored
    found = api_token_authenticate(raw=raw)
    assert (found.pk, found.user, found.business) == (token.pk, owner.user, owner.business)
    assert ApiToken.objects.get().last_used_at is not None
    assert api_token_authenticate(raw=raw + "x") is None
    assert api_token_authenticate(raw="not-a-token") is None


def test_staff_members_cannot_create_or_revoke_tokens():
    owner = MembershipFactory(role="owner")
    staff = MembershipFactory(business=owner.business, role="staff")
    with pytest.raises(PermissionDenied):
        api_token_create(business=owner.business, user=staff.user, name="x")
    token, _raw = api_token_create(business=owner.business, user=owner.user, name="x")
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, user=staff.user)
    assert ApiToken.objects.get().revoked_at is None


def test_token_name_is_required_and_bounded():
    owner = MembershipFactory(role="owner")
    for name, code in (("  ", "required"), ("x" * 101, "invalid")):
        with pytest.raises(SellerError) as exc_info:
            api_token_create(business=owner.business, user=owner.user, name=name)
        assert _error(exc_info) == (code, "name")
    assert ApiToken.objects.count() == 0


def test_revoked_token_fails():
    manager = MembershipFactory(role="manager")
    token, raw = api_token_create(business=manager.business, user=manager.user, name="App")
    api_token_revoke(token=token, user=manager.user)
    assert api_token_authenticate(raw=raw) is None


def test_token_stops_working_when_its_creator_is_removed():
    owner = MembershipFactory(role="owner")
    manager = MembershipFactory(business=owner.business, role="manager")
    _token, raw = api_token_create(business=owner.business, user=manager.user, name="App")
    assert api_token_authenticate(raw=raw) is not None
    membership_remove(actor=owner.user, membership=manager)
    assert api_token_authenticate(raw=raw) is None
    assert ApiToken.objects.get().revoked_at is not None


def test_token_stops_working_when_its_creator_is_deactivated():
    owner = MembershipFactory(role="owner")
    _token, raw = api_token_create(business=owner.business, user=owner.user, name="App")
    get_user_model().objects.filter(pk=owner.user.pk).update(is_active=False)
    assert api_token_authenticate(raw=raw) is None
