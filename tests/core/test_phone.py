"""core.phone: Vietnamese phone numbers checked against the current plan, stored as E.164."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from core.phone import PhoneInvalid, phone_display, phone_normalise
from sellers.models import Business
from tests.factories import BusinessFactory


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("091.234.5678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("0084 912 345 678", "+84912345678"),
        ("0322345678", "+84322345678"),  # Viettel's 03x, the old 016x
        ("024 3825 1234", "+842438251234"),  # Hà Nội landline
        ("(028) 3822-1234", "+842838221234"),  # Hồ Chí Minh City landline
        ("0203 3123 456", "+842033123456"),  # Quảng Ninh landline
        ("０９１２３４５６７８", "+84912345678"),  # full-width digits, NFC'd and parsed
    ],
)
def test_current_mobile_and_landline_numbers_are_stored_as_e164(given, stored):
    assert phone_normalise(given) == stored


@pytest.mark.parametrize(
    "given",
    [
        "01662345678",  # Viettel 0166, moved to 036 in 2018
        "0120 234 5678",  # MobiFone 0120, moved to 070
        "04 3825 1234",  # Hà Nội before the 2017 area codes (now 024)
        "0511 3825 123",  # Đà Nẵng before 2017 (now 0236)
        "064 3825 123",  # Bà Rịa–Vũng Tàu before 2017 (now 0254)
    ],
)
def test_retired_prefixes_are_refused_saying_so(given):
    with pytest.raises(PhoneInvalid) as exc_info:
        phone_normalise(given)
    assert exc_info.value.code == "invalid"
    assert "no longer in service" in str(exc_info.value.message)


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("12345", "invalid"),
        ("09123456789", "invalid"),
        ("abc", "invalid"),
        ("+33 1 42 68 53 00", "invalid"),  # valid, but not Vietnamese
        ("1900 1234", "invalid"),  # premium rate, not a contact number
    ],
)
def test_other_input_is_refused(given, code):
    with pytest.raises(PhoneInvalid) as exc_info:
        phone_normalise(given)
    assert exc_info.value.code == code
    if code == "invalid":
        assert "0912 345 678 or 024 3825 1234" in str(exc_info.value.message)


def test_refusals_are_translated():
    with pytest.raises(PhoneInvalid) as exc_info:
        phone_normalise("12345")
    with translation.override("vi"):
        assert str(exc_info.value.message) == (
            "Nhập số điện thoại Việt Nam, ví dụ 0912 345 678 hoặc 024 3825 1234."
        )


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+84912345678", "0912 345 678"),
        ("+842438251234", "024 3825 1234"),
        ("0912345678", "0912 345 678"),
        ("01662345678", "01662345678"),  # stored before normalising, shown as it is
        ("", ""),
    ],
)
def test_stored_numbers_are_shown_as_written_in_vietnam(stored, shown):
    assert phone_display(stored) == shown


@pytest.mark.django_db
def test_the_data_migration_stores_numbers_as_e164_and_keeps_retired_ones():
    migration = importlib.import_module("sellers.migrations.0006_phones_e164")
    kept = BusinessFactory(phone="01662345678")
    changed = BusinessFactory(phone="024 3825 1234")
    empty = BusinessFactory(phone="")

    migration.phones_to_e164(apps, None)
    stored = dict(Business.objects.values_list("pk", "phone"))
    assert stored[kept.pk] == "01662345678"
    assert stored[changed.pk] == "+842438251234"
    assert stored[empty.pk] == ""
