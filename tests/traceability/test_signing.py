"""Stamp codes: valid codes verify, any alteration is rejected, keys rotate, URLs fit a small QR."""

import string

import pytest
import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st
from qrcode.constants import ERROR_CORRECT_M

from traceability import signing

KEY_A = "A:first-secret-0123456789abcdef"
KEY_B = "B:second-secret-0123456789abcdef"
CODE_ALPHABET = string.ascii_uppercase + "234567"
# Characters a mangled code might contain: the code alphabet, lower case, the other digits, and
# a few URL-ish characters.
ANY_CHAR = st.sampled_from(string.ascii_letters + string.digits + "-_.~%/+=")

serials = st.text(alphabet=CODE_ALPHABET, min_size=13, max_size=13)


@pytest.fixture(autouse=True)
def _keys(settings):
    settings.STAMP_SIGNING_KEYS = f"{KEY_A},{KEY_B}"


@given(serial=serials)
def test_valid_codes_always_verify(serial):
    code = signing.stamp_code_sign(serial=serial)
    assert len(code) == signing.CODE_LENGTH == 30
    assert set(code) <= set(CODE_ALPHABET)
    assert signing.stamp_code_verify(code=code) == (serial, "A")


@given(serial=serials, data=st.data())
@settings(max_examples=300)
def test_any_single_character_change_is_rejected(serial, data):
    code = signing.stamp_code_sign(serial=serial)
    position = data.draw(st.integers(min_value=0, max_value=len(code) - 1))
    replacement = data.draw(ANY_CHAR.filter(lambda ch: ch != code[position]))
    altered = code[:position] + replacement + code[position + 1 :]
    assert signing.stamp_code_verify(code=altered) is None


@given(serial=serials, data=st.data())
def test_truncated_or_extended_codes_are_rejected(serial, data):
    code = signing.stamp_code_sign(serial=serial)
    cut = data.draw(st.integers(min_value=0, max_value=len(code) - 1))
    assert signing.stamp_code_verify(code=code[:cut]) is None
    assert signing.stamp_code_verify(code=code[len(code) - cut :]) is None
    extra = data.draw(st.text(alphabet=ANY_CHAR, min_size=1, max_size=5))
    assert signing.stamp_code_verify(code=code + extra) is None
    assert signing.stamp_code_verify(code=extra + code) is None


@given(serial=serials)
def test_lower_case_copy_is_not_a_code_until_normalised(serial):
    code = signing.stamp_code_sign(serial=serial)
    assert signing.stamp_code_verify(code=code.lower()) is None
    typed = f" {code.lower()}\n"
    assert signing.stamp_code_normalise(typed) == code
    assert signing.stamp_code_verify(code=signing.stamp_code_normalise(typed)) == (serial, "A")


def test_normalising_changes_only_ascii_letters():
    assert signing.stamp_code_normalise("abcı") == "abcı"  # not "ABCI"
    assert signing.stamp_code_normalise("ab2c") == "AB2C"


@given(first=serials, second=serials)
def test_signature_of_one_serial_does_not_fit_another(first, second):
    if first == second:
        return
    forged = second + signing.stamp_code_sign(serial=first)[13:]
    assert signing.stamp_code_verify(code=forged) is None


def test_key_rotation(settings):
    old = signing.stamp_code_sign(serial="ABCDEFGHIJKLM")
    assert old[13] == "A"
    # Rotate: B becomes the current key, A still verifies.
    settings.STAMP_SIGNING_KEYS = f"{KEY_B},{KEY_A}"
    assert signing.signing_key_current() == "B"
    new = signing.stamp_code_sign(serial="ABCDEFGHIJKLM")
    assert new[13] == "B" and new != old
    assert signing.stamp_code_verify(code=old) == ("ABCDEFGHIJKLM", "A")
    assert signing.stamp_code_verify(code=new) == ("ABCDEFGHIJKLM", "B")
    # Remove A: its stamps are no longer recognised, B's still are.
    settings.STAMP_SIGNING_KEYS = KEY_B
    assert signing.stamp_code_verify(code=old) is None
    assert signing.stamp_code_verify(code=new) == ("ABCDEFGHIJKLM", "B")


