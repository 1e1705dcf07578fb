"""The GraphQL endpoint (``/graphql/``). See ``core.graphql.views`` for limits and CSRF.

Two things are added here, where the whole site's schema is served:

API tokens. ``Authorization: Bearer ocop_…`` authenticates the request as the token's creator,
limited to the token's business (``sellers.auth``; resolvers act for businesses through
``sellers.graphql.acting.acting_businesses``, which applies the limit). A header that is
malformed, or a token that is unknown, revoked, or whose creator has left the business, is
answered with HTTP 401 and a ``PERMISSION_DENIED`` error — never served as anonymous, so an
integrator with a dead token finds out at once instead of silently reading public data. A token
request needs no CSRF token: a header is not an ambient credential a third-party page can make a
browser send.

File uploads. graphene-django reads JSON bodies only; photos arrive as multipart requests in the
GraphQL multipart request spec (``operations`` JSON, ``map`` JSON, one part per file), which is
small enough to read here rather than add a dependency. Uploads get their own body limit (a
photo is far larger than any query); the photo service checks type, size and pixels itself.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import HttpError

from catalog.photos import MAX_BYTES as PHOTO_MAX_BYTES
from core.graphql.views import DEFAULT_MAX_BODY_BYTES, OcopGraphQLView
from sellers.auth import InvalidApiToken, authenticate_api_request, unauthorized_response

MULTIPART = "multipart/form-data"


def upload_body_limit() -> int:
    """Largest multipart body accepted: one photo plus a query's worth of form fields."""
    configured = getattr(settings, "GRAPHQL_MAX_UPLOAD_BYTES", None)
    if configured is not None:
        return configured
    photo = getattr(settings, "CATALOG_PHOTO_MAX_BYTES", PHOTO_MAX_BYTES)
    return photo + getattr(settings, "GRAPHQL_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)


def _json_error(status: int, message: str, code) -> HttpResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code.name}}]}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def _bad_request(message: str) -> HttpError:
    return HttpError(HttpResponseBadRequest(), message)


def _place(operations: dict, path: str, upload) -> None:
    """Put ``upload`` where ``path`` ("variables.image", "variables.files.0") points."""
    *parents, last = path.split(".")
    if not parents or parents[0] != "variables":
        raise _bad_request(_("Files can only be mapped into `variables`."))
    target = operations
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target.get(key)
        if target is None:
            raise _bad_request(
                _("The file map names `%(path)s`, which is missing.") % {"path": path}
            )
    if isinstance(target, list):
        target[int(last)] = upload
    else:
        target[last] = upload


def multipart_operations(request) -> dict:
    """The operation of a GraphQL multipart request, with its files in the variables."""
    try:
        operations = json.loads(request.POST["operations"])
        file_map = json.loads(request.POST.get("map") or "{}")
    except KeyError:
        raise _bad_request(_("A multipart request needs an `operations` field.")) from None
    except ValueError:
        raise _bad_request(_("`operations` and `map` must be JSON.")) from None
    if not isinstance(operations, dict) or not isinstance(file_map, dict):
        raise _bad_request(_("Send one operation per request (batches are not supported)."))
    for key, paths in file_map.items():
        upload = request.FILES.get(key)
        if upload is None or not isinstance(paths, list):
            raise _bad_request(
                _("The file map names a part `%(key)s` that was not sent.") % {"key": key}
            )
        for path in paths:
            try:
                _place(operations, str(path), upload)
            except (IndexError, ValueError, TypeError, AttributeError):
                raise _bad_request(
                    _("The file map path `%(path)s` is not valid.") % {"path": path}
                ) from None
    return operations


# The parent's exemption is an attribute of its ``dispatch``; overriding ``dispatch`` drops it,
# so it is declared again (the view runs its own CSRF check, see ``core.graphql.views``).
@method_decorator(csrf_exempt, name="dispatch")
class MarketplaceGraphQLView(OcopGraphQLView):
    # Public catalogue reads: products, their certificates and scoring records, sellers and
    # their visible offers. Nothing that records (stamp scans), reads a session or a cart, or
    # depends on who asks.
    cacheable_root_fields = frozenset(
        {"products", "product", "certificate", "business", "offer", "seller"}
    )

    def dispatch(self, request, *args, **kwargs):
        try:
            token = authenticate_api_request(request)
        except InvalidApiToken as exc:
            return unauthorized_response(exc)
        if token is not None:
            # Django's own flag for "this request is not authenticated by cookie"; the view's
            # CSRF check (Django's middleware logic) honours it.
            request._dont_enforce_csrf_checks = True
        return super().dispatch(request, *args, **kwargs)

    def body_limit(self, request) -> int:
        if request.method == "POST" and request.content_type == MULTIPART:
            return upload_body_limit()
        return super().body_limit(request)

    def parse_body(self, request):
        if request.method == "POST" and request.content_type == MULTIPART:
            return multipart_operations(request)
        return super().parse_body(request)


graphql_view = MarketplaceGraphQLView.as_view()
