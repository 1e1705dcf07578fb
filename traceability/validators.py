"""Input rules for batches and events that the database cannot express on its own."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from traceability.digital_link import CSET_82, QUALIFIER_MAX

LOT_CODE_MAX = QUALIFIER_MAX
# GS1 AI (10) takes up to 20 characters of the AI encodable character set 82 — except "/",
# which is left out here: a lot travels in the GS1 Digital Link path (/10/{lot}/), and WSGI
# servers decode %2F before Django routes the request, so a lot holding "/" could not be told
# apart from the path's own separators.
LOT_CODE_CHARS = CSET_82.replace("/", "")
_LOT_CODE = re.compile(f"[{re.escape(LOT_CODE_CHARS)}]{{1,{LOT_CODE_MAX}}}")
_OFFSET = re.compile(r"[+-](?:0\d|1[0-4]):[0-5]\d")


def lot_code_is_valid(value: str) -> bool:
    return bool(value) and _LOT_CODE.fullmatch(value) is not None


def validate_lot_code(value: str) -> None:
    if not lot_code_is_valid(value):
        raise ValidationError(
            _(
                "A lot code is 1 to 20 characters: letters without accents, digits and "
                "!\"%&'()*+,-.:;<=>?_ (no spaces, no slash)."
            ),
            code="lot_code",
        )


def validate_utc_offset(value: str) -> None:
    """An EPCIS eventTimeZoneOffset: "+07:00", "-05:30"."""
    if not _OFFSET.fullmatch(value or ""):
        raise ValidationError(_("A time zone offset looks like +07:00."), code="timezone_offset")
