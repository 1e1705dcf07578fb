"""``/du-lieu-mo/``: the open data page and the snapshot files (``catalog/opendata.py``).

The files are served with a strong ETag (their SHA-256 from the snapshot's manifest) and
Last-Modified, and answer 304 to a matching If-None-Match / If-Modified-Since, so a mirror that
polls "latest" every hour downloads only what changed.
"""

import hashlib

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from catalog.opendata import FIELDS, FILES, LICENCE, opendata_schema, opendata_snapshot_find
from catalog.opendata import opendata_snapshots as snapshots_list

CACHE_SECONDS = 3600


def opendata_page_view(request: HttpRequest) -> HttpResponse:
    snapshots = snapshots_list()
    return render(
        request,
        "catalog/opendata.html",
        {
            "latest": snapshots[0] if snapshots else None,
            "snapshots": snapshots[:30],
            "fields": FIELDS,
            "licence": LICENCE,
            "files": [name for name in FILES if name != "manifest.json"],
        },
    )


def opendata_schema_view(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(opendata_schema(), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/schema+json"
    return response


def opendata_file_view(request: HttpRequest, snapshot: str, name: str) -> HttpResponse:
    if name not in FILES:
        raise Http404
    found = opendata_snapshot_find(name=snapshot)
    if found is None:
        raise Http404
    path = found.directory / name
    if not path.is_file():
        raise Http404
    if name == "manifest.json":
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    else:
        digest = found.manifest["files"][name]["sha256"]
    etag = f'"{digest}"'
    last_modified = int(path.stat().st_mtime)
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = FileResponse(path.open("rb"), content_type=FILES[name])
        if name != "manifest.json":
            stem, extension = name.rsplit(".", 1)
            response["Content-Disposition"] = (
                f'inline; filename="ocop-{stem}-{found.date.isoformat()}.{extension}"'
            )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Access-Control-Allow-Origin"] = "*"  # public data, fetched by other sites' scripts
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response
