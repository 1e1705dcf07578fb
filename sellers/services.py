"""Writes on the seller side: claiming and applying, staff review, activation and suspension,
team memberships and invitations, API tokens. Every function that acts for a user checks the
user's membership first (``membership_require``), so callers cannot skip the check."""

import datetime
import hashlib
import re
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mail import email_queue
from core.phone import PhoneInvalid, phone_normalise
from core.search import search_rows_changed
from core.site import site_url
from core.text import fold, nfc
from sellers.errors import PermissionDenied, SellerError
from sellers.models import (
    ApiToken,
    ApplicationKind,
    ApplicationStatus,
    Business,
    Invitation,
    LegalType,
    Membership,
    MembershipRole,
    SellerApplication,
    SellerStatus,
    SellerType,
    business_slug_base,
)
from sellers.notifications import application_decision_notify
from sellers.selectors import ROLES_ALL, ROLES_MANAGE, ROLES_OWNER

INVITATION_DAYS = 7
TOKEN_PREFIX = "ocop_"
TOKEN_NAME_MAX = 100  # ApiToken.name max_length

# A Vietnamese tax code (mã số thuế) is 10 digits; a branch adds "-" and 3 digits.
_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def membership_require(*, user, business: Business, roles=ROLES_ALL) -> Membership:
    """The user's membership of ``business`` with one of ``roles``, or PermissionDenied.

    Staff are not members: the admin is their tool, and the seller workspace stays the seller's.
    """
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to do this."))
    membership = Membership.objects.filter(user=user, business=business).first()
    if membership is None or membership.role not in roles:
        raise PermissionDenied(_("You do not have permission to do this for this business."))
    return membership


def _tax_code(value: str) -> str:
    return "".join(ch for ch in nfc(value) if ch.isdigit() or ch == "-")


def tax_code_normalise(value: str) -> str:
    """The tax code in its canonical form ("0101234567" or "0101234567-001"), or SellerError.

    Registry files and people write branch codes with or without the dash and with spaces; both
    sides of a comparison go through this so the same code always compares equal.
    """
    given = _tax_code(value)
    if not given:
        raise SellerError(_("Enter the business's tax code."), code="required", field="tax_code")
    if len(given) == 13 and given.isdigit():
        given = f"{given[:10]}-{given[10:]}"
    if not _TAX_CODE.match(given):
        raise SellerError(
            _("A tax code is 10 digits, or 10 digits, a dash and 3 digits for a branch."),
            code="invalid",
            field="tax_code",
        )
    return given


def contact_phone_normalise(value: str) -> str:
    """An application's contact phone in E.164 (the rule is ``core.phone``'s)."""
    try:
        return phone_normalise(value)
    except PhoneInvalid as exc:
        raise SellerError(exc.message, code=exc.code, field="contact_phone") from None


def _contact_name(value: str) -> str:
    name = nfc(value)
    if not name:
        raise SellerError(_("Enter a contact name."), code="required", field="contact_name")
    if len(name) > 255:
        raise SellerError(_("The name is too long."), code="invalid", field="contact_name")
    return name


def _tax_code_or_raw(value: str) -> str:
    try:
        return tax_code_normalise(value)
    except SellerError:
        return value


