"""Public stamp pages: the scan page (``/s/{code}/``, and ``/S/{code}`` as printed in capitals)
and the GS1 Digital Link resolver (``/01/{gtin}[/22/…][/10/{lot}][/21/{serial}]``).

A code that does not verify and a code of no stamp get the very same "not recognised" page
(404), so probing learns nothing. Scans are rate limited per client and never cached.
"""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qsl, urlencode

from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.csrf import csrf_protect

from core.ratelimit import client_ip
from core.site import site_url
from marketplace.places.product_page import (
    near_choice,
    near_choice_remember,
    nearest_points_context,
)
from traceability import signing
from traceability.digital_link import MalformedLink, digital_link_parse
from traceability.selectors import (
    ScanPlace,
    certificate_on_date,
    scan_place_resolve,
    stamp_lookup,
    stamp_lookup_gs1,
    stamp_scan_page,
    stamp_verify,
    variant_for_gtin,
)
from traceability.services import (
    PinStatus,
    stamp_check_allowance,
    stamp_pin_check,
    stamp_scan_record,
)

GS1_VOC = "https://gs1.org/voc/"
# The vocabulary's URIs, older and current: a linkType may name a link by either.
GS1_VOCABULARIES = (GS1_VOC, "https://www.gs1.org/voc/", "https://ref.gs1.org/voc/")
GS1_LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, …
    return response


def _rate_limited(request) -> HttpResponse | None:
    wait = stamp_check_allowance(client_key=client_ip(request))
    if wait:
        response = render(
            request, "traceability/rate_limited.html", {"retry_after": wait}, status=429
        )
        response["Retry-After"] = str(wait)
        return _no_store(response)
    return None


def _not_recognised(request) -> HttpResponse:
    return _no_store(render(request, "traceability/not_recognised.html", status=404))


def _scan_place(request) -> ScanPlace:
    """``?province=<slug>`` (picked by the buyer) and/or ``?lat=…&lng=…``."""
    return scan_place_resolve(
        province_slug=request.GET.get("province"),
        latitude=request.GET.get("lat"),
        longitude=request.GET.get("lng"),
    )


def _nearest_points(request, page) -> tuple[dict, str]:
    """ "Buy in person near you" on the verdict, as on the product page: from the place sent
    with the scan (``lat``/``lng``, else ``province``) or the visitor's remembered choice, else
    the producer's province; only under a certificate in force (as the offers are). Returns the
    context and the choice to remember ("" when it came from the cookie)."""
    if not page.certificate.is_valid:
        return {"nearest_points": None}, ""
    choice, chosen_now = near_choice(request, province_param="province")
    context = nearest_points_context(
        product_id=page.product.pk,
        choice=choice,
        fallback_province_id=page.producer.province_id,
    )
    context["nearest_param"] = "province"
    return context, choice if chosen_now else ""