def test_a_key_with_the_same_id_but_another_secret_rejects_the_code(settings):
    code = signing.stamp_code_sign(serial="ABCDEFGHIJKLM")
    settings.STAMP_SIGNING_KEYS = "A:a-completely-different-secret"
    assert signing.stamp_code_verify(code=code) is None


def test_development_default_key_is_derived_from_secret_key(settings):
    settings.STAMP_SIGNING_KEYS = ""
    code = signing.stamp_code_sign(serial="ABCDEFGHIJKLM")
    assert code[13] == "A"
    assert signing.stamp_code_verify(code=code) == ("ABCDEFGHIJKLM", "A")
    settings.SECRET_KEY = "another-secret-key-" * 4
    assert signing.stamp_code_verify(code=code) is None


@pytest.mark.parametrize(
    "raw",
    [
        "A",
        "A:short",
        "a:lower-case-key-id-0123456789",
        "AB:two-character-id-01234567",
        "A:x" * 1,
        f"{KEY_A},{KEY_A}",
    ],
)
def test_malformed_key_settings_are_refused(settings, raw):
    from django.core.exceptions import ImproperlyConfigured

    settings.STAMP_SIGNING_KEYS = raw
    with pytest.raises(ImproperlyConfigured):
        signing.signing_keys()


def test_serials_are_random_and_well_formed():
    serials_made = {signing.serial_new() for _ in range(2000)}
    assert len(serials_made) == 2000
    assert all(len(s) == 13 and set(s) <= set(CODE_ALPHABET) for s in serials_made)


def _qr_version(url: str) -> int:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.version


@pytest.mark.parametrize(
    "site_url",
    [
        "http://127.0.0.1:8000",
        "https://ocop.example.vn",
        "https://cho-ocop.quangninh.gov.vn",
    ],
)
def test_short_url_fits_qr_version_4_at_level_m(settings, site_url):
    settings.SITE_URL = site_url
    code = signing.stamp_code_sign(serial=signing.serial_new())
    url = f"{signing._short_origin()}/S/{code}"
    assert url == url.upper()
    assert _qr_version(url) <= 4


def test_short_url_fits_with_the_configured_site_url(settings):
    from django.conf import settings as django_settings

    assert django_settings.SITE_URL  # the value the deployment runs with
    code = signing.stamp_code_sign(serial=signing.serial_new())
    assert _qr_version(f"{signing._short_origin()}/S/{code}") <= 4


def test_pin_hash_is_salted_by_serial_and_peppered(settings):
    settings.STAMP_PIN_PEPPER = "pepper-one"
    a = signing.pin_hash(serial="AAAAAAAAAAAAA", pin="12345678")
    assert a != signing.pin_hash(serial="BBBBBBBBBBBBB", pin="12345678")
    assert "12345678" not in a
    assert signing.pin_matches(serial="AAAAAAAAAAAAA", pin="12345678", stored=a)
    assert not signing.pin_matches(serial="AAAAAAAAAAAAA", pin="12345679", stored=a)
    settings.STAMP_PIN_PEPPER = "pepper-two"
    assert not signing.pin_matches(serial="AAAAAAAAAAAAA", pin="12345678", stored=a)


def test_device_hash_changes_with_the_day_and_hides_the_address():
    one = signing.device_hash(user_agent="Mozilla", client_ip="203.0.113.7", day="2026-11-22")
    assert one == signing.device_hash(
        user_agent="Mozilla", client_ip="203.0.113.7", day="2026-11-22"
    )
    assert one != signing.device_hash(
        user_agent="Mozilla", client_ip="203.0.113.7", day="2026-11-23"
    )
    assert "203.0.113.7" not in one and len(one) == 32
