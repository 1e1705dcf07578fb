"""Uploaded files (MEDIA_ROOT) served by Django itself, when ``SERVE_MEDIA`` says so.

whitenoise serves static files only, and Django's ``static()`` URL helper adds its route only
when ``DEBUG`` is on — so the browser suite's live server (DEBUG off, as in production) answered
every product photo with a 404. The route is always in the URLconf and the setting is read per
request: development (``SERVE_MEDIA`` defaults to ``DEBUG``) and the browser suite switch it
on; production leaves it off and has the proxy serve MEDIA_ROOT (README, *Deployment*).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve


def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    if not getattr(settings, "SERVE_MEDIA", False):
        raise Http404("Media files are not served by this process.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    # Uploaded files are never a page: no content sniffing into HTML or script.
    response["X-Content-Type-Options"] = "nosniff"
    return response
