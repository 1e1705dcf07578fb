"""The operator's points of sale in the seller workspace: list (constant SQL), create and edit
with every refusal on its field in the user's language, hours and exceptions, closure, photos,
stock per point. Who may do what is in tests/sellers/test_workspace_matrix.py."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from marketplace.offers.models import Stock
from marketplace.places.models import (
    OpeningException,
    OpeningHours,
    PointOfSale,
    PointPhoto,
    PointStatus,
)
from sellers.models import SellerStatus
from tests.factories import BusinessFactory, member, province, selling_product
from tests.factories_places import point

pytestmark = pytest.mark.django_db
T = datetime.time


@pytest.fixture
def operator():
    return BusinessFactory(status=SellerStatus.ACTIVE)


def _client(user, language="vi"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _url(name, business, *args):
    return reverse(f"places_workspace:{name}", args=[business.slug, *args])


def _form(**changes):
    return {
        "name": "Ki-ốt OCOP Bến xe Bãi Cháy",
        "kind": "bus_station",
        "province": province("22").pk,
        "commune": "phường Bãi Cháy",
        "street": "Bến xe Bãi Cháy",
        "latitude": "20.9618",
        "longitude": "107,0345",
        "phone": "0203 3846 123",
        "description_vi": "Ki-ốt giới thiệu sản phẩm OCOP.",
        **changes,
    }


def test_manager_creates_a_point_then_lands_on_its_hours(operator):
    client = _client(member(operator, "manager"))
    response = client.post(_url("point_create", operator), _form())
    created = PointOfSale.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("point_hours", operator, created.pk)
    assert (created.location.name, created.kind, str(created.latitude), created.phone) == (
        "Ki-ốt OCOP Bến xe Bãi Cháy",
        "bus_station",
        "20.961800",
        "+842033846123",
    )
    assert created.location.business == operator


def test_bad_point_form_names_every_mistake_in_vietnamese_and_writes_nothing(operator):
    client = _client(member(operator, "owner"))
    response = client.post(
        _url("point_create", operator),
        _form(latitude="107.03", longitude="20.96", phone="12", kind="castle"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"latitude", "longitude", "phone", "kind"}
    assert errors["latitude"] == [
        "Vĩ độ 107.03 nằm ngoài Việt Nam (phải từ 6.0 đến 23.5): kiểm tra lại số và xem vĩ độ, "
        "kinh độ có bị đảo chỗ không."
    ]
    assert PointOfSale.objects.count() == 0


def test_bad_coordinates_are_explained_in_english(operator):
    client = _client(member(operator, "owner"), "en")
    response = client.post(_url("point_create", operator), _form(latitude="107.03"))
    assert response.status_code == 400
    assert response.context["form"].errors["latitude"] == [
        "Latitude 107.03 is outside Vietnam (between 6.0 and 23.5): check the number and that "
        "latitude and longitude are not swapped."
    ]


def test_duplicate_name_is_refused_on_the_name(operator):
    point(operator=operator, name="Ki-ốt OCOP Bến xe Bãi Cháy")
    client = _client(member(operator, "owner"), "en")
    response = client.post(_url("point_create", operator), _form())
    assert response.context["form"].errors["name"] == [
        "This business already has a place named “Ki-ốt OCOP Bến xe Bãi Cháy”."
    ]


def test_owner_edits_a_point(operator):
    target = point(operator=operator, name="Điểm cũ")
    client = _client(member(operator, "owner"))
    assert client.get(_url("point_edit", operator, target.pk)).status_code == 200
    response = client.post(_url("point_edit", operator, target.pk), _form(name="Điểm mới"))
    assert response.status_code == 302
    target.refresh_from_db()
    target.location.refresh_from_db()
    assert (target.location.name, target.kind) == ("Điểm mới", "bus_station")


def test_hours_and_exceptions(operator):
    target = point(operator=operator, hours=[])
    client = _client(member(operator, "manager"), "en")
    url = _url("point_hours", operator, target.pk)
    response = client.post(url, {"day_0": "08:00-11:30, 13:30-17:00", "day_5": "18:00-02:00"})
    assert response.status_code == 302
    assert list(
        OpeningHours.objects.filter(location=target.location).values_list(
            "weekday", "opens", "closes"
        )
    ) == [(0, T(8), T(11, 30)), (0, T(13, 30), T(17)), (5, T(18), T(2))]
    # The page shows the saved hours back.
    assert 'value="08:00-11:30, 13:30-17:00"' in client.get(url).content.decode()

    bad = client.post(url, {"day_1": "8 to 5"})
    assert bad.status_code == 400
    assert bad.context["hours_form"].errors["day_1"] == [
        "“8 to 5” is not an opening time; write it as 08:00-17:00."
    ]
    overlap = client.post(url, {"day_2": "08:00-12:00, 11:00-13:00"})
    assert overlap.context["hours_form"].non_field_errors() == [
        "Opening hours on Wednesday overlap."
    ]
    assert OpeningHours.objects.filter(location=target.location).count() == 3

    tet = datetime.date.today() + datetime.timedelta(days=30)
    response = client.post(url, {"date": tet.isoformat(), "closed": "on", "reason": "Tết"})
    assert response.status_code == 302
    exception = OpeningException.objects.get(location=target.location)
    assert (exception.date, exception.closed, exception.reason) == (tet, True, "Tết")
    assert "Tết" in client.get(url).content.decode()
    missing = client.post(url, {"date": tet.isoformat(), "reason": "Giờ đặc biệt"})
    assert missing.context["exception_form"].errors["opens"] == [
        "Give the opening and closing times, or tick “Closed all day”."
    ]
    response = client.post(_url("point_exception_delete", operator, target.pk, exception.pk))
    assert response.status_code == 302
    assert not OpeningException.objects.exists()


def test_temporary_closure_needs_a_reason_and_reopens(operator):
    target = point(operator=operator)
    client = _client(member(operator, "owner"), "en")
    url = _url("point_status", operator, target.pk)
    refused = client.post(url, {"status": "temporarily_closed"})
    assert refused.status_code == 400
    assert refused.context["status_form"].errors["reason"] == [
        "Say why the point is closed (buyers see it)."
    ]
    assert (
        client.post(url, {"status": "temporarily_closed", "reason": "Sửa chữa"}).status_code == 302
    )
    target.refresh_from_db()
    assert (target.status, target.closure_reason) == (PointStatus.TEMPORARILY_CLOSED, "Sửa chữa")
    assert client.post(url, {"status": "open"}).status_code == 302
    target.refresh_from_db()
    assert (target.status, target.closure_reason) == (PointStatus.OPEN, "")


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 150, 50)).save(buffer, "PNG")
    return SimpleUploadedFile("kiot.png", buffer.getvalue(), content_type="image/png")


def test_photos_are_added_and_removed(operator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    target = point(operator=operator)
    client = _client(member(operator, "owner"), "en")
    response = client.post(
        _url("point_photo_add", operator, target.pk), {"image": _png(), "alt_text": "Ki-ốt"}
    )
    assert response.status_code == 302
    photo = PointPhoto.objects.get()
    assert (photo.point, photo.alt_text, photo.original_name, photo.width) == (
        target,
        "Ki-ốt",
        "kiot.png",
        400,
    )
    not_an_image = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    refused = client.post(_url("point_photo_add", operator, target.pk), {"image": not_an_image})
    assert refused.status_code == 400
    assert refused.context["photo_form"].errors["image"]
    response = client.post(_url("point_photo_remove", operator, target.pk, photo.pk))
    assert response.status_code == 302
    assert not PointPhoto.objects.exists()


def test_staff_sets_the_stock_of_one_point(operator):
    target = point(operator=operator)
    _product, _certificate, (offer,) = selling_product(holder=operator, name="Mật ong")
    client = _client(member(operator, "staff"))
    url = _url("point_stock", operator, target.pk)
    page = client.get(url)
    assert page.status_code == 200
    field = f"q_{offer.pk}_{target.location_id}"
    assert f'name="{field}"' in page.content.decode()
    response = client.post(url, {field: "7", f"s_{offer.pk}_{target.location_id}": "0"})
    assert response.status_code == 302
    assert Stock.objects.get(offer=offer, location=target.location).quantity == 7


def test_another_businesss_point_is_not_found(operator):
    other = point()
    client = _client(member(operator, "owner"))
    assert client.get(_url("point_edit", operator, other.pk)).status_code == 404
    assert client.get(_url("point_stock", operator, other.pk)).status_code == 404


def _rows(response) -> list[str]:
    return re.findall(
        r'<th scope="row"><a href="/diem-ban/[\w-]+/">([^<]+)</a>', response.content.decode()
    )


@pytest.mark.parametrize("count", [2, 10])
def test_point_list_costs_constant_sql(operator, django_assert_num_queries, count):
    for n in range(count):
        created = point(operator=operator, name=f"Điểm {n:02d}")
        Stock.objects.create(
            offer=selling_product(holder=operator, name=f"Hàng {count}-{n}")[2][0],
            location=created.location,
            quantity=3,
        )
    client = _client(member(operator, "owner"))
    url = _url("point_list", operator)
    client.get(url)
    # Session, user, business, membership; the ids with photo counts, the stocked offers per
    # point, the points with location and province, their hours, their exceptions.
    with django_assert_num_queries(9):
        response = client.get(url)
    assert _rows(response) == [f"Điểm {n:02d}" for n in range(count)]


def test_a_staff_members_valid_posts_change_nothing(operator):
    target = point(operator=operator, name="Điểm cũ")
    staff = _client(member(operator, "staff"))
    before = (
        PointOfSale.objects.values().get(),
        list(OpeningHours.objects.values()),
        list(OpeningException.objects.values()),
    )
    posts = [
        (_url("point_create", operator), _form(name="Điểm khác")),
        (_url("point_edit", operator, target.pk), _form(name="Điểm mới")),
        (_url("point_status", operator, target.pk), {"status": "closed"}),
        (_url("point_hours", operator, target.pk), {"day_0": "07:00-09:00"}),
        (
            _url("point_hours", operator, target.pk),
            {"date": "2027-02-17", "closed": "on", "reason": "Tết"},
        ),
    ]
    for url, payload in posts:
        assert staff.post(url, payload).status_code == 403, url
    assert (
        PointOfSale.objects.values().get(),
        list(OpeningHours.objects.values()),
        list(OpeningException.objects.values()),
    ) == before


def _photo(target, position, name):
    return PointPhoto.objects.create(
        point=target,
        image=f"points/{target.pk}/{name}.webp",
        width=800,
        height=600,
        alt_text=name,
        position=position,
    )


def test_photos_are_reordered_and_the_point_page_follows(operator, client):
    target = point(operator=operator)
    # Equal positions (as left by an old import): the id breaks the tie, then a move renumbers.
    front, counter, shelf = (
        _photo(target, 0, "front"),
        _photo(target, 0, "counter"),
        _photo(target, 1, "shelf"),
    )
    manager = _client(member(operator, "manager"), "en")

    def shown():
        body = client.get(target.get_absolute_url()).content.decode()
        gallery = body.split('class="gallery point-photos"')[1].split("</div>")[0]
        return re.findall(r'alt="(\w+)"', gallery)

    assert shown() == ["front", "counter", "shelf"]
    move = _url("point_photo_move", operator, target.pk, shelf.pk)
    assert manager.post(move, {"direction": "up"}).status_code == 302
    assert shown() == ["front", "shelf", "counter"]
    assert list(target.photos.order_by("position").values_list("alt_text", "position")) == [
        ("front", 0),
        ("shelf", 1),
        ("counter", 2),
    ]
    manager.post(_url("point_photo_move", operator, target.pk, front.pk), {"direction": "down"})
    assert shown() == ["shelf", "front", "counter"]
    # At the end nothing moves; the edit page offers only the moves that exist.
    manager.post(_url("point_photo_move", operator, target.pk, counter.pk), {"direction": "down"})
    assert shown() == ["shelf", "front", "counter"]
    page = manager.get(_url("point_edit", operator, target.pk)).content.decode()
    assert re.findall(r'value="(up|down)"( disabled)?', page) == [
        ("up", " disabled"),
        ("down", ""),
        ("up", ""),
        ("down", ""),
        ("up", ""),
        ("down", " disabled"),
    ]
    # Staff update stock only; a direction that is neither is refused with its message.
    staff = _client(member(operator, "staff"), "en")
    assert staff.post(move, {"direction": "down"}).status_code == 403
    response = manager.post(move, {"direction": "sideways"}, follow=True)
    assert "Move a photo up or down." in response.content.decode()
    assert shown() == ["shelf", "front", "counter"]
