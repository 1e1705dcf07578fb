"""Errors the API returns.

Two surfaces share one vocabulary of codes:

* mutations return ``errors: [Error!]!`` beside their object — expected failures (bad input,
  permission, a rule of the domain) are data, so a client can show them next to the field;
* everything else (malformed IDs, limits, unknown objects in queries) is a GraphQL error whose
  ``extensions.code`` is one of the same names.
"""

from __future__ import annotations

import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _
from graphql import GraphQLError


class ErrorCode(graphene.Enum):
    """Stable, machine-readable reasons. Domain errors' ``code`` strings map onto these."""

    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    OUT_OF_RANGE = "out_of_range"
    INVALID_STATUS = "invalid_status"
    NOT_RECOGNISED = "not_recognised"
    CONFLICT = "conflict"
    QUERY_TOO_DEEP = "query_too_deep"
    TOO_MANY_ALIASES = "too_many_aliases"
    QUERY_TOO_COSTLY = "query_too_costly"
    GRAPHQL_ERROR = "graphql_error"
    NOT_CERTIFIED = "not_certified"
    DUPLICATE = "duplicate"
    EXPIRED = "expired"
    IN_USE = "in_use"
    TOO_LONG = "too_long"
    TOO_MANY = "too_many"
    TOO_LARGE = "too_large"
    INVALID_IMAGE = "invalid_image"
    DAMAGED_IMAGE = "damaged_image"
    TOO_MANY_PIXELS = "too_many_pixels"
    SOLD_OUT = "sold_out"
    PRICE_CHANGED = "price_changed"
    OFFER_UNAVAILABLE = "offer_unavailable"
    INVALID_TRANSITION = "invalid_transition"
    EMPTY = "empty"
    PROVIDER_ERROR = "provider_error"
    PAYMENT_FAILED = "payment_failed"
    POINT_CLOSED = "point_closed"
    NOT_SELLER_PLACE = "not_seller_place"
    NOT_ENOUGH_STOCK = "not_enough_stock"
    # Fairs (``marketplace.fairs.errors.FairError``).
    ASSIGNED = "assigned"
    BOOTH_TAKEN = "booth_taken"
    CLOSED = "closed"
    ENOUGH = "enough"
    FREE = "free"
    INACTIVE = "inactive"
    LAYOUT_CLOSED = "layout_closed"
    NOT_ADJACENT = "not_adjacent"
    NOT_ASSIGNED = "not_assigned"
    OVERLAP = "overlap"
    PAID = "paid"
    RELEASED = "released"
    WINDOW_CLOSED = "window_closed"


_CODE_BY_VALUE = {member.value: member for member in ErrorCode._meta.enum}


class Error(graphene.ObjectType):
    """Why a mutation did not (fully) happen. ``field`` is the input at fault, if one is."""

    field = graphene.String(description="The input field at fault, or null for the whole input.")
    message = graphene.String(required=True, description="What is wrong, in the user's language.")
    code = graphene.Field(ErrorCode, required=True)


def error_code(code: str | None):
    """The ``ErrorCode`` member for a domain error's code string; unknown codes read INVALID."""
    return _CODE_BY_VALUE.get((code or "").lower(), ErrorCode.INVALID)


def api_error(message, code=ErrorCode.INVALID) -> GraphQLError:
    """A GraphQL (top-level) error carrying a code in ``extensions``."""
    name = code.name if hasattr(code, "name") else str(code)
    return GraphQLError(str(message), extensions={"code": name})


def errors_from_exception(exc: Exception) -> list[Error] | None:
    """Mutation ``errors`` for an expected failure, or None when ``exc`` is a real bug.

    Domain errors (``catalog.errors.RegistryError``, ``sellers.errors.SellerError``, …) all carry
    ``message``, ``code`` and ``field``; they are recognised by that shape so this module needs
    no import of a domain package.
    """
    if isinstance(exc, DjangoPermissionDenied):
        return [
            Error(
                field=None,
                message=str(exc) or _("You do not have permission to do this."),
                code=ErrorCode.PERMISSION_DENIED,
            )
        ]
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [
                Error(
                    field=None if field == NON_FIELD_ERRORS else field,
                    message=" ".join(error.messages),
                    code=error_code(getattr(error, "code", None)),
                )
                for field, errors in exc.error_dict.items()
                for error in errors
            ]
        return [
            Error(field=None, message=message, code=error_code(getattr(exc, "code", None)))
            for message in exc.messages
        ]
    if all(hasattr(exc, attr) for attr in ("message", "code", "field")):
        # Several refusals at once (``core.errors.DomainErrorCollector``) come back together.
        return [
            Error(field=each.field, message=str(each.message), code=error_code(each.code))
            for each in getattr(exc, "errors", None) or [exc]
        ]
    return None
