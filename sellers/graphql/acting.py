"""Acting for a seller.

Every seller-side query and mutation — of this package and of the packages above — finds its
objects through these helpers: the business must be one the request acts for (the user's
memberships, narrowed to the token's business when the request came with an API token). A raw
ID is never trusted on its own.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from graphql import GraphQLError

from core.graphql.errors import ErrorCode, api_error
from core.graphql.relay import from_global_id_or_error
from sellers.auth import seller_businesses
from sellers.errors import PermissionDenied, SellerError
from sellers.models import Business
from sellers.selectors import ROLES_ALL


def acting_businesses(info, *, roles=ROLES_ALL) -> QuerySet[Business]:
    """The businesses the request may act for (none when anonymous)."""
    request = info.context
    if getattr(request, "user", None) is None:
        return Business.objects.none()
    return seller_businesses(request, roles=roles)


def acting_business_ids(info) -> frozenset[int]:
    """``acting_businesses`` as a set of IDs, read once per request (resolvers that hide
    seller-only data from the public ask it once per row)."""
    request = info.context
    cached = getattr(request, "_ocop_acting_business_ids", None)
    if cached is None:
        cached = frozenset(acting_businesses(info).values_list("pk", flat=True))
        request._ocop_acting_business_ids = cached
    return cached


def id_or_error(global_id, graphene_type, *, field: str) -> int:
    """The primary key of a typed global ID; a malformed or mistyped one is an input error on
    ``field`` (a mutation's ``errors``), not a failure of the whole request."""
    try:
        return from_global_id_or_error(global_id, graphene_type)
    except GraphQLError as exc:
        raise SellerError(exc.message, code="invalid", field=field) from None


def own_object(info, queryset, global_id, graphene_type, *, through: str, field: str):
    """The object ``global_id`` names, if its business (reached by the lookup path ``through``,
    e.g. "seller" or "product__holder") is one the request acts for; else PermissionDenied.

    Another business's object and an object that does not exist get the same answer, so IDs
    cannot be probed. The role is left to the service, which checks it again on every call.
    """
    pk = id_or_error(global_id, graphene_type, field=field)
    found = queryset.filter(pk=pk, **{f"{through}__in": acting_businesses(info)}).first()
    if found is None:
        raise PermissionDenied(
            _("There is no such object among the businesses you act for."), field=field
        )
    return found


def public_object(queryset, global_id, graphene_type, *, field: str):
    """An object anyone may name (a product variant, a reseller): NOT_FOUND when absent."""
    pk = id_or_error(global_id, graphene_type, field=field)
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise SellerError(
            _("There is no %(type)s with this ID.") % {"type": graphene_type._meta.name},
            code="not_found",
            field=field,
        )
    return found


def business_acted_for(info, global_id) -> Business:
    """The business ``global_id`` names if the request acts for it; else a PERMISSION_DENIED
    error that says nothing about the business (for queries: mutations use ``own_object``)."""
    pk = from_global_id_or_error(global_id, "Business")
    business = acting_businesses(info).filter(pk=pk).first()
    if business is None:
        raise api_error(_("You do not act for this business."), ErrorCode.PERMISSION_DENIED)
    return business
