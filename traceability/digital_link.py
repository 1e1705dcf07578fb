"""GS1 Digital Link URIs of trade items: the syntax only, no database.

A GS1 Digital Link names a GTIN (primary key, AI 01) and, optionally, its key qualifiers in the
one order GS1 allows — consumer product variant (22), lot (10), serial (21) — in the path;
data attributes such as the expiry date (``?17=261231``) travel in the query string:
``/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}]?17=261231``. Values are percent-encoded where
they hold reserved characters. :func:`digital_link_parse` reads what a resolver receives (the
path after ``/01/`` as the WSGI server decoded it, and the raw query string) and says exactly
what is wrong with a malformed link; :func:`digital_link_path` writes the canonical path, the
GTIN padded to 14 digits, which printed stamps use and the resolver names as ``owl:sameAs``.

A "/" inside a value (``%2F``) cannot be told apart from the path's own separators once the
server has decoded the path, so such values are not accepted; lot codes exclude "/" for that
reason (``traceability.validators``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.validators import gtin14, validate_gtin

# GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1).
CSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
# Key qualifiers of a GTIN, in the only order they may appear, and their longest values.
QUALIFIERS = {"22": "cpv", "10": "lot", "21": "serial"}
QUALIFIER_MAX = 20
# Data attributes that are dates YYMMDD (a day of 00 means the end of the month).
DATE_ATTRIBUTES = frozenset({"11", "12", "13", "15", "16", "17", "7006"})
ATTRIBUTE_MAX = 90
_AI = re.compile(r"\d{2,4}")
_VALUE = re.compile(f"[{re.escape(CSET_82)}]+")


class MalformedLink(ValueError):
    """A path or query string that is not a GS1 Digital Link; ``message`` says why, in the
    user's language."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclass(frozen=True)
class DigitalLink:
    gtin: str  # GTIN-14
    cpv: str | None = None
    lot: str | None = None
    serial: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()  # (AI, value) data attributes, as given

    @property
    def path(self) -> str:
        return digital_link_path(gtin=self.gtin, cpv=self.cpv, lot=self.lot, serial=self.serial)


def digital_link_path(
    *, gtin: str, cpv: str | None = None, lot: str | None = None, serial: str | None = None
) -> str:
    """``/01/{gtin14}[/22/{cpv}][/10/{lot}][/21/{serial}]``, values percent-encoded."""
    parts = [f"/01/{gtin14(gtin)}"]
    for ai, value in (("22", cpv), ("10", lot), ("21", serial)):
        if value:
            parts.append(f"/{ai}/{quote(value, safe='')}")
    return "".join(parts)


def _yymmdd(value: str) -> bool:
    if len(value) != 6 or not (value.isascii() and value.isdigit()):
        return False
    # The century does not matter for validity except on 29 February; 2000 is a leap year.
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    try:
        datetime.date(year, month, day or 1)
    except ValueError:
        return False
    return True


def _attributes(query: str) -> tuple[tuple[str, str], ...]:
    """The GS1 data attributes of a query string: every numeric key. Other keys (``linkType``,
    the stamp signature ``s``, a scan's place) are not GS1 data and are left alone."""
    found: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if not (key.isascii() and key.isdigit()):
            continue
        if key == "01" or key in QUALIFIERS:
            raise MalformedLink(
                _("AI %(ai)s is a key or key qualifier: it belongs in the path, not after “?”.")
                % {"ai": key}
            )
        if not _AI.fullmatch(key):
            raise MalformedLink(_("%(ai)s is not a GS1 application identifier.") % {"ai": key})
        if key in found:
            raise MalformedLink(_("Data attribute %(ai)s is given twice.") % {"ai": key})
        if key in DATE_ATTRIBUTES:
            if not _yymmdd(value):
                raise MalformedLink(
                    _("Data attribute %(ai)s is a date written YYMMDD, e.g. 261231.") % {"ai": key}
                )
        elif not _VALUE.fullmatch(value) or len(value) > ATTRIBUTE_MAX:
            raise MalformedLink(
                _("The value of data attribute %(ai)s holds characters GS1 does not allow.")
                % {"ai": key}
            )
        found[key] = value
    return tuple(found.items())


def digital_link_parse(*, path: str, query: str = "") -> DigitalLink:
    """The link of ``path`` (what follows ``/01/``, percent-decoded) and ``query`` (the raw
    query string), or :class:`MalformedLink` saying what is wrong: a GTIN of the wrong length or
    check digit, an AI that is not a key qualifier, qualifiers out of order or repeated, a value
    missing, too long or outside the GS1 character set, a bad data attribute."""
    parts = path.split("/")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # one trailing slash is tolerated
    gtin = parts[0]
    try:
        validate_gtin(gtin)
    except ValidationError:
        gtin = ""
    if not gtin:
        raise MalformedLink(
            _("The GTIN must have 8, 12, 13 or 14 digits and a correct check digit.")
        )
    pairs = parts[1:]
    if len(pairs) % 2:
        raise MalformedLink(_("AI %(ai)s has no value.") % {"ai": pairs[-1]})
    qualifiers: dict[str, str] = {}
    order = list(QUALIFIERS)
    last = -1
    for ai, value in zip(pairs[::2], pairs[1::2], strict=True):
        if ai not in QUALIFIERS:
            raise MalformedLink(
                _("AI %(ai)s is not a key qualifier of a GTIN (22, 10 or 21).") % {"ai": ai}
            )
        if order.index(ai) <= last:
            raise MalformedLink(
                _("Key qualifiers come once each, in the order 22, 10, 21: %(ai)s is out of place.")
                % {"ai": ai}
            )
        last = order.index(ai)
        if not _VALUE.fullmatch(value) or len(value) > QUALIFIER_MAX:
            raise MalformedLink(
                _(
                    "The value of AI %(ai)s must be 1 to 20 characters: letters without accents, "
                    "digits and !\"%%&'()*+,-.:;<=>?_ (percent-encoded in the link)."
                )
                % {"ai": ai}
            )
        qualifiers[QUALIFIERS[ai]] = value
    return DigitalLink(gtin=gtin14(gtin), attributes=_attributes(query), **qualifiers)
