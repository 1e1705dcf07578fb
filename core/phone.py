"""Vietnamese phone numbers: one parser, one stored form (E.164, "+842438251234").

Parsed with ``phonenumbers`` (Google's libphonenumber metadata), so mobile prefixes and the
area codes of every province are checked against the current numbering plan rather than a
hand-written pattern: landlines ("024 3825 1234") are accepted, and numbers under prefixes
retired by the 2017 area-code change (04, 08, …) and the 2018 move of 11-digit mobiles to 10
digits (0162…, 0120…) are refused with a message that says so. Premium-rate and shared-cost
service numbers (1900…, 1800…) are not a contact number and are refused too.

Callers wrap ``PhoneInvalid`` in their own error type with their field name.
"""

import phonenumbers
from django.utils.translation import gettext_lazy as _

from core.text import nfc

REGION = "VN"
_CONTACT_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.VOIP,
    }
)
# National numbers (after the trunk 0) of the retired plans: 11-digit mobiles "01xx xxx xxxx",
# and landlines under the pre-2017 area codes, which began 3–8 ("04 3825 1234" in Hà Nội, now
# 024; "0511 3825 123" in Đà Nẵng, now 0236). Some old landlines are valid mobiles today
# ("08 3822 1234"): those are accepted, as the plan says they are.
_RETIRED_MOBILE = ("12", "16", "18", "19")


class PhoneInvalid(ValueError):
    def __init__(self, message, *, code: str):
        super().__init__(str(message))
        self.message = message
        self.code = code


def _retired(national: str) -> bool:
    if len(national) == 10 and national.startswith(_RETIRED_MOBILE):
        return True
    return len(national) in (9, 10) and national[0] in "345678"


def phone_normalise(value: str) -> str:
    """The number in E.164 ("+84912345678"); raises ``PhoneInvalid`` (code ``required`` or
    ``invalid``) for an empty, foreign, retired or malformed one."""
    text = nfc(value or "").strip()
    if not text:
        raise PhoneInvalid(_("Enter a phone number."), code="required")
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.region_code_for_number(number) == REGION:
        if phonenumbers.is_valid_number(number):
            if phonenumbers.number_type(number) in _CONTACT_TYPES:
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        elif _retired(str(number.national_number)):
            raise PhoneInvalid(
                _(
                    "This number uses a prefix that is no longer in service (area codes changed "
                    "in 2017, 11-digit mobile numbers became 10 digits in 2018): enter the "
                    "current number."
                ),
                code="invalid",
            )
    raise PhoneInvalid(
        _("Enter a Vietnamese phone number, such as 0912 345 678 or 024 3825 1234."),
        code="invalid",
    )


def phone_display(value: str) -> str:
    """A stored number as Vietnamese readers write it ("024 3825 1234"); anything that does not
    parse (a number stored before numbers were normalised) is shown as it is."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    if phonenumbers.region_code_for_number(number) != REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
