"""Who may act for an organiser: its members, by the roles sellers use (owner, manager, staff)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from marketplace.fairs.models import Organiser, OrganiserMembership
from sellers.errors import PermissionDenied
from sellers.selectors import ROLES_ALL, ROLES_MANAGE

__all__ = ["ROLES_ALL", "ROLES_MANAGE", "organiser_member_require", "organisers_for_user"]


def organisers_for_user(*, user, roles=ROLES_ALL):
    if user is None or not user.is_authenticated:
        return Organiser.objects.none()
    return Organiser.objects.filter(
        memberships__user=user, memberships__role__in=roles, approved_at__isnull=False
    ).distinct()


def organiser_member_require(*, user, organiser: Organiser, roles=ROLES_MANAGE):
    """The user's membership of an approved ``organiser`` with one of ``roles``, or
    PermissionDenied (the same error and rule as ``sellers.services.membership_require``)."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to do this."))
    membership = OrganiserMembership.objects.filter(user=user, organiser=organiser).first()
    if membership is None or membership.role not in roles:
        raise PermissionDenied(_("You do not have permission to do this for this organiser."))
    if not organiser.is_approved:
        raise PermissionDenied(
            _("This organiser is waiting for approval by the marketplace staff.")
        )
    return membership
