"""The organiser's pages that create and shape a fair (/to-chuc/<slug>/…): the fair's
particulars, its status, zones, booths in bulk, the CSV layout, moving / blocking / holding /
merging booths, and the programme. Who may do what (the permission matrix), that a refusal writes
nothing, the field errors in vi and en, and constant SQL on the booth list."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.fairs.errors import FairError
from marketplace.fairs.models import (
    Booth,
    BoothStatus,
    Fair,
    FairStatus,
    ProgrammeItem,
    Zone,
)
from marketplace.fairs.services import programme_item_add, programme_item_remove, zone_update
from sellers.errors import PermissionDenied
from tests.factories import UserFactory, certified_product
from tests.factories_fairs import FairFactory, ZoneFactory, organiser_member
from tests.fairs import test_workspace_pages as pages
from tests.fairs.helpers import applied, desk_with_booths
from tests.fairs.test_workspace_pages import DESK_MANAGERS, ORGANISER_ACTORS, login

# The organiser desk's world (an organiser with an owner, a manager and staff, a fair with a zone,
# three booths, submitted, waitlisted and accepted applications), shared with its review tests.
world = pages.world

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "fairs": list(Fair.objects.order_by("pk").values_list("pk", "name", "status", "rules")),
        "zones": list(Zone.objects.order_by("pk").values_list("pk", "name", "colour")),
        "booths": list(
            Booth.objects.order_by("pk").values_list("pk", "code", "x", "y", "width", "status")
        ),
        "programme": list(ProgrammeItem.objects.order_by("pk").values_list("pk", "title")),
    }


def fair_data(**changes):
    starts = timezone.localdate() + datetime.timedelta(days=40)
    data = {
        "name": "Hội chợ OCOP Quảng Ninh hè 2027",
        "venue_name": "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh",
        "venue_address": "Trần Quốc Nghiễn, Hạ Long",
        "province": "",
        "latitude": "20.951",
        "longitude": "107.08",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + datetime.timedelta(days=4)).isoformat(),
        "opens_at": "08:00",
        "closes_at": "22:00",
        "closed_days": "",
        "description_vi": "Hội chợ sản phẩm OCOP",
        "description_en": "OCOP products fair",
        "applications_open_on": (starts - datetime.timedelta(days=30)).isoformat(),
        "applications_close_on": (starts - datetime.timedelta(days=10)).isoformat(),
        "booth_fee": "2.000.000",
        "payment_days": "7",
        "partners": "OVOP Nhật Bản\nOTOP Thái Lan",
        "rules": "Không bán hàng giả",
    }
    data.update(changes)
    return data


def base(w):
    return f"/to-chuc/{w.organiser.slug}/"


# --- the permission matrix ------------------------------------------------------------------


def case_fair_new(w):
    from core.models import Province

    return "hoi-cho-moi/", fair_data(province=Province.objects.get(code="22").pk)


def case_fair_edit(w):
    return f"hoi-cho/{w.fair.slug}/sua/", fair_data(
        name="Hội chợ đổi tên", province=w.fair.province_id
    )


def case_fair_status(w):
    return f"hoi-cho/{w.fair.slug}/trang-thai/", {"to": "applications_closed"}


def case_zone_add(w):
    return f"hoi-cho/{w.fair.slug}/khu/", {
        "name": "Khu ẩm thực",
        "kind": "food",
        "colour": "#aa3300",
    }


def case_zone_edit(w):
    return f"khu/{w.zone.pk}/sua/", {"name": "Cụm Đầm Hà", "kind": "locality", "colour": "#123456"}


def case_booths_bulk(w):
    return f"hoi-cho/{w.fair.slug}/gian-hang/tao/", {
        "zone": w.zone.pk, "prefix": "B", "first": "1", "last": "4", "width": "3",
        "depth": "3", "per_row": "2", "x": "0", "y": "30", "price": "",
    }  # fmt: skip


def case_layout(w):
    content = "zone,code,area_m2,price,x,y,width,height\nCụm Tiên Yên,C-01,9,,0,60,3,3\n"
    return f"hoi-cho/{w.fair.slug}/gian-hang/nhap/", {
        "file": SimpleUploadedFile("plan.csv", content.encode(), content_type="text/csv")
    }


def case_booth_move(w):
    return f"gian-hang/{w.booths[0].pk}/move/", {"x": "90", "y": "90"}


def case_booth_block(w):
    return f"gian-hang/{w.booths[0].pk}/block/", {}


def case_booth_hold(w):
    return f"gian-hang/{w.booths[0].pk}/hold/", {"held_for": "Cụm Bình Liêu"}


def case_booth_free(w):
    Booth.objects.filter(pk=w.booths[0].pk).update(status=BoothStatus.BLOCKED)
    return f"gian-hang/{w.booths[0].pk}/free/", {}


def case_booths_merge(w):
    # Side by side, away from the third booth: the factory's positions wrap to a new row every
    # 50 booths, so two consecutive ones are not always neighbours.
    for n, booth in enumerate(w.booths[:2]):
        Booth.objects.filter(pk=booth.pk).update(x=300 + 3 * n, y=300)
    return f"hoi-cho/{w.fair.slug}/gian-hang/gop/", {"booth": [w.booths[0].pk, w.booths[1].pk]}


def case_programme_add(w):
    return f"hoi-cho/{w.fair.slug}/chuong-trinh/", {"title": "Công bố sản phẩm OCOP ★4"}


def case_programme_remove(w):
    item = ProgrammeItem.objects.create(fair=w.fair, title="Khai mạc")
    return f"chuong-trinh/{item.pk}/xoa/", {}


SETUP_CASES = {
    "fair_new": case_fair_new,
    "fair_edit": case_fair_edit,
    "fair_status": case_fair_status,
    "zone_add": case_zone_add,
    "zone_edit": case_zone_edit,
    "booths_bulk": case_booths_bulk,
    "layout": case_layout,
    "booth_move": case_booth_move,
    "booth_block": case_booth_block,
    "booth_hold": case_booth_hold,
    "booth_free": case_booth_free,
    "booths_merge": case_booths_merge,
    "programme_add": case_programme_add,
    "programme_remove": case_programme_remove,
}


@pytest.mark.parametrize("actor", ORGANISER_ACTORS)
@pytest.mark.parametrize("case", list(SETUP_CASES))
def test_setup_permission_matrix(client, world, case, actor):
    path, data = SETUP_CASES[case](world)
    login(client, world, actor)
    before = snapshot()
    response = client.post(base(world) + path, data)
    after = snapshot()
    if actor in DESK_MANAGERS:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert after != before
        return
    if actor == "anonymous":
        assert response.status_code == 302
        assert "/tai-khoan/" in response["Location"] or "login" in response["Location"]
    elif actor == "desk_staff":
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert after == before


SETUP_PAGES = {
    "fair_new": lambda w: ("hoi-cho-moi/", False),
    "fair_edit": lambda w: (f"hoi-cho/{w.fair.slug}/sua/", False),
    "zones": lambda w: (f"hoi-cho/{w.fair.slug}/khu/", True),
    "zone_edit": lambda w: (f"khu/{w.zone.pk}/sua/", False),
    "booths": lambda w: (f"hoi-cho/{w.fair.slug}/gian-hang/", True),
    "booths_bulk": lambda w: (f"hoi-cho/{w.fair.slug}/gian-hang/tao/", False),
    "layout": lambda w: (f"hoi-cho/{w.fair.slug}/gian-hang/nhap/", False),
    "programme": lambda w: (f"hoi-cho/{w.fair.slug}/chuong-trinh/", True),
}


@pytest.mark.parametrize("actor", ORGANISER_ACTORS)
@pytest.mark.parametrize("page", list(SETUP_PAGES))
def test_setup_pages_permission_matrix(client, world, page, actor):
    """Every member reads the lists; only owners and managers open the forms."""
    path, members_read = SETUP_PAGES[page](world)
    login(client, world, actor)
    response = client.get(base(world) + path)
    if actor in DESK_MANAGERS:
        assert response.status_code == 200
    elif actor == "desk_staff":
        assert response.status_code == (200 if members_read else 403)
    elif actor == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


# --- the fair -------------------------------------------------------------------------------


def test_a_manager_creates_a_draft_fair_with_every_particular(client, world):
    from core.models import Province

    client.force_login(world.users["desk_manager"])
    data = fair_data(
        province=Province.objects.get(code="22").pk,
        closed_days="2027-02-10, 2027-02-11",
        cover=SimpleUploadedFile("cover.gif", GIF, content_type="image/gif"),
    )
    response = client.post(base(world) + "hoi-cho-moi/", data)
    fair = Fair.objects.get(name="Hội chợ OCOP Quảng Ninh hè 2027")
    assert response.status_code == 302
    assert response["Location"] == base(world) + f"hoi-cho/{fair.slug}/"
    assert fair.slug == "hoi-cho-ocop-quang-ninh-he-2027"
    assert fair.organiser == world.organiser
    assert fair.status == FairStatus.DRAFT
    assert fair.booth_fee == 2_000_000
    assert fair.partners == ["OVOP Nhật Bản", "OTOP Thái Lan"]
    assert fair.closed_days == ["2027-02-10", "2027-02-11"]
    assert fair.opens_at == datetime.time(8, 0)
    assert str(fair.latitude) == "20.951000"
    assert fair.cover.name.startswith("fairs/covers/cover")
    assert fair.description_en == "OCOP products fair"


GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def test_a_fair_at_a_fair_centre_takes_the_province_from_the_point(client, world):
    from tests.factories_places import point as point_of_sale

    point = point_of_sale(kind="fair_centre", code="79")
    client.force_login(world.users["desk_owner"])
    data = fair_data(venue_point=point.pk, venue_address="", venue_name="", province="")
    response = client.post(base(world) + "hoi-cho-moi/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    fair = Fair.objects.get(name=data["name"])
    assert fair.venue_point == point
    assert fair.province == point.location.province
    assert fair.venue_address == ""


@pytest.mark.parametrize(
    ("language", "changes", "field", "message"),
    [
        ("vi", {"ends_on": "2020-01-01"}, "ends_on", "Ngày cuối trước ngày đầu."),
        ("en", {"ends_on": "2020-01-01"}, "ends_on", "The last day is before the first day."),
        ("en", {"venue_address": ""}, "venue_address", "Give the venue&#x27;s address."),
        ("en", {"booth_fee": "2,5"}, "booth_fee", "Enter a whole number of đồng"),
        ("en", {"province": ""}, "province", "Choose the province of the venue."),
        ("en", {"closed_days": "mùng 1 Tết"}, "closed_days", "is not a date (YYYY-MM-DD)."),
        ("vi", {"closes_at": "07:00"}, "closes_at", "Giờ đóng cửa phải sau giờ mở cửa."),
    ],
)
def test_bad_fair_input_is_explained_on_its_field_and_writes_nothing(
    client, world, language, changes, field, message
):
    from core.models import Province

    client.force_login(world.users["desk_manager"])
    data = fair_data(province=Province.objects.get(code="22").pk)
    data.update(changes)
    before = snapshot()
    response = client.post(base(world) + "hoi-cho-moi/", data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert (
        f'id="id_{field}_error"' in body
        or f'aria-invalid="true" id="id_{field}"' in body
        or (f'name="{field}"' in body and "form-row-error" in body)
    )
    assert snapshot() == before


def test_a_manager_edits_the_fair_and_keeps_its_cover(client, world):
    world.fair.cover = SimpleUploadedFile("old.gif", GIF, content_type="image/gif")
    world.fair.save()
    cover, slug = world.fair.cover.name, world.fair.slug
    client.force_login(world.users["desk_manager"])
    page = client.get(base(world) + f"hoi-cho/{world.fair.slug}/sua/").content.decode()
    assert 'value="Hội chợ OCOP Hạ Long"' in page
    data = fair_data(name="Hội chợ OCOP Hạ Long 2027", province=world.fair.province_id)
    response = client.post(base(world) + f"hoi-cho/{world.fair.slug}/sua/", data)
    assert response.status_code == 302
    world.fair.refresh_from_db()
    assert world.fair.name == "Hội chợ OCOP Hạ Long 2027"
    assert world.fair.slug == slug
    assert world.fair.cover.name == cover
    assert world.fair.rules == "Không bán hàng giả"


# --- status ---------------------------------------------------------------------------------


def test_the_desk_moves_a_fair_through_its_life_cycle(client):
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser, status=FairStatus.DRAFT)
    client.force_login(user)
    desk = f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/"
    page = client.get(desk).content.decode()
    assert 'data-to="published"' in page and 'data-to="running"' not in page
    for to in ("published", "applications_open", "applications_closed", "running", "finished"):
        response = client.post(desk + "trang-thai/", {"to": to})
        assert response.status_code == 302
        fair.refresh_from_db()
        assert fair.status == to
    page = client.get(desk).content.decode()
    assert "data-to=" not in page and "fair-cancel" not in page


def test_a_refused_transition_is_explained_and_changes_nothing(client):
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser, status=FairStatus.DRAFT)
    client.force_login(user)
    desk = f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/"
    page = client.post(desk + "trang-thai/", {"to": "finished"}, HTTP_ACCEPT_LANGUAGE="en",
                       follow=True).content.decode()  # fmt: skip
    assert "A fair that is “Draft” cannot become “Finished”." in page
    fair.refresh_from_db()
    assert fair.status == FairStatus.DRAFT


def test_cancelling_from_the_desk_needs_a_reason_and_mails_every_exhibitor(
    client, django_capture_on_commit_callbacks
):
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser)
    vi = applied(fair=fair, language="vi")
    en = applied(fair=fair, language="en")
    client.force_login(user)
    desk = f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/"
    page = client.post(desk + "trang-thai/", {"to": "cancelled", "reason": " "},
                       HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()  # fmt: skip
    assert "Say why the fair is cancelled: exhibitors are told." in page
    fair.refresh_from_db()
    assert fair.status == FairStatus.APPLICATIONS_OPEN
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(desk + "trang-thai/", {"to": "cancelled", "reason": "Bão số 3"})
    fair.refresh_from_db()
    assert fair.status == FairStatus.CANCELLED
    subjects = {m.to[-1]: m.subject for m in mail.outbox}
    assert subjects == {
        vi.seller.email: f"{fair.name} đã bị hủy",
        en.seller.email: f"{fair.name} has been cancelled",
    }


# --- zones and booths -----------------------------------------------------------------------


def test_zones_are_added_and_edited(client, world):
    client.force_login(world.users["desk_manager"])
    url = base(world) + f"hoi-cho/{world.fair.slug}/khu/"
    client.post(url, {"name": "Khu quốc tế", "kind": "international", "colour": "#0055aa"})
    zone = Zone.objects.get(name="Khu quốc tế")
    assert (zone.kind, zone.colour, zone.position) == ("international", "#0055aa", 1)
    page = client.post(url, {"name": "Khu quốc tế", "kind": "food", "colour": "#0055aa"},
                       HTTP_ACCEPT_LANGUAGE="en").content.decode()  # fmt: skip
    assert "This fair already has a zone called “Khu quốc tế”." in page
    page = client.post(url, {"name": "Khu X", "kind": "food", "colour": "đỏ"},
                       HTTP_ACCEPT_LANGUAGE="en").content.decode()  # fmt: skip
    assert "A colour is written #RRGGBB." in page
    client.post(base(world) + f"khu/{zone.pk}/sua/", {"name": "Khu OVOP", "kind": "international",
                                                      "colour": "#112233"})  # fmt: skip
    zone.refresh_from_db()
    assert (zone.name, zone.colour) == ("Khu OVOP", "#112233")
    assert Zone.objects.filter(fair=world.fair).count() == 2


def test_bulk_booths_a_01_to_a_40_in_rows_of_20(client):
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser, booth_fee=1_500_000)
    zone = ZoneFactory(fair=fair, name="Khu A")
    client.force_login(user)
    url = f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/gian-hang/tao/"
    data = {"zone": zone.pk, "prefix": "a", "first": "1", "last": "40", "width": "3",
            "depth": "3", "per_row": "20", "x": "0", "y": "0", "price": ""}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    booths = list(fair.booths.order_by("code"))
    assert [b.code for b in booths[:2]] + [booths[-1].code] == ["A-01", "A-02", "A-40"]
    assert (booths[19].x, booths[19].y, booths[20].x, booths[20].y) == (57, 0, 0, 3)
    assert {b.price for b in booths} == {1_500_000}
    again = client.post(url, {**data, "first": "40", "last": "41"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "These booth codes already exist: A-40." in again.content.decode()
    assert fair.booths.count() == 40


def test_a_layout_with_errors_lists_every_row_and_imports_nothing_then_the_fixed_file_imports(
    client, world
):
    client.force_login(world.users["desk_owner"])
    url = base(world) + f"hoi-cho/{world.fair.slug}/gian-hang/nhap/"
    bad = ("zone,code,area_m2,price,x,y,width,height\n"
           "Cụm Tiên Yên,C-01,9,,0,60,3,3\nKhu Z,C-02,9,,3,60,3,3\nCụm Tiên Yên,C-03,chín,,6,60,3,3\n")  # fmt: skip
    upload = SimpleUploadedFile("plan.csv", bad.encode(), content_type="text/csv")
    before = snapshot()
    page = client.post(url, {"file": upload}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 errors: nothing was imported." in page
    assert (
        '<tr data-row="3" data-column="zone"><td>3</td><td>zone</td><td>No zone “Khu Z” in this fair.</td></tr>'
        in page
    )
    assert 'data-row="4" data-column="area_m2"' in page
    assert snapshot() == before
    good = bad.replace("Khu Z", "Cụm Tiên Yên").replace("chín", "9")
    upload = SimpleUploadedFile("plan.csv", good.encode(), content_type="text/csv")
    response = client.post(url, {"file": upload})
    assert response.status_code == 302
    assert set(world.fair.booths.filter(code__startswith="C-").values_list("code", flat=True)) == {
        "C-01", "C-02", "C-03"}  # fmt: skip


def test_booths_are_moved_blocked_held_freed_and_merged_from_the_list(client, world):
    client.force_login(world.users["desk_manager"])
    first, second, assigned = world.booths
    act = base(world) + "gian-hang/{}/{}/"
    client.post(act.format(first.pk, "hold"), {"held_for": "Cụm Bình Liêu"})
    first.refresh_from_db()
    assert (first.status, first.held_for) == ("held", "Cụm Bình Liêu")
    client.post(act.format(first.pk, "block"))
    first.refresh_from_db()
    assert (first.status, first.held_for) == ("blocked", "")
    client.post(act.format(first.pk, "free"))
    first.refresh_from_db()
    assert first.status == "available"
    page = client.post(act.format(assigned.pk, "block"), HTTP_ACCEPT_LANGUAGE="en",
                       follow=True).content.decode()  # fmt: skip
    assert f"Booth {assigned.code} is assigned: release it first." in page
    page = client.post(act.format(first.pk, "move"), {"x": str(second.x), "y": str(second.y)},
                       HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()  # fmt: skip
    assert f"{first.code}: Booth A-02 would overlap booth A-01." in page
    merge = base(world) + f"hoi-cho/{world.fair.slug}/gian-hang/gop/"
    Booth.objects.filter(pk=second.pk).update(x=first.x + first.width, y=first.y)
    response = client.post(merge, {"booth": [first.pk, second.pk]})
    assert response.status_code == 302
    kept = Booth.objects.get(pk=first.pk)
    assert (kept.width, kept.area_m2) == (first.width * 2, first.area_m2 * 2)
    assert not Booth.objects.filter(pk=second.pk).exists()
    page = client.get(base(world) + f"hoi-cho/{world.fair.slug}/gian-hang/").content.decode()
    assert page.count('class="offer-row" id="booth-') == 2
    assert "HTX Ba kích Ba Chẽ" in page


def test_the_layout_is_closed_once_the_fair_runs(client, world):
    Fair.objects.filter(pk=world.fair.pk).update(status=FairStatus.RUNNING)
    client.force_login(world.users["desk_manager"])
    page = client.get(base(world) + f"hoi-cho/{world.fair.slug}/gian-hang/").content.decode()
    assert "/block/" not in page and "merge-form" not in page
    before = snapshot()
    client.post(base(world) + f"gian-hang/{world.booths[0].pk}/block/")
    assert snapshot() == before


def test_the_booth_list_costs_the_same_sql_for_two_or_ten_booths(client):
    counts = []
    for size in (2, 10):
        organiser, user, fair, _booths = desk_with_booths(size)
        client.force_login(user)
        url = f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/gian-hang/"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content.decode()
        assert body.count('class="offer-row" id="booth-') == size
        counts.append(len(queries))
    assert counts[0] == counts[1] == BOOTH_LIST_QUERIES


# session, user, organiser, membership, fair, booths with zones, live assignments
BOOTH_LIST_QUERIES = 7


# --- the programme --------------------------------------------------------------------------


def test_programme_items_carry_the_certificates_announced(client, world):
    _product, _evaluation, certificate = certified_product()
    client.force_login(world.users["desk_manager"])
    url = base(world) + f"hoi-cho/{world.fair.slug}/chuong-trinh/"
    page = client.post(url, {"title": "Công bố ★4", "certificates": "KHÔNG-CÓ-123"},
                       HTTP_ACCEPT_LANGUAGE="en").content.decode()  # fmt: skip
    assert "No certificate in the registry has the number KHÔNG-CÓ-123." in page
    assert not ProgrammeItem.objects.exists()
    client.post(url, {"title": "Công bố ★4", "day": world.fair.starts_on.isoformat(),
                      "certificates": certificate.number.lower()})  # fmt: skip
    item = ProgrammeItem.objects.get()
    assert list(item.certificates.all()) == [certificate]
    page = client.get(url).content.decode()
    assert certificate.number in page
    public = client.get(world.fair.get_absolute_url()).content.decode()
    assert "Công bố ★4" in public
    client.post(base(world) + f"chuong-trinh/{item.pk}/xoa/")
    assert not ProgrammeItem.objects.exists()


def test_programme_services_check_the_member_the_day_and_the_fair():
    organiser, user = organiser_member()
    _other, stranger = organiser_member()
    fair = FairFactory(organiser=organiser)
    _product, _evaluation, certificate = certified_product()
    with pytest.raises(PermissionDenied):
        programme_item_add(fair=fair, actor=stranger, title="Khai mạc")
    with pytest.raises(FairError) as refused:
        programme_item_add(fair=fair, actor=user, title="Khai mạc",
                           day=fair.ends_on + datetime.timedelta(days=1))  # fmt: skip
    assert refused.value.field == "day"
    first = programme_item_add(fair=fair, actor=user, title="Khai mạc", certificates=[certificate])
    second = programme_item_add(fair=fair, actor=user, title="Bế mạc")
    assert (first.position, second.position) == (0, 1)
    with pytest.raises(PermissionDenied):
        programme_item_remove(item=first, actor=UserFactory())
    programme_item_remove(item=first, actor=user)
    assert list(fair.programme.all()) == [second]


def test_zone_update_refuses_a_duplicate_name():
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser)
    ZoneFactory(fair=fair, name="Khu A")
    zone = ZoneFactory(fair=fair, name="Khu B")
    with pytest.raises(FairError) as refused:
        zone_update(zone=zone, actor=user, name="Khu A")
    assert refused.value.code == "duplicate"
    assert zone_update(zone=zone, actor=user, colour="#000000").colour == "#000000"
