"""Uploaded files (MEDIA_ROOT) served by Django itself, when ``SERVE_MEDIA`` says so.

whitenoise serves static files only, and Django's ``static()`` URL helper adds its route only
when ``DEBUG`` is on — so the browser suite's live server (DEBUG off, as in production) answered
every product photo with a 404. The route is always in the URLconf and the setting is read per
request: development (``SERVE_MEDIA`` defaults to ``DEBUG``) and the browser suite switch it
on; production leaves it off and has the proxy serve MEDIA_ROOT (README, *Deployment*).

``media_url``: their URLs. A page of 100 products asks for 300 photo URLs, and
``FileSystemStorage.url`` quotes the name and joins it to ``MEDIA_URL`` every time (a tenth of an
uncached ``products(first: 100)``). A file-system storage's URL depends on nothing but its
``base_url`` and the name, so it is remembered; other storages (which may sign or expire their
URLs) are asked every time.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve


def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    if not getattr(settings, "SERVE_MEDIA", False):
        raise Http404("Media files are not served by this process.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    # Uploaded files are never a page: no content sniffing into HTML or script.
    response["X-Content-Type-Options"] = "nosniff"
    return response


def media_url(name: str) -> str:
    """The URL of the stored file ``name`` in the default storage."""
    # ``__class__`` is the wrapped storage's (``default_storage`` is a lazy proxy).
    if default_storage.__class__ is FileSystemStorage:
        # ``base_url`` follows MEDIA_URL when settings change (Django clears it).
        return _filesystem_url(default_storage.base_url, name)
    return default_storage.url(name)


@lru_cache(maxsize=16384)
def _filesystem_url(base_url: str, name: str) -> str:
    return default_storage.url(name)
