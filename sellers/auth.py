"""API token authentication for integrators (``Authorization: Bearer ocop_…``).

How the GraphQL view uses it (call it first thing in ``dispatch``)::

    from sellers.auth import InvalidApiToken, authenticate_api_request, unauthorized_response

    try:
        authenticate_api_request(request)
    except InvalidApiToken as exc:
        return unauthorized_response(exc)

After the call:

* ``request.api_token`` is the ``ApiToken`` (or None when no ``Authorization`` header was sent,
  i.e. an anonymous or session request — those are left exactly as they were);
* with a token, ``request.user`` is the token's creator.

A token acts as its creator **for one business only**. Resolvers that act for a seller must
therefore look the business up through ``seller_businesses(request)`` (not
``businesses_for_user`` directly): with a token it is narrowed to the token's business, so a
token created for cooperative A cannot touch cooperative B even when its creator belongs to both.
Services still check the creator's role on every call (``membership_require``), and a token
stops working once it is revoked or its creator leaves the business.

This is deliberately not a global middleware: the HTML views rely on the session and CSRF, and
a header must not grant them anything.
"""

from __future__ import annotations

import json

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from sellers.models import ApiToken, Business
from sellers.selectors import ROLES_ALL, businesses_for_user
from sellers.services import api_token_authenticate

BEARER = "bearer"


class InvalidApiToken(Exception):
    """An ``Authorization`` header was sent but does not name a live token (→ HTTP 401)."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def bearer_token(request) -> str | None:
    """The raw token from ``Authorization: Bearer <token>``; None when there is no such header.

    Raises InvalidApiToken for a header that is present but malformed: failing loudly tells an
    integrator their setup is wrong instead of silently serving them anonymous data.
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.strip():
        return None
    scheme, _sep, raw = header.strip().partition(" ")
    raw = raw.strip()
    if scheme.lower() != BEARER or not raw or " " in raw:
        raise InvalidApiToken(_("Send the API token as “Authorization: Bearer ocop_…”."))
    return raw


def authenticate_api_request(request) -> ApiToken | None:
    """Resolve the bearer token of ``request``; see the module docstring for the contract."""
    request.api_token = None
    raw = bearer_token(request)
    if raw is None:
        return None
    token = api_token_authenticate(raw=raw)
    if token is None:
        raise InvalidApiToken(_("The API token is not valid, has been revoked, or has expired."))
    request.api_token = token
    # The token's creator replaces any session user: one request, one identity.
    request.user = token.user
    return token


def seller_businesses(request, *, roles=ROLES_ALL) -> QuerySet[Business]:
    """The businesses ``request`` may act for: the user's memberships, narrowed to the token's
    business when the request came with an API token."""
    businesses = businesses_for_user(user=request.user, roles=roles)
    token = getattr(request, "api_token", None)
    if token is not None:
        businesses = businesses.filter(pk=token.business_id)
    return businesses


def unauthorized_response(error: InvalidApiToken) -> HttpResponse:
    """A GraphQL-shaped 401 with the ``WWW-Authenticate`` challenge RFC 6750 asks for (the code
    is ErrorCode.PERMISSION_DENIED's name, the schema's code for refused credentials)."""
    error_body = {"message": str(error.message), "extensions": {"code": "PERMISSION_DENIED"}}
    body = {"errors": [error_body]}
    response = HttpResponse(json.dumps(body), status=401, content_type="application/json")
    response["WWW-Authenticate"] = 'Bearer realm="ocop", error="invalid_token"'
    return response