def _unique_slug(name: str) -> str:
    base = business_slug_base(name)
    slug, n = base, 2
    while Business.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def seller_application_submit_claim(
    *,
    user,
    business: Business,
    tax_code: str,
    contact_name: str,
    contact_phone: str,
    evidence: str = "",
    language: str = "vi",
) -> SellerApplication:
    """Claim a business imported from the registry. The tax code must match the registry's when
    the registry has one; staff then verify the claim."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to claim a business."))
    business = Business.objects.select_for_update().get(pk=business.pk)
    if business.status != SellerStatus.UNCLAIMED:
        raise SellerError(
            _("This business has already been claimed."), code="invalid_status", field="business"
        )
    given = tax_code_normalise(tax_code)
    # The registry's code is compared in canonical form too: imports keep what the file gave
    # (spaces, a branch suffix without its dash), which must not turn a right code away.
    if business.tax_code and given != _tax_code_or_raw(business.tax_code):
        raise SellerError(
            _("The tax code does not match the registry's record for this business."),
            code="invalid",
            field="tax_code",
        )
    application = SellerApplication.objects.create(
        kind=ApplicationKind.CLAIM,
        business=business,
        applicant=user,
        tax_code=given,
        contact_name=_contact_name(contact_name),
        contact_phone=contact_phone_normalise(contact_phone),
        evidence=nfc(evidence),
        language=(language or "vi")[:2],
    )
    business.status = SellerStatus.CLAIMED
    business.save(update_fields=["status", "updated_at"])
    return application


@transaction.atomic
def seller_application_submit_new(
    *,
    user,
    name: str,
    legal_type: str,
    tax_code: str,
    province,
    commune: str,
    street: str,
    contact_name: str,
    contact_phone: str,
    seller_type: str = "producer",
    evidence: str = "",
    language: str = "vi",
) -> SellerApplication:
    """Apply with a business the registry does not know (e.g. an OCOP centre or distributor)."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to apply."))
    name = nfc(name)
    if not name:
        raise SellerError(_("Enter the business name."), code="required", field="name")
    if len(name) > 255:
        raise SellerError(_("The name is too long."), code="invalid", field="name")
    given = tax_code_normalise(tax_code)
    if legal_type not in LegalType.values:
        raise SellerError(_("Choose a legal type."), code="invalid", field="legal_type")
    if seller_type not in SellerType.values:
        raise SellerError(_("Choose a seller type."), code="invalid", field="seller_type")
    if province is None:
        raise SellerError(_("Choose a province."), code="required", field="province")
    contact_name = _contact_name(contact_name)
    contact_phone = contact_phone_normalise(contact_phone)
    if Business.objects.filter(tax_code=given).exists():
        raise SellerError(
            _("A business with this tax code is already listed: claim it instead."),
            code="duplicate",
            field="tax_code",
        )
    business = Business.objects.create(
        name=name,
        name_folded=fold(name),
        slug=_unique_slug(name),
        legal_type=legal_type,
        tax_code=given,
        province=province,
        commune=nfc(commune),
        street=nfc(street),
        seller_type=seller_type,
        status=SellerStatus.CLAIMED,
    )
    return SellerApplication.objects.create(
        kind=ApplicationKind.NEW,
        business=business,
        applicant=user,
        tax_code=given,
        contact_name=contact_name,
        contact_phone=contact_phone,
        evidence=nfc(evidence),
        language=(language or "vi")[:2],
    )


def _pending(application: SellerApplication) -> SellerApplication:
    application = SellerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise SellerError(_("This application has already been reviewed."), code="invalid_status")
    return application


@transaction.atomic
def seller_application_approve(*, application: SellerApplication, reviewer) -> Business:
    """Staff verify: the applicant becomes the business's owner; the business is verified."""
    if not reviewer.is_staff:
        raise PermissionDenied(_("Only marketplace staff review applications."))
    application = _pending(application)
    application.status = ApplicationStatus.APPROVED
    application.reviewed_by = reviewer
    application.reviewed_at = timezone.now()
    application.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    business = Business.objects.select_for_update().get(pk=application.business_id)
    business.status = SellerStatus.VERIFIED
    if not business.tax_code:
        business.tax_code = application.tax_code
    business.save(update_fields=["status", "tax_code", "updated_at"])
    Membership.objects.update_or_create(
        user=application.applicant, business=business, defaults={"role": MembershipRole.OWNER}
    )
    # The claim page promises an e-mail after review; sent once this transaction commits.
    application_decision_notify(application=application)
    return business


@transaction.atomic
def seller_application_reject(*, application: SellerApplication, reviewer, note: str) -> None:
    if not reviewer.is_staff:
        raise PermissionDenied(_("Only marketplace staff review applications."))
    if not nfc(note):
        raise SellerError(_("Say why the application is rejected."), code="required", field="note")
    application = _pending(application)
    application.status = ApplicationStatus.REJECTED
    application.reviewed_by = reviewer
    application.reviewed_at = timezone.now()
    application.review_note = nfc(note)
    application.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    business = Business.objects.select_for_update().get(pk=application.business_id)
    # A rejected claim frees the registry business for its real owner to claim.
    business.status = (
        SellerStatus.UNCLAIMED
        if application.kind == ApplicationKind.CLAIM
        else SellerStatus.SUSPENDED
    )
    business.save(update_fields=["status", "updated_at"])
    application_decision_notify(application=application)


