"""Writes on points of sale and on the opening hours of stock locations. Operators act through
their memberships (owner and manager edit, staff only count stock — through the offers stock
services, which lock rows in id order); registry officials (staff) recognise and suspend."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.photos import photo_delete_files, photo_process, photo_store
from core.errors import DomainErrorCollector
from core.models import Province
from core.phone import PhoneInvalid, phone_normalise
from core.text import nfc, slugify_vi
from core.uploads import upload_name
from marketplace.offers.models import StockLocation, StockLocationKind
from marketplace.places.errors import PlaceError
from marketplace.places.models import (
    COORDINATE_PLACES,
    LATITUDE_MAX,
    LATITUDE_MIN,
    LONGITUDE_MAX,
    LONGITUDE_MIN,
    OpeningException,
    OpeningHours,
    PointKind,
    PointOfSale,
    PointPhoto,
    PointStatus,
)
from sellers.models import Business, SellerStatus
from sellers.selectors import ROLES_MANAGE
from sellers.services import membership_require

_QUANTUM = Decimal(1).scaleb(-COORDINATE_PLACES)
NAME_MAX = 120
DESCRIPTION_MAX = 2000
PHOTOS_MAX = 8
ALT_MAX = 255


def coordinate_clean(value, *, field: str) -> Decimal:
    """A latitude or longitude inside Vietnam's bounding box, rounded to six decimals. Accepts
    numbers and text ("21.0285", "21,0285")."""
    if isinstance(value, bool) or value is None or value == "":
        raise PlaceError(_("Enter the coordinates."), code="required", field=field)
    try:
        number = Decimal(nfc(str(value)).replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise PlaceError(
            _("Enter the coordinate as a decimal number, such as 21.028511."),
            code="invalid",
            field=field,
        )
    low, high = (
        (LATITUDE_MIN, LATITUDE_MAX) if field == "latitude" else (LONGITUDE_MIN, LONGITUDE_MAX)
    )
    if not low <= number <= high:
        raise PlaceError(
            _(
                "%(field)s %(value)s is outside Vietnam (between %(low)s and %(high)s): "
                "check the number and that latitude and longitude are not swapped."
            )
            % {
                "field": _("Latitude") if field == "latitude" else _("Longitude"),
                "value": number,
                "low": low,
                "high": high,
            },
            code="out_of_range",
            field=field,
        )
    return number.quantize(_QUANTUM)


def _text(value, *, field: str, limit: int, required: bool = False) -> str:
    text = nfc(value or "")
    if required and not text:
        raise PlaceError(_("This field is required."), code="required", field=field)
    if len(text) > limit:
        raise PlaceError(
            _("At most %(limit)d characters.") % {"limit": limit}, code="too_long", field=field
        )
    return text


def _description(value) -> str:
    # Descriptions keep their line breaks (nfc collapses white space, so normalise per line).
    lines = [nfc(line) for line in str(value or "").splitlines()]
    text = "\n".join(lines).strip()
    if len(text) > DESCRIPTION_MAX:
        raise PlaceError(
            _("At most %(limit)d characters.") % {"limit": DESCRIPTION_MAX},
            code="too_long",
            field="description",
        )
    return text


def _phone(value) -> str:
    if not nfc(value or ""):
        return ""
    try:
        return phone_normalise(value)
    except PhoneInvalid as error:
        raise PlaceError(error.message, code=error.code, field="phone") from error


def _slug_for(name: str, *, exclude: int | None = None) -> str:
    base = slugify_vi(name, max_length=120) or "diem-ban"
    slug, n = base, 1
    taken = PointOfSale.objects.exclude(pk=exclude)
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def point_operator_check(business: Business) -> None:
    if business.status != SellerStatus.ACTIVE:
        raise PlaceError(
            _("Only an active seller can operate a point of sale."),
            code="invalid_status",
            field="operator",
        )


def point_fields_clean(
    *,
    business: Business,
    name,
    kind,
    province,
    latitude,
    longitude,
    commune="",
    street="",
    legacy_address="",
    phone="",
    description_vi="",
    description_en="",
    exclude_location: int | None = None,
) -> dict:
    """Every field of a point checked at once: all refusals come back together
    (``DomainErrorCollector``). Used by the workspace, the API, the admin import and the demo."""
    errors = DomainErrorCollector()
    clean: dict = {}
    with errors.check():
        clean["name"] = _text(name, field="name", limit=NAME_MAX, required=True)
        duplicates = StockLocation.objects.filter(business=business, name=clean["name"])
        if exclude_location is not None:
            duplicates = duplicates.exclude(pk=exclude_location)
        if duplicates.exists():
            raise PlaceError(
                _("This business already has a place named “%(name)s”.") % {"name": clean["name"]},
                code="duplicate",
                field="name",
            )
    with errors.check():
        if kind not in PointKind.values:
            raise PlaceError(_("Choose the kind of place."), code="invalid", field="kind")
        clean["kind"] = kind
    with errors.check():
        if not isinstance(province, Province):
            raise PlaceError(_("Choose the province."), code="required", field="province")
        clean["province"] = province
    with errors.check():
        clean["latitude"] = coordinate_clean(latitude, field="latitude")
    with errors.check():
        clean["longitude"] = coordinate_clean(longitude, field="longitude")
    with errors.check():
        clean["commune"] = _text(commune, field="commune", limit=255)
    with errors.check():
        clean["street"] = _text(street, field="street", limit=255)
    with errors.check():
        clean["legacy_address"] = _text(legacy_address, field="legacy_address", limit=500)
    with errors.check():
        clean["phone"] = _phone(phone)
    with errors.check():
        clean["description_vi"] = _description(description_vi)
    with errors.check():
        clean["description_en"] = _description(description_en)
    errors.raise_any()
    return clean


def point_write(
    *,
    business: Business,
    point: PointOfSale | None = None,
    coordinates_approximate: bool = False,
    source_url: str = "",
    is_demo: bool = False,
    **fields,
) -> PointOfSale:
    """Create or update a point without a membership check: the callers check (the operator's
    services below, the admin import for staff, the demo loader)."""
    point_operator_check(business)
    clean = point_fields_clean(
        business=business,
        exclude_location=point.location_id if point else None,
        **fields,
    )
    location_fields = {key: clean.pop(key) for key in ("name", "province", "commune", "street")}
    if point is None:
        location = StockLocation.objects.create(
            business=business, kind=StockLocationKind.POINT_OF_SALE, **location_fields
        )
        return PointOfSale.objects.create(
            location=location,
            slug=_slug_for(location_fields["name"]),
            coordinates_approximate=coordinates_approximate,
            source_url=source_url,
            is_demo=is_demo,
            **clean,
        )
    location = point.location
    for key, value in location_fields.items():
        setattr(location, key, value)
    location.save(update_fields=list(location_fields))
    for key, value in clean.items():
        setattr(point, key, value)
    point.coordinates_approximate = coordinates_approximate
    point.save()
    return point


@transaction.atomic
def point_create(*, actor, business: Business, **fields) -> PointOfSale:
    membership_require(user=actor, business=business, roles=ROLES_MANAGE)
    return point_write(business=business, **fields)


@transaction.atomic
def point_update(*, actor, point: PointOfSale, **fields) -> PointOfSale:
    point = (
        PointOfSale.objects.select_for_update()
        .select_related("location__business")
        .get(pk=point.pk)
    )
    membership_require(user=actor, business=point.location.business, roles=ROLES_MANAGE)
    return point_write(business=point.location.business, point=point, **fields)


def _time(value, *, field: str) -> datetime.time:
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0)
    try:
        return datetime.time.fromisoformat(nfc(str(value or "")))
    except ValueError as error:
        raise PlaceError(_("Enter a time such as 08:00."), code="invalid", field=field) from error


def hours_clean(intervals: Iterable[tuple]) -> list[tuple[int, datetime.time, datetime.time]]:
    """``(weekday, opens, closes)`` triples checked: weekday 0 (Monday)–6, times "HH:MM",
    ``closes`` at or before ``opens`` running past midnight; no two intervals of a day overlap."""
    clean = []
    for weekday, opens, closes in intervals:
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise PlaceError(_("Choose a day of the week."), code="invalid", field="weekday")
        clean.append((weekday, _time(opens, field="opens"), _time(closes, field="closes")))
    clean.sort()
    # Each interval as minutes of the week; one past midnight spills into the next day (Sunday's
    # into Monday's), so overlaps across midnight are caught too.
    week = 7 * 1440
    spans = []
    for weekday, opens, closes in clean:
        start = weekday * 1440 + opens.hour * 60 + opens.minute
        length = (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
        if length <= 0:
            length += 1440
        end = start + length
        spans.append((start, min(end, week), weekday))
        if end > week:
            spans.append((0, end - week, weekday))
    spans.sort()
    for (_start, end, weekday), (next_start, _end, _day) in itertools.pairwise(spans):
        if next_start < end:
            raise PlaceError(
                _("Opening hours on %(day)s overlap.")
                % {"day": OpeningHours(weekday=weekday).get_weekday_display()},
                code="overlap",
                field="hours",
            )
    return clean


def location_hours_write(
    *, location: StockLocation, intervals: Iterable[tuple]
) -> list[OpeningHours]:
    clean = hours_clean(intervals)
    OpeningHours.objects.filter(location=location).delete()
    return OpeningHours.objects.bulk_create(
        OpeningHours(location=location, weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in clean
    )


@transaction.atomic
def location_hours_set(
    *, actor, location: StockLocation, intervals: Iterable[tuple]
) -> list[OpeningHours]:
    """Replace a stock location's weekly hours (a point's, a pickup counter's, a booth's)."""
    membership_require(user=actor, business=location.business, roles=ROLES_MANAGE)
    StockLocation.objects.select_for_update().filter(pk=location.pk).first()
    return location_hours_write(location=location, intervals=intervals)


def location_exception_write(
    *, location: StockLocation, date, closed: bool, opens=None, closes=None, reason=""
) -> OpeningException:
    if not isinstance(date, datetime.date):
        raise PlaceError(_("Enter the date."), code="required", field="date")
    reason = _text(reason, field="reason", limit=255)
    if closed:
        opens = closes = None
    else:
        opens, closes = _time(opens, field="opens"), _time(closes, field="closes")
    exception, _created = OpeningException.objects.update_or_create(
        location=location,
        date=date,
        defaults={"closed": bool(closed), "opens": opens, "closes": closes, "reason": reason},
    )
    return exception


@transaction.atomic
def location_exception_set(*, actor, location: StockLocation, **fields) -> OpeningException:
    """Closed all day (Tết, a holiday) or special hours on one date."""
    membership_require(user=actor, business=location.business, roles=ROLES_MANAGE)
    return location_exception_write(location=location, **fields)


@transaction.atomic
def location_exception_delete(*, actor, exception: OpeningException) -> None:
    membership_require(user=actor, business=exception.location.business, roles=ROLES_MANAGE)
    exception.delete()


@transaction.atomic
def point_status_set(
    *, actor, point: PointOfSale, status: str, reason: str = "", reopens_on=None
) -> PointOfSale:
    """Open, temporarily closed (a reason is required; the expected reopening date optional)
    or closed for good."""
    membership_require(user=actor, business=point.location.business, roles=ROLES_MANAGE)
    if status not in PointStatus.values:
        raise PlaceError(_("Choose a status."), code="invalid", field="status")
    reason = _text(reason, field="reason", limit=255)
    if status == PointStatus.TEMPORARILY_CLOSED:
        if not reason:
            raise PlaceError(
                _("Say why the point is closed (buyers see it)."), code="required", field="reason"
            )
        if reopens_on is not None and reopens_on < timezone.localdate():
            raise PlaceError(
                _("The reopening date is in the past."), code="invalid", field="reopens_on"
            )
    else:
        reason, reopens_on = "", None
    point.status, point.closure_reason, point.reopens_on = status, reason, reopens_on
    point.save(update_fields=["status", "closure_reason", "reopens_on", "updated_at"])
    return point


def _staff_require(actor) -> None:
    if actor is None or not getattr(actor, "is_staff", False):
        raise PlaceError(
            _("Only registry officials can do this."), code="permission_denied", field=None
        )


@transaction.atomic
def point_recognise(
    *, actor, point: PointOfSale, number: str, date: datetime.date, body: str
) -> PointOfSale:
    """Record the decision that recognises the point as an official OCOP
    introduction-and-sales point."""
    _staff_require(actor)
    errors = DomainErrorCollector()
    with errors.check():
        number = _text(number, field="recognition_number", limit=60, required=True)
    with errors.check():
        body = _text(body, field="recognition_body", limit=255, required=True)
    with errors.check():
        if not isinstance(date, datetime.date):
            raise PlaceError(_("Enter the date."), code="required", field="recognition_date")
        if date > timezone.localdate():
            raise PlaceError(
                _("The decision date is in the future."), code="invalid", field="recognition_date"
            )
    errors.raise_any()
    point.recognition_number, point.recognition_date, point.recognition_body = number, date, body
    point.save(
        update_fields=["recognition_number", "recognition_date", "recognition_body", "updated_at"]
    )
    return point


@transaction.atomic
def point_suspend(*, actor, point: PointOfSale, reason: str) -> PointOfSale:
    """Hide a point from every public list and page (a complaint, wrong data) until reinstated."""
    _staff_require(actor)
    reason = _text(reason, field="suspension_reason", limit=255, required=True)
    point.suspended_at, point.suspension_reason = timezone.now(), reason
    point.save(update_fields=["suspended_at", "suspension_reason", "updated_at"])
    return point


@transaction.atomic
def point_reinstate(*, actor, point: PointOfSale) -> PointOfSale:
    _staff_require(actor)
    point.suspended_at, point.suspension_reason = None, ""
    point.save(update_fields=["suspended_at", "suspension_reason", "updated_at"])
    return point


def point_photo_add(*, actor, point: PointOfSale, upload, alt_text: str = "") -> PointPhoto:
    """Check, re-encode (``catalog.photos``, as product photos) and store a photo as the point's
    last one."""
    # Permission first: nobody else gets to make the server decode images.
    membership_require(user=actor, business=point.location.business, roles=ROLES_MANAGE)
    alt_text = _text(alt_text, field="alt_text", limit=ALT_MAX)
    if PointPhoto.objects.filter(point=point).count() >= PHOTOS_MAX:
        raise PlaceError(
            _("A point of sale can have at most %(max)s photos; remove one first.")
            % {"max": PHOTOS_MAX},
            code="too_many",
            field="image",
        )
    processed = photo_process(upload)
    # Files are written outside the transaction (encoding takes a while and must not hold the
    # point's lock); if the row cannot be written they are removed again.
    name, renditions = photo_store(processed, folder=f"points/{point.pk}")
    try:
        with transaction.atomic():
            PointOfSale.objects.select_for_update().filter(pk=point.pk).first()
            last = PointPhoto.objects.filter(point=point).order_by("-position").first()
            return PointPhoto.objects.create(
                point=point,
                image=name,
                width=processed.width,
                height=processed.height,
                renditions=renditions,
                alt_text=alt_text,
                original_name=nfc(upload_name(upload))[:255],
                position=0 if last is None else last.position + 1,
            )
    except BaseException:
        photo_delete_files([name, *(r["name"] for r in renditions)])
        raise


@transaction.atomic
def point_photo_move(*, actor, photo: PointPhoto, direction: str) -> list[PointPhoto]:
    """Swap ``photo`` with the one before it (``direction`` "up") or after it ("down") in the
    point's order, which the point's page shows. The point's row is locked, then its photos are
    renumbered 0, 1, 2… in their order, so equal or gapped positions left by earlier writes
    never stall a move. At either end nothing moves. Returns the photos in their new order."""
    if direction not in ("up", "down"):
        raise PlaceError(_("Move a photo up or down."), code="invalid", field="direction")
    point_id = PointPhoto.objects.filter(pk=photo.pk).values_list("point_id", flat=True).first()
    if point_id is None:
        raise PlaceError(_("This photo no longer exists."), code="not_found")
    point = PointOfSale.objects.select_for_update().select_related("location").get(pk=point_id)
    membership_require(user=actor, business=point.location.business, roles=ROLES_MANAGE)
    photos = list(PointPhoto.objects.filter(point=point).order_by("position", "id"))
    index = next(i for i, one in enumerate(photos) if one.pk == photo.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(photos):
        photos[index], photos[other] = photos[other], photos[index]
    changed = []
    for position, one in enumerate(photos):
        if one.position != position:
            one.position = position
            changed.append(one)
    PointPhoto.objects.bulk_update(changed, ["position"])
    return photos


@transaction.atomic
def point_photo_remove(*, actor, photo: PointPhoto) -> None:
    photo = (
        PointPhoto.objects.select_for_update().select_related("point__location").get(pk=photo.pk)
    )
    membership_require(user=actor, business=photo.point.location.business, roles=ROLES_MANAGE)
    names = [photo.image.name, *(r.get("name", "") for r in photo.renditions)]
    photo.delete()
    # The files go only once the row is gone for good.
    transaction.on_commit(lambda: photo_delete_files(names))
