"""The GraphQL endpoint: limits, text normalisation, CSRF for browser sessions, GraphiQL in DEBUG.

CSRF. The view is exempt from Django's blanket CSRF middleware and enforces the check itself on
POSTs that carry the session cookie. A logged-in browser (the storefront or seller workspace
calling the API with its session) therefore needs the CSRF token like any form POST, while an
integrator authenticating with a token header sends no ambient credential a third-party site could
borrow, so it is not asked for one. Anonymous requests without a session cookie can only read
public data. GET requests never run mutations (graphene-django refuses them).

Caching. An anonymous query whose root fields are all in ``cacheable_root_fields`` (public
catalogue reads, no side effects) is answered from the catalogue cache when the same document,
variables and language were answered since the catalogue last changed (``core.catalogue_cache``).
Only answers without errors are stored. Signed-in users and API tokens always execute: fields
such as ``Offer.stocks`` answer differently for a seller's own members.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError, instantiate_middleware
from graphql import (
    FieldNode,
    GraphQLError,
    OperationType,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)

from core.catalogue_cache import catalogue_cache_entry, catalogue_cache_store
from core.graphql.document import document_refusal
from core.graphql.errors import ErrorCode
from core.graphql.execution import SyncExecutionContext
from core.graphql.validation import LIMIT_RULES, IntrospectionRule
from core.stack import fresh_stack_call

logger = logging.getLogger("core.graphql")

# A large query or a mutation with a long product story fits comfortably; anything bigger is not
# a legitimate API call and is refused before it is parsed.
DEFAULT_MAX_BODY_BYTES = 128 * 1024


def nfc_deep(value):
    """NFC-normalise every string inside decoded JSON (variables) — Vietnamese typed on macOS or
    pasted from PDFs often arrives decomposed (NFD) and would not match stored NFC text."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {key: nfc_deep(item) for key, item in value.items()}
    if isinstance(value, list):
        return [nfc_deep(item) for item in value]
    return value


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def csrf_failure_reason(request) -> str | None:
    """Run Django's CSRF check on ``request``; the reason it fails, or None when it passes."""
    check = _CsrfCheck(lambda _request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


# Documents longer than this are executed every time rather than remembered and cached.
MAX_CACHED_QUERY_CHARS = 10_000


@lru_cache(maxsize=256)
def _cacheable_document(
    view_class: type[OcopGraphQLView], schema, query: str, operation_name: str | None, limits: tuple
) -> bool:
    """Whether ``query`` is a valid query (not a mutation) selecting only the view's cacheable
    root fields. Remembered per document (clients send the same few documents over and over),
    so a cache hit neither parses nor validates, and a document the limits refuse is refused
    by the normal path before any SQL, the version lookup included. ``limits`` is part of the
    memo key because the validation rules read them from settings."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.QUERY:
        return False
    allowed = view_class.cacheable_root_fields | {"__typename"}
    if not all(
        isinstance(selection, FieldNode) and selection.name.value in allowed
        for selection in operation.selection_set.selections
    ):
        return False
    return not validate(schema.graphql_schema, document, view_class.validation_rules)


def _json_error(status: int, message: str, code) -> HttpResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code.name}}]}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


@method_decorator(csrf_exempt, name="dispatch")
class OcopGraphQLView(GraphQLView):
    # Passing rules replaces graphql-core's defaults, so the specified rules are listed too.
    validation_rules = (*specified_rules, *LIMIT_RULES, IntrospectionRule)
    execution_context_class = SyncExecutionContext
    # Root query fields whose anonymous answers depend on nothing but the catalogue.
    cacheable_root_fields: frozenset[str] = frozenset()

    def dispatch(self, request, *args, **kwargs):
        # Decided per request (not at import) so settings overrides apply.
        self.graphiql = settings.DEBUG
        limit = self.body_limit(request)
        if len(request.META.get("QUERY_STRING", "")) > limit:
            return _json_error(
                414, _("The request URL is too long; send the query by POST."), ErrorCode.INVALID
            )
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return _json_error(
                413,
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit},
                ErrorCode.OUT_OF_RANGE,
            )
        if request.method == "POST" and settings.SESSION_COOKIE_NAME in request.COOKIES:
            reason = csrf_failure_reason(request)
            if reason:
                return _json_error(
                    403,
                    _("CSRF check failed (%(reason)s): send the X-CSRFToken header.")
                    % {"reason": reason},
                    ErrorCode.PERMISSION_DENIED,
                )
        response = super().dispatch(request, *args, **kwargs)
        if response.get("Content-Type", "").startswith("text/html"):
            # GraphiQL (DEBUG only): its own static files, not checked against the policy.
            response._csp_exempt = True
        # graphene-django wraps dispatch in ensure_csrf_cookie (which sets the cookie on the
        # response itself), for GraphiQL's POSTs. A JSON answer needs no token (a caller with a
        # session cookie already has one), and a new csrftoken cookie on every anonymous answer
        # makes each a personalised response. A token rotated by a sign-in is still sent.
        if (
            not response.get("Content-Type", "").startswith("text/html")
            and settings.CSRF_COOKIE_NAME not in request.COOKIES
            and not getattr(getattr(request, "user", None), "is_authenticated", False)
        ):
            response.cookies.pop(settings.CSRF_COOKIE_NAME, None)
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return response

    def get_middleware(self, request):
        # graphene-django adds its debug middleware whenever DEBUG was on at import; it wraps
        # every resolver and records SQL for a ``_debug`` field this schema does not have.
        # Only middleware configured explicitly in settings.GRAPHENE runs, in every environment.
        configured = getattr(settings, "GRAPHENE", {}).get("MIDDLEWARE")
        return list(instantiate_middleware(configured)) if configured else None

    def get_response(self, request, data, show_graphiql=False):
        if not show_graphiql and not self.batch:
            query, variables, _name, _id = self.get_graphql_params(request, data)
            refusal = document_refusal(query, variables)
            if refusal:
                # Before the cache key, graphql-core's validation and any SQL: see
                # core.graphql.document.
                return self.json_encode(
                    request, {"errors": [self.format_error(e) for e in refusal]}
                ), 400
        key = self._cache_key(request, data, show_graphiql)
        if key is None:
            return super().get_response(request, data, show_graphiql)
        with catalogue_cache_entry(key=key) as entry:
            if entry.hit:
                return entry.value, 200
            result, status_code = super().get_response(request, data, show_graphiql)
            if status_code == 200 and not getattr(request, "_ocop_graphql_errors", True):
                catalogue_cache_store(entry=entry, value=result)
        return result, status_code

    def execute_graphql_request(self, request, data, query, variables, operation_name, *args):
        # Resolving a query is a deep recursion repeated for every field: see core.stack.
        result = fresh_stack_call(
            super().execute_graphql_request, request, data, query, variables, operation_name, *args
        )
        # Read by get_response: only answers without errors are cached.
        request._ocop_graphql_errors = result is None or bool(result.errors)
        return result

    def _cache_key(self, request, data, show_graphiql) -> str | None:
        """The cache key of this request's answer, or None when it is not a candidate."""
        if not self.cacheable_root_fields or show_graphiql or self.batch:
            return None
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or getattr(request, "api_token", None):
            return None
        query, variables, operation_name, _id = self.get_graphql_params(request, data)
        if not isinstance(query, str) or len(query) > MAX_CACHED_QUERY_CHARS:
            return None
        limits = (
            settings.GRAPHQL_MAX_DEPTH,
            settings.GRAPHQL_MAX_ALIASES,
            settings.GRAPHQL_MAX_COST,
            settings.GRAPHQL_INTROSPECTION,
        )
        if not _cacheable_document(type(self), self.schema, query, operation_name, limits):
            return None
        # This very document passed these very rules: graphene need not validate it again.
        self.validation_rules = ()
        try:
            return "graphql:" + json.dumps(
                [query, variables, operation_name, bool(request.GET.get("pretty"))],
                sort_keys=True,
                ensure_ascii=False,
            )
        except (TypeError, ValueError):
            return None

    def body_limit(self, request) -> int:
        """The largest request body accepted (subclasses allow more for file uploads)."""
        return getattr(settings, "GRAPHQL_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)

    def parse_body(self, request):
        limit = self.body_limit(request)
        if request.method == "POST" and len(request.body) > limit:
            # Chunked bodies declare no length; measure what actually arrived.
            raise HttpError(
                HttpResponse(status=413),
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit},
            )
        return super().parse_body(request)

    @staticmethod
    def get_graphql_params(request, data):
        query, variables, operation_name, id_ = GraphQLView.get_graphql_params(request, data)
        # Text arguments are normalised at the boundary: literals inside the query (names are
        # ASCII, so only string values change) and every string in the variables.
        if isinstance(query, str):
            query = unicodedata.normalize("NFC", query)
        return query, nfc_deep(variables), operation_name, id_

    @staticmethod
    def format_error(error):
        if not isinstance(error, GraphQLError):
            return {"message": str(error), "extensions": {"code": ErrorCode.GRAPHQL_ERROR.name}}
        original = error.original_error
        if original is not None and not isinstance(original, GraphQLError) and not settings.DEBUG:
            # An unexpected exception is a bug: log it whole, tell the client nothing internal.
            logger.error(
                "GraphQL resolver failed at %s",
                error.path,
                exc_info=(type(original), original, original.__traceback__),
            )
            return {
                "message": _("Internal server error."),
                "locations": error.formatted.get("locations"),
                "path": error.path,
                "extensions": {"code": "INTERNAL_ERROR"},
            }
        formatted = error.formatted
        formatted["extensions"] = {
            "code": ErrorCode.GRAPHQL_ERROR.name,
            **(formatted.get("extensions") or {}),
        }
        return formatted
