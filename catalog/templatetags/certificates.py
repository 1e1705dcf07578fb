"""How a certificate stands, in plain words, for the pages."""

from django import template
from django.utils import timezone

from catalog.rules import certificate_last_day

register = template.Library()


@register.inclusion_tag("catalog/_validity.html")
def certificate_validity(certificate, short: bool = False) -> dict:
    """The certificate's standing today in plain words: in force until…, expired, revoked,
    superseded. An active certificate past its date reads expired even before the daily job."""
    if not hasattr(certificate, "status_on"):  # None, or "" from a missing template variable
        return {"certificate": None, "state": "none", "short": short}
    last_day = certificate_last_day(certificate)
    return {
        "certificate": certificate,
        "state": str(certificate.status_on(timezone.localdate())),
        "last_day": last_day,
        "kept": last_day > certificate.valid_until,
        "short": short,
    }


@register.filter
def last_day(certificate):
    """The certificate's last day of validity, a re-evaluation's kept validity included."""
    return certificate_last_day(certificate)
