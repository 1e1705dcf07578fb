"""Public stamp pages: the scan page (``/s/{code}/``, and ``/S/{code}`` as printed in capitals)
and the GS1 Digital Link resolver (``/01/{gtin}[/22/…][/10/{lot}][/21/{serial}]``).

A code that does not verify and a code of no stamp get the very same "not recognised" page
(404), so probing learns nothing. Scans are rate limited per client and never cached.
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from catalog.validators import gtin14, validate_gtin
from core.models import Province
from sellers.ratelimit import FailureLimit, client_ip
from traceability import signing
from traceability.selectors import (
    ScanPlace,
    certificate_on_date,
    stamp_lookup,
    stamp_lookup_gs1,
    stamp_scan_page,
    stamp_verify,
    variant_for_gtin,
)
from traceability.services import PinStatus, stamp_pin_check, stamp_scan_record
from traceability.validators import LOT_CODE_MAX, lot_code_is_valid

# Every request to a stamp page counts (a fixed window, like the sign-in limits): enough for a
# shop checking a carton, far too few to walk through codes or inflate a stamp's scan count.
SCAN_PER_CLIENT = FailureLimit("stamp-scan", limit=120, window=10 * 60)

GS1_VOC = "https://gs1.org/voc/"
LINK_TYPES = ("pip", "certificationInfo", "traceability")
QUALIFIER_ORDER = ("22", "10", "21")
_COORDINATE_STEP = Decimal("0.1")


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, …
    return response


def _rate_limited(request) -> HttpResponse | None:
    key = client_ip(request)
    wait = SCAN_PER_CLIENT.retry_after(key)
    if wait:
        response = render(
            request, "traceability/rate_limited.html", {"retry_after": wait}, status=429
        )
        response["Retry-After"] = str(wait)
        return _no_store(response)
    SCAN_PER_CLIENT.fail(key)
    return None


def _not_recognised(request) -> HttpResponse:
    return _no_store(render(request, "traceability/not_recognised.html", status=404))


def _rounded(value: str, limit: int) -> Decimal | None:
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite() or abs(number) > limit:
        return None
    return number.quantize(_COORDINATE_STEP, rounding=ROUND_HALF_UP)


def _scan_place(request) -> ScanPlace:
    """The coarse place a client may send: ``?province=<slug>`` (picked by the buyer) and/or
    ``?lat=…&lng=…``, rounded here to 0.1° before anything is stored. Bad values are ignored:
    a place is optional and never worth refusing a scan for."""
    province = None
    slug = request.GET.get("province", "").strip()
    if slug:
        province = Province.objects.filter(slug=slug[:100]).first()
    latitude = _rounded(request.GET.get("lat", ""), 90)
    longitude = _rounded(request.GET.get("lng", ""), 180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    return ScanPlace(province=province, latitude=latitude, longitude=longitude)


@csrf_protect
def scan_view(request, code: str):
    """GET records a scan and shows the verdict; HEAD shows it without recording; POST checks
    a scratch-off PIN (no scan recorded)."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    limited = _rate_limited(request)
    if limited is not None:
        return limited
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
    response = render(
        request,
        "traceability/scan.html",
        {
            "page": page,
            "pin_result": pin_result,
            "PinStatus": PinStatus,
            "pin_retry_minutes": math.ceil(pin_result.retry_after / 60) if pin_result else 0,
            "scan_day": timezone.localdate(now),
            "canonical_path": reverse("traceability:scan", args=[code]),
        },
        status=429 if pin_result and pin_result.status == PinStatus.RATE_LIMITED else 200,
    )
    return _no_store(response)


# --- GS1 Digital Link resolver -------------------------------------------------------------------


class MalformedLink(ValueError):
    pass