@transaction.atomic
def business_activate(*, business: Business, user) -> Business:
    """The owner accepts the seller terms; a verified business becomes an active seller."""
    membership_require(user=user, business=business, roles=ROLES_OWNER)
    business = Business.objects.select_for_update().get(pk=business.pk)
    if business.status != SellerStatus.VERIFIED:
        raise SellerError(
            _("Only a verified business can start selling."),
            code="invalid_status",
            field="business",
        )
    business.status = SellerStatus.ACTIVE
    business.terms_accepted_at = timezone.now()
    business.save(update_fields=["status", "terms_accepted_at", "updated_at"])
    search_rows_changed(Business, [business.pk])
    return business


@transaction.atomic
def business_suspend(*, business: Business, reviewer) -> Business:
    """Hides every offer of the seller at once (visibility checks the seller's status)."""
    if not reviewer.is_staff:
        raise PermissionDenied(_("Only marketplace staff suspend sellers."))
    business = Business.objects.select_for_update().get(pk=business.pk)
    if business.status not in (SellerStatus.ACTIVE, SellerStatus.VERIFIED):
        raise SellerError(
            _("Only a verified or active seller can be suspended."), code="invalid_status"
        )
    business.status = SellerStatus.SUSPENDED
    business.save(update_fields=["status", "updated_at"])
    search_rows_changed(Business, [business.pk])
    return business


@transaction.atomic
def business_reinstate(*, business: Business, reviewer) -> Business:
    if not reviewer.is_staff:
        raise PermissionDenied(_("Only marketplace staff reinstate sellers."))
    business = Business.objects.select_for_update().get(pk=business.pk)
    # An owner, not just any member: reinstating a seller nobody can run would publish offers
    # no one answers for (a rejected new business has no members at all).
    has_owner = business.memberships.filter(role=MembershipRole.OWNER).exists()
    if business.status != SellerStatus.SUSPENDED or not has_owner:
        raise SellerError(
            _("Only a suspended seller with an owner can be reinstated."), code="invalid_status"
        )
    business.status = SellerStatus.ACTIVE if business.terms_accepted_at else SellerStatus.VERIFIED
    business.save(update_fields=["status", "updated_at"])
    search_rows_changed(Business, [business.pk])
    return business


