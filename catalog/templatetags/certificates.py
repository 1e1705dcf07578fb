"""How a certificate stands, in plain words, for the pages."""

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("catalog/_validity.html")
def certificate_validity(certificate, short: bool = False) -> dict:
    """The certificate's standing today in plain words: in force until…, expired, revoked,
    superseded. An active certificate past its date reads expired even before the daily job."""
    if not hasattr(certificate, "status_on"):  # None, or "" from a missing template variable
        return {"certificate": None, "state": "none", "short": short}
    return {
        "certificate": certificate,
        "state": str(certificate.status_on(timezone.localdate())),
        "short": short,
    }