def _gs1_parse(path: str) -> tuple[str, dict[str, str]]:
    """(GTIN-14, {AI: value}) of ``{gtin}[/22/…][/10/…][/21/…]``, or MalformedLink: a GTIN of
    the wrong length or check digit, an unknown or repeated AI, qualifiers out of order, an
    empty value or a character outside the GS1 encodable set."""
    parts = path.split("/")
    if parts and parts[-1] == "":
        parts.pop()  # one trailing slash is tolerated
    if not parts:
        raise MalformedLink("no GTIN")
    gtin = parts[0]
    try:
        validate_gtin(gtin)
    except ValidationError:
        raise MalformedLink("GTIN") from None
    if not gtin:
        raise MalformedLink("no GTIN")
    pairs = parts[1:]
    if len(pairs) % 2:
        raise MalformedLink("AI without value")
    qualifiers: dict[str, str] = {}
    last = -1
    for ai, value in zip(pairs[::2], pairs[1::2], strict=True):
        if ai not in QUALIFIER_ORDER:
            raise MalformedLink(f"unknown AI {ai}")
        position = QUALIFIER_ORDER.index(ai)
        if position <= last:
            raise MalformedLink("qualifiers out of order")
        last = position
        if len(value) > LOT_CODE_MAX or not lot_code_is_valid(value):
            raise MalformedLink(f"bad value for AI {ai}")
        qualifiers[ai] = value
    return gtin14(gtin), qualifiers


def _link_type(raw: str) -> str:
    raw = raw.strip()
    for prefix in ("gs1:", GS1_VOC):
        if raw.startswith(prefix):
            return raw[len(prefix) :]
    return raw


def _bad_request(request, reason: str) -> HttpResponse:
    response = render(request, "traceability/bad_link.html", {"reason": reason}, status=400)
    return _no_store(response)


def gs1_resolver_view(request, path: str):
    """GS1 Digital Link resolver: 307 to the default link (the scan page for a serialised
    item, the product page otherwise), every link listed in the ``Link`` header,
    ``?linkType=`` (``gs1:pip``, ``pip`` or the full vocabulary URI; ``all`` lists them as a
    linkset), 400 on a malformed path."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    limited = _rate_limited(request)
    if limited is not None:
        return limited
    try:
        gtin, qualifiers = _gs1_parse(path)
    except MalformedLink:
        return _bad_request(
            request,
            _(
                "This is not a valid GS1 Digital Link: check the GTIN and its check digit, "
                "and that the lot (10) comes before the serial (21)."
            ),
        )
    links: dict[str, str] = {}
    if "21" in qualifiers:
        stamp = stamp_lookup_gs1(
            gtin=gtin,
            lot=qualifiers.get("10", ""),
            serial=qualifiers["21"],
            signature=request.GET.get(signing.SIGNATURE_PARAM, ""),
        )
        if stamp is None:
            return _not_recognised(request)
        variant = stamp.run.batch.variant
        product = variant.product
        certificate = certificate_on_date(product=product, day=timezone.localdate()).certificate
        scan_url = reverse("traceability:scan", args=[signing.stamp_code(stamp)])
        links["traceability"] = scan_url
        default = scan_url
    else:
        variant = variant_for_gtin(gtin14=gtin)
        if variant is None:
            return _no_store(render(request, "404.html", status=404))
        product = variant.product
        certificates = list(product.certificates.all())  # prefetched, newest first
        certificate = certificates[0] if certificates else None
        default = None
    links["pip"] = reverse("storefront:product_detail", args=[product.slug])
    if certificate is not None:
        links["certificationInfo"] = reverse(
            "catalog:certificate_detail", args=[certificate.number]
        )
    default = default or links["pip"]
    absolute = {kind: request.build_absolute_uri(url) for kind, url in links.items()}
    header = ", ".join(
        [f'<{absolute[kind]}>; rel="gs1:{kind}"; type="text/html"' for kind in absolute]
        + [f'<{request.build_absolute_uri(default)}>; rel="gs1:defaultLink"']
    )
    wanted = _link_type(request.GET.get("linkType", ""))
    if wanted == "all":
        body = {
            "linkset": [
                {
                    "anchor": request.build_absolute_uri(request.path),
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
        target = links.get(wanted, default)
        response = HttpResponse(status=307)
        response["Location"] = target
    response["Link"] = header
    return _no_store(response)
