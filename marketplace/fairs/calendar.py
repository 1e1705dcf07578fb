"""schema.org Event JSON-LD and iCalendar (RFC 5545) for a fair."""

from __future__ import annotations

import datetime
import json
from urllib.parse import urljoin

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from core.media import media_url
from marketplace.fairs.models import Fair, FairStatus

# What django.utils.html.json_script escapes, so the JSON can never close its <script> element.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def fair_event_data(fair: Fair, *, url: str) -> dict:
    venue = fair.venue
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": fair.name,
        "url": url,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "eventStatus": "https://schema.org/EventCancelled"
        if fair.status == FairStatus.CANCELLED
        else "https://schema.org/EventScheduled",
        "location": {
            "@type": "Place",
            "name": venue.label,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": venue.address,
                "addressRegion": fair.province.name,
                "addressCountry": "VN",
            },
        },
        "organizer": {"@type": "Organization", "name": fair.organiser.name},
    }
    if fair.starts_on:
        data["startDate"] = fair.starts_on.isoformat()
        data["endDate"] = (fair.ends_on or fair.starts_on).isoformat()
    if venue.latitude is not None and venue.longitude is not None:
        data["location"]["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(venue.latitude),
            "longitude": float(venue.longitude),
        }
    if fair.description:
        data["description"] = fair.description
    if fair.cover.name:
        data["image"] = urljoin(url, media_url(fair.cover.name))
    return data


def fair_jsonld(fair: Fair, *, url: str) -> SafeString:
    text = json.dumps(fair_event_data(fair, url=url), ensure_ascii=False).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold_line(line: str) -> list[str]:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1), never inside a character."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode()) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += ch
    out.append(current)
    return [out[0]] + [" " + part for part in out[1:]]


def fair_ics(fair: Fair, *, url: str, host: str) -> str:
    """One all-day VEVENT over the fair's days (DTEND is the day after the last, as RFC 5545
    says for dates). With closed days (Tết) among them, it is a day that repeats daily until
    the last, without the closed days (RRULE, EXDATE): a calendar then shows no fair on them."""
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    venue = fair.venue
    location = ", ".join(p for p in (venue.name, venue.address, fair.province.name) if p)
    first, last, day = fair.starts_on, fair.ends_on or fair.starts_on, datetime.timedelta(days=1)
    closed = sorted({date for date in fair.closed_dates if first <= date <= last})
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Cho OCOP//Fairs//VI",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:fair-{fair.pk}@{host}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{first:%Y%m%d}",
    ]
    if closed:
        lines += [
            f"DTEND;VALUE=DATE:{first + day:%Y%m%d}",
            f"RRULE:FREQ=DAILY;UNTIL={last:%Y%m%d}",
            "EXDATE;VALUE=DATE:" + ",".join(f"{date:%Y%m%d}" for date in closed),
        ]
    else:
        lines.append(f"DTEND;VALUE=DATE:{last + day:%Y%m%d}")
    lines += [
        f"SUMMARY:{_ics_text(fair.name)}",
        f"LOCATION:{_ics_text(location)}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if fair.status == FairStatus.CANCELLED else 'CONFIRMED'}",
    ]
    if venue.latitude is not None and venue.longitude is not None:
        lines.append(f"GEO:{venue.latitude};{venue.longitude}")
    if fair.description:
        lines.append(f"DESCRIPTION:{_ics_text(fair.description)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(folded for line in lines for folded in _fold_line(line)) + "\r\n"