@csrf_protect
def scan_view(request, code: str):
    """GET records a scan and shows the verdict; HEAD shows it without recording; POST checks
    a scratch-off PIN (no scan recorded)."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    limited = _rate_limited(request)
    if limited is not None:
        return limited
    code = signing.stamp_code_normalise(code)  # typed by hand, perhaps in lower case
    stamp = stamp_lookup(code=code)
    if stamp is None:
        return _not_recognised(request)
    now = timezone.now()
    pin_result = None
    if request.method == "POST":
        pin_result = stamp_pin_check(
            stamp=stamp,
            pin=request.POST.get("pin", "")[:32],
            client_key=client_ip(request),
            now=now,
        )
        verdict = stamp_verify(code=code, stamp=stamp, now=now)
    else:
        place = _scan_place(request)
        verdict = stamp_verify(code=code, stamp=stamp, now=now, pending=place)
        if request.method == "GET":
            stamp_scan_record(
                stamp=stamp,
                verdict=verdict.verdict,
                now=now,
                province=place.province,
                latitude=place.latitude,
                longitude=place.longitude,
                device_hash=signing.device_hash(
                    user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
                    client_ip=client_ip(request),
                    day=timezone.localdate(now).isoformat(),
                ),
            )
    page = stamp_scan_page(verdict=verdict, now=now)
    nearest, remember = _nearest_points(request, page)
    response = render(
        request,
        "traceability/scan.html",
        {
            **nearest,
            "page": page,
            "pin_result": pin_result,
            "PinStatus": PinStatus,
            "pin_retry_minutes": math.ceil(pin_result.retry_after / 60) if pin_result else 0,
            "scan_day": timezone.localdate(now),
            "canonical_path": reverse("traceability:scan", args=[code]),
        },
        status=429 if pin_result and pin_result.status == PinStatus.RATE_LIMITED else 200,
    )
    if remember:
        near_choice_remember(response, remember)
    return _no_store(response)


# --- GS1 Digital Link resolver -------------------------------------------------------------------


def _link_type(raw: str) -> str:
    raw = raw.strip()
    for prefix in ("gs1:", *GS1_VOCABULARIES):
        if raw.startswith(prefix):
            return raw[len(prefix) :]
    return raw


def _wants_linkset(request, link_type: str) -> bool:
    if link_type in ("linkset", "all"):  # "all" is the name GS1 Digital Link 1.1 used
        return True
    return not link_type and "application/linkset+json" in request.headers.get("Accept", "")


def _bad_request(request, reason) -> HttpResponse:
    response = render(request, "traceability/bad_link.html", {"reason": reason}, status=400)
    return _cors(_no_store(response))


def _cors(response: HttpResponse) -> HttpResponse:
    # GS1-Conformant resolvers answer scripts of any origin (what a scanning web app is).
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "Link, Location"
    return response


# The resolver's own parameters, consumed here; the rest of the query string is passed on.
RESOLVER_PARAMS = frozenset({"linkType", "context", signing.SIGNATURE_PARAM})


def _with_query(url: str, query: str) -> str:
    kept = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if key not in RESOLVER_PARAMS
    ]
    return f"{url}?{urlencode(kept)}" if kept else url


def gs1_resolver_view(request, path: str):
    """GS1 Digital Link resolver (GS1-Conformant Resolver standard) for GTINs and their key
    qualifiers: ``/01/{gtin}``, ``/10/{lot}``, ``/21/{serial}`` with or without a lot, ``/22/``.

    - 307 to the default link — the scan page for a serialised item (a stamp: the serial must
      carry its signature ``?s=``), the product page otherwise (a lot or a variant has no page of
      its own, so it walks up to the product's links) — with the query string passed on, less
      the resolver's own parameters (``linkType``, ``context``, the signature ``s`` that the
      scan page's code already carries), so data attributes such as ``?17=261231`` reach the
      target;
    - every link in the ``Link`` header, with the canonical link (GTIN-14, ``/22/`` kept) as
      ``owl:sameAs``;
    - ``?linkType=`` (``gs1:pip``, ``pip`` or the vocabulary URI) picks a link, falling back to
      the default; ``linkset`` (or ``all``) or ``Accept: application/linkset+json`` lists them
      as an RFC 9264 linkset;
    - 400 saying what is wrong with a malformed path, 404 for an unknown item.
    """
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Allow"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        return _cors(response)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS"])
    limited = _rate_limited(request)
    if limited is not None:
        return _cors(limited)
    query = request.META.get("QUERY_STRING", "")
    try:
        link = digital_link_parse(path=path, query=query)
    except MalformedLink as error:
        return _bad_request(request, error.message)
    links: dict[str, str] = {}
    default = None
    if link.serial is not None:
        stamp = stamp_lookup_gs1(
            gtin=link.gtin,
            lot=link.lot,
            serial=link.serial,
            signature=request.GET.get(signing.SIGNATURE_PARAM, ""),
        )
        if stamp is None:
            return _cors(_not_recognised(request))
        product = stamp.run.batch.variant.product
        certificate = certificate_on_date(product=product, day=timezone.localdate()).certificate
        default = links["traceability"] = reverse(
            "traceability:scan", args=[signing.stamp_code(stamp)]
        )
    else:
        variant = variant_for_gtin(gtin=link.gtin)
        if variant is None:
            return _cors(_no_store(render(request, "404.html", status=404)))
        product = variant.product
        certificates = list(product.certificates.all())  # prefetched, newest first
        certificate = certificates[0] if certificates else None
    links["pip"] = reverse("catalog:product_detail", args=[product.slug])
    if certificate is not None:
        links["certificationInfo"] = reverse(
            "catalog:certificate_detail", args=[certificate.number]
        )
    default = default or links["pip"]
    absolute = {kind: request.build_absolute_uri(url) for kind, url in links.items()}
    canonical = request.build_absolute_uri(link.path)
    header = ", ".join(
        [f'<{absolute[kind]}>; rel="gs1:{kind}"; type="text/html"' for kind in absolute]
        + [
            f'<{request.build_absolute_uri(default)}>; rel="gs1:defaultLink"',
            f'<{canonical}>; rel="owl:sameAs"',
        ]
    )
    wanted = _link_type(request.GET.get("linkType", ""))
    if _wants_linkset(request, wanted):
        body = {
            "linkset": [
                {
                    "anchor": canonical,
                    **{
                        f"{GS1_VOC}{kind}": [{"href": url, "type": "text/html"}]
                        for kind, url in absolute.items()
                    },
                    f"{GS1_VOC}defaultLink": [{"href": request.build_absolute_uri(default)}],
                }
            ]
        }
        response = HttpResponse(
            json.dumps(body), content_type="application/linkset+json", status=200
        )
    else:
        # A link type this item does not have falls back to the default link (GS1 resolver
        # behaviour), rather than an error a phone would show.
        response = HttpResponse(status=307)
        response["Location"] = _with_query(links.get(wanted, default), query)
    response["Link"] = header
    return _cors(_no_store(response))


def gs1_resolver_description(request):
    """``/.well-known/gs1resolver``: the resolver description file of the GS1-Conformant
    Resolver standard — what this resolver serves (GTINs, the GS1 link types) and where."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    response = JsonResponse(
        {
            "name": "OCOP Marketplace",
            "resolverRoot": site_url(request),
            "supportedPrimaryKeys": ["01"],
            "supportedLinkType": [{"namespace": GS1_VOC, "prefix": "gs1:"}],
            "linkTypeDefaultCanBeLinkset": False,
            "jsonLdContextLocation": GS1_LINKSET_CONTEXT,
        }
    )
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return _cors(response)
