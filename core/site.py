"""The public origin of absolute links: QR codes, e-mails, canonical URLs, JSON-LD.

``SITE_URL`` when it is set (production sets it: compose refuses to start without it). Without it
— development — the origin of the request being served, so a server on another port than 8000
still links to itself; the middleware remembers that origin for code that has no request at hand
(an e-mail sent when the request's transaction commits, a stamp sheet drawn for the request).
Outside any request (a management command), the development server's usual origin.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

DEVELOPMENT_ORIGIN = "http://127.0.0.1:8000"

_request_origin: ContextVar[str] = ContextVar("request_origin", default="")


def request_origin(request: HttpRequest) -> str:
    # get_host() checks the Host header against ALLOWED_HOSTS, so a forged one never gets here.
    return f"{request.scheme}://{request.get_host()}"


def site_url(request: HttpRequest | None = None) -> str:
    """The origin, without a trailing slash: ``https://cho-ocop.vn``."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is not None:
        return request_origin(request)
    return _request_origin.get() or DEVELOPMENT_ORIGIN


@contextmanager
def site_origin_bound(origin: str):
    """Use ``origin`` for ``site_url()`` inside the block: work done for a request later, in a
    worker (a stamp sheet drawn in the background), links where that request would have."""
    token = _request_origin.set(origin or "")
    try:
        yield
    finally:
        _request_origin.reset(token)


class SiteOriginMiddleware:
    """Remembers the request's origin for ``site_url()`` called without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SITE_URL:
            return self.get_response(request)
        try:
            origin = request_origin(request)
        except Exception:  # DisallowedHost: CommonMiddleware answers it with a 400
            origin = ""
        token = _request_origin.set(origin)
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
