"""Reads scoped through memberships: a raw business id from a request is never trusted."""

from django.db.models import QuerySet

from sellers.models import Business, Membership, MembershipRole

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
