from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit of the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def validate_gtin(value: str) -> None:
    """GTIN-8, -12, -13 or -14 with a correct check digit."""
    if not value:
        return
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
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
    """GTIN-8/12/13 left-padded to 14 digits, as GS1 Digital Link wants."""
    return value.zfill(14)