def membership_invite(
    *, business: Business, inviter, email: str, role: str, now: datetime.datetime | None = None
) -> tuple[Invitation, str]:
    """Email an invitation; returns it and the raw token (only its hash is stored)."""
    membership_require(user=inviter, business=business, roles=ROLES_OWNER)
    email = nfc(email).lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise SellerError(_("Enter a valid email address."), code="invalid", field="email") from exc
    if role not in MembershipRole.values:
        raise SellerError(_("Choose a role."), code="invalid", field="role")
    if Membership.objects.filter(business=business, user__email__iexact=email).exists():
        raise SellerError(_("This person is already a member."), code="duplicate", field="email")
    raw = secrets.token_urlsafe(32)
    now = now or timezone.now()
    invitation = Invitation.objects.create(
        business=business,
        email=email,
        role=role,
        token_hash=_hash(raw),
        invited_by=inviter,
        expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
    )
    context = {
        "business": business,
        "invitation": invitation,
        "token": raw,
        "SITE_URL": site_url(),
    }
    # Sent by the e-mail task once the invitation is committed (never if it rolls back).
    email_queue(
        subject=_("You are invited to join %(business)s on OCOP Marketplace")
        % {"business": business.name},
        body=render_to_string("sellers/email/invitation.txt", context),
        to=[email],
        user=inviter,
    )
    return invitation, raw


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to accept the invitation."))
    invitation = Invitation.objects.select_for_update().filter(token_hash=_hash(token)).first()
    if invitation is None or invitation.revoked_at or invitation.accepted_at:
        raise SellerError(_("This invitation is not valid."), code="invalid", field="token")
    if invitation.expires_at < timezone.now():
        raise SellerError(_("This invitation has expired."), code="expired", field="token")
    if invitation.email != (user.email or "").lower():
        raise SellerError(
            _("This invitation was sent to another email address."), code="invalid", field="token"
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    membership, _created = Membership.objects.get_or_create(
        user=user, business=invitation.business, defaults={"role": invitation.role}
    )
    return membership


def _lock_team(membership: Membership) -> Membership:
    """Lock the business row, then re-read the membership.

    Locking only the membership let two owners demote or remove each other at the same time:
    each saw the other still an owner, and the business was left with none. Every team change
    takes the business lock first, so the "another owner" check runs one at a time.
    """
    list(Business.objects.select_for_update().filter(pk=membership.business_id))
    return Membership.objects.select_for_update().select_related("business").get(pk=membership.pk)


def _other_owners(membership: Membership) -> bool:
    return (
        Membership.objects.filter(business=membership.business_id, role=MembershipRole.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_role_change(*, actor, membership: Membership, role: str) -> Membership:
    membership = _lock_team(membership)
    membership_require(user=actor, business=membership.business, roles=ROLES_OWNER)
    if role not in MembershipRole.values:
        raise SellerError(_("Choose a role."), code="invalid", field="role")
    if (
        membership.role == MembershipRole.OWNER
        and role != MembershipRole.OWNER
        and not _other_owners(membership)
    ):
        raise SellerError(_("A business needs at least one owner."), code="invalid", field="role")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    membership = _lock_team(membership)
    membership_require(user=actor, business=membership.business, roles=ROLES_OWNER)
    if membership.role == MembershipRole.OWNER and not _other_owners(membership):
        raise SellerError(
            _("A business needs at least one owner."), code="invalid", field="membership"
        )
    # Tokens act as their creator: they stop working with the membership.
    ApiToken.objects.filter(
        business=membership.business_id, user=membership.user_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    membership.delete()


def api_token_create(*, business: Business, user, name: str) -> tuple[ApiToken, str]:
    """A token for an integrator; the raw value is shown once and only its hash is stored."""
    membership_require(user=user, business=business, roles=ROLES_MANAGE)
    name = nfc(name)
    if not name:
        raise SellerError(_("Name the token."), code="required", field="name")
    if len(name) > TOKEN_NAME_MAX:
        raise SellerError(
            _("Token names are at most %(max)d characters.") % {"max": TOKEN_NAME_MAX},
            code="invalid",
            field="name",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        business=business,
        user=user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        token_hash=_hash(raw),
    )
    return token, raw


def api_token_revoke(*, token: ApiToken, user) -> ApiToken:
    membership_require(user=user, business=token.business, roles=ROLES_MANAGE)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token for ``raw`` whose creator is still a member, or None."""
    if not isinstance(raw, str) or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "business")
        .filter(token_hash=_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if (
        token is None
        or not Membership.objects.filter(user=token.user_id, business=token.business_id).exists()
    ):
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def user_register(*, email: str, password: str, full_name: str = ""):
    """A buyer or seller account; the email is the sign-in name."""
    User = get_user_model()
    email = nfc(email).lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise SellerError(_("Enter a valid email address."), code="invalid", field="email") from exc
    if len(email) > 150:  # the username holds the email, and usernames stop at 150 characters
        raise SellerError(
            _("Use an email address of at most 150 characters."), code="invalid", field="email"
        )
    duplicate = SellerError(
        _("An account with this email already exists."), code="duplicate", field="email"
    )
    # Accounts made in the admin may have another username or a capitalised email; the email is
    # the sign-in name, so it must be unique whatever the case.
    if User.objects.filter(email__iexact=email).exists():
        raise duplicate
    first, _sep, last = nfc(full_name).rpartition(" ")
    user = User(
        username=email,
        email=email,
        first_name=(first or last)[:150],
        last_name=(last if first else "")[:150],
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise SellerError(" ".join(exc.messages), code="invalid", field="password") from exc
    user.set_password(password)
    try:
        # A savepoint: on PostgreSQL a failed INSERT otherwise poisons the caller's transaction.
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise duplicate from exc
    return user
