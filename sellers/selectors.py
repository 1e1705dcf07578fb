"""Reads scoped through memberships: a raw business id from a request is never trusted."""

import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from sellers.models import (
    ApiToken,
    ApplicationStatus,
    Business,
    Invitation,
    Membership,
    MembershipRole,
    SellerApplication,
)

ROLES_ALL = (MembershipRole.OWNER, MembershipRole.MANAGER, MembershipRole.STAFF)
ROLES_MANAGE = (MembershipRole.OWNER, MembershipRole.MANAGER)
ROLES_OWNER = (MembershipRole.OWNER,)


def businesses_for_user(*, user, roles=ROLES_ALL) -> QuerySet[Business]:
    """The businesses ``user`` belongs to with one of ``roles`` (none for anonymous users)."""
    if user is None or not user.is_authenticated:
        return Business.objects.none()
    return Business.objects.filter(memberships__user=user, memberships__role__in=roles).distinct()


def membership_get(*, user, business: Business) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, business=business).first()


def memberships_for_user(*, user) -> QuerySet[Membership]:
    if user is None or not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("business__province")


def memberships_of_business(*, business: Business) -> QuerySet[Membership]:
    """The team of ``business`` (the caller has already resolved it through a membership)."""
    return (
        Membership.objects.filter(business=business)
        .select_related("user")
        .order_by("user__email", "id")
    )


def invitations_pending(*, business: Business) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        business=business,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation a raw emailed token stands for (any state), or None. Only hashes are
    stored, so the lookup hashes the token the same way ``membership_invite`` did."""
    if not token:
        return None
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    return Invitation.objects.select_related("business").filter(token_hash=token_hash).first()


def api_tokens_of_business(*, business: Business) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(business=business).select_related("user")


def seller_applications_for_user(
    *, user, pending_only: bool = False
) -> QuerySet[SellerApplication]:
    if user is None or not user.is_authenticated:
        return SellerApplication.objects.none()
    applications = SellerApplication.objects.filter(applicant=user).select_related("business")
    if pending_only:
        applications = applications.filter(status=ApplicationStatus.PENDING)
    return applications
