"""One log line per request, a request id on every line, and JSON logs for production.

``RequestLogMiddleware`` (second in ``MIDDLEWARE``, after the health probes, which are not
logged) takes the caller's ``X-Request-ID`` when it is a plausible id, or makes one, returns it
in the response's ``X-Request-ID`` header and, once the response is ready, writes one record to
the ``marketplace.request`` logger: method, path, status, duration in ms, SQL queries, user id
or API token id, request id. While the request runs the id is in a context variable
(``current_request_id``) that ``RequestIdFilter`` adds to every record logged meanwhile, so a
warning deep in a service can be joined to its request, and work started from the request
(e-mails, tasks) can carry it on.

``LOG_FORMAT=json`` (the production default) writes each record as one JSON object
(``JsonFormatter``); ``text`` (the development default) stays readable in a terminal.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

logger = logging.getLogger("marketplace.request")

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy or a caller may send as an id: short, no spaces or quotes (it is logged and echoed).
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# The request fields a record may carry (RequestLogMiddleware sets them as ``extra``).
REQUEST_FIELDS = (
    "method",
    "path",
    "status",
    "duration_ms",
    "sql_count",
    "user_id",
    "token_id",
)


def current_request_id() -> str | None:
    """The id of the request this code runs for, or None outside a request."""
    return _request_id.get()


@contextlib.contextmanager
def request_id_bound(request_id: str | None):
    """Run the block with ``request_id`` as the current request's id (a background task carries
    on the id of the request that started it, so its log lines and e-mails can be joined)."""
    token = _request_id.set(request_id or None)
    try:
        yield
    finally:
        _request_id.reset(token)


def request_id_from(header: str | None) -> str:
    """The caller's id when it is plausible, else a new one (32 hex digits)."""
    if header and _ACCEPTED_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _user_id(request: HttpRequest) -> int | None:
    # Only a user something already loaded: asking now would cost a session query per request.
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        # Kept until request_finished, not reset on the way out: Django logs 4xx responses
        # after the last middleware has returned, and those lines need the id too.
        _request_id.set(request_id)
        counter = _QueryCounter()
        started = time.perf_counter()
        with contextlib.ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response[REQUEST_ID_HEADER] = request_id
        token = getattr(request, "api_token", None)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "sql_count": counter.count,
                "user_id": _user_id(request),
                "token_id": token.pk if token is not None else None,
            },
        )
        return response


def _forget_request_id(**kwargs) -> None:
    _request_id.set(None)


request_finished.connect(_forget_request_id, dispatch_uid="core.request_log.forget")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (the current request's, or ``-``) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request id, the
    request fields when the record has them, and the formatted exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
