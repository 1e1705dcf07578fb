from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit of the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def validate_gtin(value: str) -> None:
    """GTIN-8, -12, -13 or -14 with a correct check digit."""
    if not value:
        return
    # isascii: str.isdigit() also accepts other scripts' digits ("８９３…"), which no scanner reads.
    if not (value.isascii() and value.isdigit()) or len(value) not in GTIN_LENGTHS:
        raise ValidationError(
            _("A GTIN has 8, 12, 13 or 14 digits; %(value)s does not."),
            code="gtin_format",
            params={"value": value},
        )
    if gtin_check_digit(value[:-1]) != int(value[-1]):
        raise ValidationError(
            _("The check digit of GTIN %(value)s is wrong."),
            code="gtin_check_digit",
            params={"value": value},
        )


def gtin14(value: str) -> str:
    """GTIN-8/12/13 left-padded with zeros to 14 digits, the form GS1 Digital Link and every
    comparison of GTINs use (a GTIN-13 and its GTIN-14 are the same number)."""
    return value.zfill(14)


def gtin_stored_forms(value: str) -> set[str]:
    """The forms a GTIN may have been stored in (as printed: 8, 12, 13 or 14 digits) that pad
    to the same GTIN-14 as ``value``: what a lookup by GTIN matches."""
    padded = gtin14(value)
    return {
        padded[14 - length :]
        for length in GTIN_LENGTHS
        if not padded[: 14 - length].strip("0")  # only zeros are cut
    }
