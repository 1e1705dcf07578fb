"""Registry officials import points of sale from CSV/XLSX: all rows or none, each refusal with
its row, column and a message in the official's language."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from marketplace.offers.models import StockLocation
from marketplace.places.importer import points_import
from marketplace.places.models import PointOfSale
from sellers.models import SellerStatus
from tests.factories import BusinessFactory, UserFactory, province
from tests.factories_places import point

pytestmark = pytest.mark.django_db
HEADER = "Mã số thuế;Tên;Loại;Tỉnh;Xã phường;Đường;Vĩ độ;Kinh độ;Điện thoại;Gần đúng\n"


@pytest.fixture
def operator():
    province("22")
    province("01")
    return BusinessFactory(status=SellerStatus.ACTIVE, tax_code="5700123456")


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


GOOD = HEADER + (
    "5700123456;Ki-ốt OCOP Bến xe Bãi Cháy;Bến xe khách;Quảng Ninh;phường Bãi Cháy;"
    "Bến xe Bãi Cháy;20,9618;107.0345;0203 3846 123;x\n"
    "5700123456;Trạm dừng nghỉ Km 30;highway_rest_stop;TP. Hà Nội;;;21.0285;105.8542;;\n"
)


def test_a_good_file_creates_every_point(operator):
    with translation.override("vi"):
        report = points_import(source=_csv(GOOD), file_name="diem-ban.csv")
    assert (report.errors, report.rows_read, report.points_created, report.applied) == (
        [],
        2,
        2,
        True,
    )
    kiosk = PointOfSale.objects.get(location__name="Ki-ốt OCOP Bến xe Bãi Cháy")
    assert (
        kiosk.kind,
        kiosk.location.province.code,
        str(kiosk.latitude),
        kiosk.phone,
        kiosk.coordinates_approximate,
        kiosk.location.business,
    ) == ("bus_station", "22", "20.961800", "+842033846123", True, operator)
    stop = PointOfSale.objects.get(location__name="Trạm dừng nghỉ Km 30")
    assert (stop.kind, stop.location.province.code, stop.coordinates_approximate) == (
        "highway_rest_stop",
        "01",
        False,
    )


def test_a_dry_run_writes_nothing(operator):
    report = points_import(source=_csv(GOOD), file_name="diem-ban.csv", dry_run=True)
    assert (report.errors, report.rows_read, report.applied) == ([], 2, False)
    assert not PointOfSale.objects.exists()


BAD = HEADER + (
    "5700123456;Ki-ốt A;Bến xe khách;Quảng Ninh;;;107.03;20.96;0203 3846 123;\n"
    "0000000000;Ki-ốt B;Lâu đài;Tỉnh Mặt Trăng;;;21.0;105.8;;\n"
    "5700123456;Điểm đã có;ocop_centre;Quảng Ninh;;;21.0;107.0;12;\n"
    "5700123456;Ki-ốt C;ocop_centre;Quảng Ninh;;;21.0;107.0;;\n"
    "5700123456;Ki-ốt C;market;Quảng Ninh;;;21.1;107.1;;\n"
    "5700123456;Ki-ốt D;market;Quảng Ninh;;;21.1;107.1;;\n"
)


def test_a_bad_file_reports_each_row_and_column_in_english_and_writes_nothing(operator):
    point(operator=operator, name="Điểm đã có")
    before = (PointOfSale.objects.count(), StockLocation.objects.count())
    with translation.override("en"):
        report = points_import(source=_csv(BAD), file_name="bad.csv")
    assert report.applied is False
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (
            2,
            "Vĩ độ",
            "Latitude 107.03 is outside Vietnam (between 6.0 and 23.5): check the number and "
            "that latitude and longitude are not swapped.",
        ),
        (
            2,
            "Kinh độ",
            "Longitude 20.96 is outside Vietnam (between 102.0 and 117.5): check the number and "
            "that latitude and longitude are not swapped.",
        ),
        (3, "Mã số thuế", "No business has the tax code 0000000000."),
        (3, "Loại", "“Lâu đài” is not a kind of point of sale."),
        (3, "Tỉnh", "“Tỉnh Mặt Trăng” is not a province of Vietnam."),
        (4, "Tên", "This business already has a place named “Điểm đã có”."),
        (4, "Điện thoại", report.errors[6].message),
        (6, "Tên", "The same operator's point “Ki-ốt C” is already on row 5."),
    ]
    assert report.errors[6].message  # core.phone's own words
    assert (PointOfSale.objects.count(), StockLocation.objects.count()) == before


def test_the_report_speaks_vietnamese_and_reads_xlsx(operator):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã số thuế", "Tên", "Loại", "Tỉnh", "Vĩ độ", "Kinh độ"])
    sheet.append(["5700123456", "Ki-ốt", "market", "Quảng Ninh", 30.5, 107.0])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with translation.override("vi"):
        report = points_import(source=buffer, file_name="diem-ban.xlsx")
    assert [(e.row, e.column) for e in report.errors] == [(2, "Vĩ độ")]
    assert report.errors[0].message.startswith("Vĩ độ 30.5")
    assert not PointOfSale.objects.exists()


def test_a_file_without_the_required_columns_says_which(operator):
    with translation.override("en"):
        report = points_import(source=_csv("Tên;Tỉnh\nA;Quảng Ninh\n"), file_name="x.csv")
    assert [(e.row, e.message) for e in report.errors] == [
        (None, "Row 1, the header, lacks the columns: tax_code, kind, latitude, longitude.")
    ]


def test_the_admin_page_imports_for_officials(client, operator):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:places_pointofsale_import")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("diem-ban.csv", GOOD.encode("utf-8"), content_type="text/csv")
    response = client.post(url, {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "2 points of sale imported." in response.content.decode()
    assert PointOfSale.objects.count() == 2
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 403
