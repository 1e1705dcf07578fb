"""A producer's address is shown once: the pre-2025 "address as given" is kept only when it is a
pre-2025 one, and the data migration clears the copies the importer used to make (issue 15)."""

import importlib

import pytest
from django.apps import apps

from core.models import LegacyProvince
from tests.factories import BusinessFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("sellers.migrations.0005_legacy_address_only_when_pre_2025")


def test_migration_clears_only_copies_of_the_current_address():
    copied = BusinessFactory(
        street="12 Phố Đội Cấn", commune="xã Tiên Yên", legacy_address="12 Phố Đội Cấn, Xã Tiên Yên"
    )
    copied_with_province = BusinessFactory(
        street="thôn 2",
        commune="xã Tiên Yên",
        legacy_address="thôn 2, xã Tiên Yên, Tỉnh Quảng Ninh",
    )
    with_district = BusinessFactory(
        street="", commune="xã Tiên Yên", legacy_address="xã Tiên Yên, huyện Tiên Yên, Quảng Ninh"
    )
    former_province = BusinessFactory(
        street="thôn 10",
        commune="xã Tiên Yên",
        legacy_province=LegacyProvince.objects.filter(current_id=copied.province_id).first()
        or LegacyProvince.objects.first(),
        legacy_address="thôn 10, xã Tiên Yên",
    )
    migration.clear_copied_addresses(apps, None)
    for business in (copied, copied_with_province, with_district, former_province):
        business.refresh_from_db()
    assert copied.legacy_address == copied_with_province.legacy_address == ""
    assert with_district.legacy_address == "xã Tiên Yên, huyện Tiên Yên, Quảng Ninh"
    assert former_province.legacy_address == "thôn 10, xã Tiên Yên"


def test_producer_page_shows_a_current_address_once(client):
    business = BusinessFactory(street="12 Phố Đội Cấn", legacy_address="")
    html = client.get(f"/chu-the/{business.slug}/").content.decode()
    assert html.count("12 Phố Đội Cấn") == 1
    assert "Địa chỉ cũ" not in html
