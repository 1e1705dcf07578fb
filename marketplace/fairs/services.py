"""Writes for fairs: organiser approval, the fair's life cycle, zones and the booth layout,
exhibitor applications, review and booth assignment.

Every function checks the actor's permission first (organiser members through
``permissions.organiser_member_require``, sellers through ``sellers.services.membership_require``)
and runs in one transaction, so a refused call writes nothing.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.search import search_rows_changed
from core.text import nfc, nfc_text, slugify_vi
from marketplace.fairs.errors import FairError
from marketplace.fairs.models import (
    LAYOUT_EDITABLE,
    OPEN_APPLICATION,
    ApplicationStatus,
    Booth,
    BoothAssignment,
    BoothStatus,
    ExhibitorApplication,
    Fair,
    FairStatus,
    Organiser,
    ProgrammeItem,
    Zone,
)
from marketplace.fairs.notifications import application_notify
from marketplace.fairs.permissions import organiser_member_require
from marketplace.offers.models import Offer, Stock, StockLocation, StockLocationKind
from marketplace.offers.selectors import offers_visible
from marketplace.payments.services import reference_draw
from marketplace.places.models import OpeningException, PointKind
from marketplace.places.services import location_exception_write, location_hours_write
from sellers.errors import PermissionDenied
from sellers.models import Business, SellerStatus
from sellers.selectors import ROLES_MANAGE as SELLER_ROLES_MANAGE
from sellers.services import membership_require

# The life cycle: each status and the statuses it may move to. Cancelling is possible from any
# status before the fair is over. A fair without applications (a festival) may go from
# published straight to running.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    FairStatus.DRAFT: (FairStatus.PUBLISHED, FairStatus.CANCELLED),
    FairStatus.PUBLISHED: (
        FairStatus.APPLICATIONS_OPEN,
        FairStatus.RUNNING,
        FairStatus.CANCELLED,
    ),
    FairStatus.APPLICATIONS_OPEN: (FairStatus.APPLICATIONS_CLOSED, FairStatus.CANCELLED),
    FairStatus.APPLICATIONS_CLOSED: (FairStatus.RUNNING, FairStatus.CANCELLED),
    FairStatus.RUNNING: (FairStatus.FINISHED, FairStatus.CANCELLED),
    FairStatus.FINISHED: (),
    FairStatus.CANCELLED: (),
}


# --- organisers ---------------------------------------------------------------------------


def organiser_approve(*, organiser: Organiser, actor) -> Organiser:
    """Staff approve an organiser; until then its members can do nothing for it."""
    if not (actor and actor.is_authenticated and actor.is_staff):
        raise PermissionDenied(_("Only marketplace staff approve organisers."))
    if organiser.approved_at is None:
        organiser.approved_at = timezone.now()
        organiser.approved_by = actor
        organiser.save(update_fields=["approved_at", "approved_by"])
    return organiser


# --- fairs --------------------------------------------------------------------------------

FAIR_FIELDS = (
    "name",
    "venue_point",
    "venue_name",
    "venue_address",
    "province",
    "latitude",
    "longitude",
    "starts_on",
    "ends_on",
    "opens_at",
    "closes_at",
    "closed_days",
    "description_vi",
    "description_en",
    "applications_open_on",
    "applications_close_on",
    "booth_fee",
    "payment_days",
    "partners",
    "rules",
    "cover",
)
TEXT_FIELDS = ("name", "venue_name", "venue_address")
# Shown with their line breaks (the page renders them with linebreaksbr).
MULTILINE_FIELDS = ("description_vi", "description_en", "rules")


def fair_venue_settle(*, fair: Fair) -> None:
    """A fair at a point of sale takes the venue's name, address and coordinates from the point
    (one home): the fair's own are cleared and its province is the point's. Without a point, the
    address is required. Not saved: the caller saves."""
    if fair.venue_point is not None:
        if fair.venue_point.kind != PointKind.FAIR_CENTRE:
            raise FairError(
                _("A venue chosen among the points of sale is a fair and exhibition centre."),
                code="invalid",
                field="venue_point",
            )
        fair.venue_name = fair.venue_address = ""
        fair.latitude = fair.longitude = None
        fair.province = fair.venue_point.location.province
    elif not fair.venue_address.strip():
        raise FairError(_("Give the venue's address."), code="required", field="venue_address")


def _fair_check(fair: Fair) -> None:
    if not fair.name.strip():
        raise FairError(_("Give the fair a name."), code="required", field="name")
    fair_venue_settle(fair=fair)
    if fair.province_id is None:
        raise FairError(_("Choose the province."), code="required", field="province")
    if fair.booth_fee is not None and fair.booth_fee < 0:
        raise FairError(_("A fee is 0 đồng or more."), code="invalid", field="booth_fee")
    if fair.payment_days is not None and fair.payment_days < 1:
        raise FairError(
            _("Give at least one day to pay a booth fee."), code="invalid", field="payment_days"
        )
    if fair.starts_on and fair.ends_on and fair.ends_on < fair.starts_on:
        raise FairError(_("The last day is before the first day."), code="invalid", field="ends_on")
    if (fair.starts_on is None) != (fair.ends_on is None):
        raise FairError(
            _("Give both the first and the last day, or neither."), code="invalid", field="ends_on"
        )
    if fair.opens_at and fair.closes_at and fair.closes_at <= fair.opens_at:
        raise FairError(_("The fair must close after it opens."), code="invalid", field="closes_at")
    opens, closes = fair.applications_open_on, fair.applications_close_on
    if opens and closes and closes < opens:
        raise FairError(
            _("Applications must close after they open."),
            code="invalid",
            field="applications_close_on",
        )
    if closes and fair.starts_on and closes > fair.starts_on:
        raise FairError(
            _("Applications must close before the fair starts."),
            code="invalid",
            field="applications_close_on",
        )
    if fair.latitude is not None and not (-90 <= fair.latitude <= 90):
        raise FairError(_("The latitude is out of range."), code="invalid", field="latitude")
    if fair.longitude is not None and not (-180 <= fair.longitude <= 180):
        raise FairError(_("The longitude is out of range."), code="invalid", field="longitude")
    days = []
    for value in fair.closed_days or []:
        try:
            days.append(datetime.date.fromisoformat(str(value)).isoformat())
        except ValueError:
            raise FairError(
                _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value},
                code="invalid",
                field="closed_days",
            ) from None
    fair.closed_days = sorted(set(days))
    fair.partners = [nfc(p).strip() for p in fair.partners or [] if nfc(p).strip()]


def _unique_slug(name: str) -> str:
    base = slugify_vi(name, max_length=200) or "hoi-cho"
    slug, n = base, 2
    while Fair.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def fair_create(*, organiser: Organiser, actor, **fields) -> Fair:
    organiser_member_require(user=actor, organiser=organiser)
    unknown = set(fields) - set(FAIR_FIELDS) - {"slug", "is_demo"}
    if unknown:
        raise TypeError(f"unknown fair fields: {sorted(unknown)}")
    for name in TEXT_FIELDS:
        if name in fields:
            fields[name] = nfc(fields[name])
    for name in MULTILINE_FIELDS:
        if name in fields:
            fields[name] = nfc_text(fields[name])
    fair = Fair(organiser=organiser, **fields)
    _fair_check(fair)
    fair.slug = slugify_vi(fair.slug, max_length=200) if fair.slug else _unique_slug(fair.name)
    fair.save()
    return fair


@transaction.atomic
def fair_update(*, fair: Fair, actor, **fields) -> Fair:
    organiser_member_require(user=actor, organiser=fair.organiser)
    fair = Fair.objects.select_for_update().get(pk=fair.pk)
    if fair.status in (FairStatus.FINISHED, FairStatus.CANCELLED):
        raise FairError(_("A finished or cancelled fair can no longer be changed."), code="closed")
    unknown = set(fields) - set(FAIR_FIELDS)
    if unknown:
        raise TypeError(f"unknown fair fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name in TEXT_FIELDS:
            value = nfc(value)
        elif name in MULTILINE_FIELDS:
            value = nfc_text(value)
        setattr(fair, name, value)
    _fair_check(fair)
    fair.save()
    # New dates or hours reach the booths' stock locations (their window and opening hours).
    for assignment in BoothAssignment.objects.filter(
        booth__fair=fair, released_at__isnull=True
    ).select_related("booth", "application"):
        booth_location_open(assignment=assignment)
    return fair


@transaction.atomic
def fair_transition(*, fair: Fair, to: str, actor, reason: str = "") -> Fair:
    """Move ``fair`` to status ``to`` if the life cycle allows it. Cancelling needs a reason and
    tells every exhibitor (open applications and assigned booths) by e-mail in its language."""
    organiser_member_require(user=actor, organiser=fair.organiser)
    fair = Fair.objects.select_for_update().get(pk=fair.pk)
    if to not in FairStatus.values:
        raise FairError(_("Unknown status."), code="invalid", field="status")
    if to not in TRANSITIONS[fair.status]:
        raise FairError(
            _("A fair that is “%(current)s” cannot become “%(to)s”.")
            % {"current": FairStatus(fair.status).label, "to": FairStatus(to).label},
            code="invalid_transition",
            field="status",
        )
    if to in (FairStatus.PUBLISHED, FairStatus.APPLICATIONS_OPEN, FairStatus.RUNNING) and (
        fair.starts_on is None
    ):
        raise FairError(
            _("Set the fair's dates before publishing it."), code="required", field="starts_on"
        )
    if to == FairStatus.APPLICATIONS_OPEN and not fair.applications_close_on:
        raise FairError(
            _("Set the date applications close before opening them."),
            code="required",
            field="applications_close_on",
        )
    if to == FairStatus.CANCELLED:
        reason = nfc(reason).strip()
        if not reason:
            raise FairError(
                _("Say why the fair is cancelled: exhibitors are told."),
                code="required",
                field="reason",
            )
        fair.cancellation_reason = reason
        told = list(
            fair.applications.filter(status__in=OPEN_APPLICATION).values_list("pk", flat=True)
        )
        application_notify(application_ids=told, event="cancelled")
        booth_locations_close(
            location_ids=BoothAssignment.objects.filter(
                booth__fair=fair, released_at__isnull=True
            ).values_list("location_id", flat=True)
        )
    fair.status = to
    fair.save(update_fields=["status", "cancellation_reason", "updated_at"])
    return fair


# --- zones and the booth layout -----------------------------------------------------------


def layout_editable_check(fair: Fair) -> None:
    if fair.status not in LAYOUT_EDITABLE:
        raise FairError(
            _("The floor plan can only change before the fair opens."), code="layout_closed"
        )


@transaction.atomic
def zone_create(*, fair: Fair, actor, name: str, kind: str, colour: str = "#2e7d32") -> Zone:
    organiser_member_require(user=actor, organiser=fair.organiser)
    layout_editable_check(fair)
    name = nfc(name).strip()
    if not name:
        raise FairError(_("Give the zone a name."), code="required", field="name")
    if fair.zones.filter(name=name).exists():
        raise FairError(
            _("This fair already has a zone called “%(name)s”.") % {"name": name},
            code="duplicate",
            field="name",
        )
    zone = Zone(fair=fair, name=name, kind=kind, colour=colour, position=fair.zones.count())
    zone.full_clean(exclude=["fair"])
    zone.save()
    return zone


@transaction.atomic
def zone_update(
    *,
    zone: Zone,
    actor,
    name: str | None = None,
    kind: str | None = None,
    colour: str | None = None,
    position: int | None = None,
) -> Zone:
    """Rename, recolour, reorder a zone or change its kind before the fair opens; what is None
    stays as it is."""
    organiser_member_require(user=actor, organiser=zone.fair.organiser)
    layout_editable_check(zone.fair)
    zone = Zone.objects.select_for_update().select_related("fair").get(pk=zone.pk)
    if name is not None:
        name = nfc(name).strip()
        if not name:
            raise FairError(_("Give the zone a name."), code="required", field="name")
        if zone.fair.zones.filter(name=name).exclude(pk=zone.pk).exists():
            raise FairError(
                _("This fair already has a zone called “%(name)s”.") % {"name": name},
                code="duplicate",
                field="name",
            )
        zone.name = name
    if kind is not None:
        zone.kind = kind
    if colour is not None:
        zone.colour = colour
    if position is not None:
        zone.position = position
    zone.full_clean(exclude=["fair"])
    zone.save(update_fields=["name", "kind", "colour", "position"])
    return zone


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _rect(booth: Booth) -> tuple[int, int, int, int]:
    return (booth.x, booth.y, booth.width, booth.height)


def free_of_overlap(
    fair: Fair, rects: list[tuple[str, tuple]], *, ignore: Iterable[int] = ()
) -> str | None:
    """The message for the first overlap among ``rects`` and the booths already on the plan."""
    existing = [
        (b.code, _rect(b))
        for b in fair.booths.exclude(pk__in=list(ignore)).only("code", "x", "y", "width", "height")
    ]
    # Sorted by left edge, a booth is compared only with those whose span can still reach it.
    placed = sorted(existing + list(rects), key=lambda item: item[1][0])
    for i, (code, rect) in enumerate(placed):
        for other_code, other in placed[i + 1 :]:
            if other[0] >= rect[0] + rect[2]:
                break
            if _overlaps(rect, other):
                return _("Booth %(code)s would overlap booth %(other)s.") % {
                    "code": code,
                    "other": other_code,
                }
    return None


def _free_of(fair: Fair, rects: list[tuple[str, tuple]], *, ignore: Iterable[int] = ()) -> None:
    """Refuse booths that would overlap one another or a booth already on the plan."""
    message = free_of_overlap(fair, rects, ignore=ignore)
    if message:
        raise FairError(message, code="overlap", field="x")


@transaction.atomic
def booths_create_bulk(
    *,
    zone: Zone,
    actor,
    prefix: str,
    first: int,
    last: int,
    width: int,
    depth: int,
    per_row: int,
    x: int = 0,
    y: int = 0,
    price: int | None = None,
) -> list[Booth]:
    """ "A-01 to A-40, 3×3 m, a row of 20": booths ``prefix-first`` … ``prefix-last`` laid out
    from (x, y) in rows of ``per_row``, each ``width`` × ``depth`` metres; the price defaults to
    the fair's booth fee."""
    fair = zone.fair
    organiser_member_require(user=actor, organiser=fair.organiser)
    layout_editable_check(fair)
    prefix = nfc(prefix).strip().upper()
    if not prefix or len(prefix) > 8:
        raise FairError(_("Give a code prefix such as “A”."), code="invalid", field="prefix")
    if first < 1 or last < first:
        raise FairError(
            _("The last number must be at least the first."), code="invalid", field="last"
        )
    if last - first >= 500:
        raise FairError(_("At most 500 booths at once."), code="invalid", field="last")
    if width < 1 or depth < 1 or per_row < 1:
        raise FairError(
            _("Sizes and the row length are whole numbers of at least 1."),
            code="invalid",
            field="width",
        )
    digits = max(2, len(str(last)))
    price = fair.booth_fee if price is None else price
    booths = []
    for index, number in enumerate(range(first, last + 1)):
        row, col = divmod(index, per_row)
        booths.append(
            Booth(
                fair=fair,
                zone=zone,
                code=f"{prefix}-{number:0{digits}d}",
                area_m2=Decimal(width * depth),
                price=price,
                x=x + col * width,
                y=y + row * depth,
                width=width,
                height=depth,
            )
        )
    taken = set(
        fair.booths.filter(code__in=[b.code for b in booths]).values_list("code", flat=True)
    )
    if taken:
        raise FairError(
            _("These booth codes already exist: %(codes)s.") % {"codes": ", ".join(sorted(taken))},
            code="duplicate",
            field="first",
        )
    _free_of(fair, [(b.code, _rect(b)) for b in booths])
    return Booth.objects.bulk_create(booths)


def _booth_for_layout(booth: Booth, actor) -> Booth:
    organiser_member_require(user=actor, organiser=booth.fair.organiser)
    layout_editable_check(booth.fair)
    return Booth.objects.select_for_update().select_related("fair", "zone").get(pk=booth.pk)


@transaction.atomic
def booth_move(*, booth: Booth, actor, x: int, y: int, zone: Zone | None = None) -> Booth:
    booth = _booth_for_layout(booth, actor)
    if x < 0 or y < 0:
        raise FairError(_("Positions are 0 or more."), code="invalid", field="x")
    if zone is not None and zone.fair_id != booth.fair_id:
        raise FairError(_("That zone belongs to another fair."), code="invalid", field="zone")
    booth.x, booth.y = x, y
    _free_of(booth.fair, [(booth.code, _rect(booth))], ignore=[booth.pk])
    if zone is not None:
        booth.zone = zone
    booth.save(update_fields=["x", "y", "zone"])
    return booth


@transaction.atomic
def booth_block(*, booth: Booth, actor, blocked: bool = True, held_for: str = "") -> Booth:
    """Block a booth (a pillar, a fire exit), hold it for a locality cluster, or free it."""
    booth = _booth_for_layout(booth, actor)
    if booth.status == BoothStatus.ASSIGNED:
        raise FairError(
            _("Booth %(code)s is assigned: release it first.") % {"code": booth.code},
            code="assigned",
        )
    held_for = nfc(held_for).strip()
    if blocked:
        booth.status, booth.held_for = BoothStatus.BLOCKED, ""
    elif held_for:
        booth.status, booth.held_for = BoothStatus.HELD, held_for
    else:
        booth.status, booth.held_for = BoothStatus.AVAILABLE, ""
    booth.save(update_fields=["status", "held_for"])
    return booth


@transaction.atomic
def booth_merge(*, booths: list[Booth], actor) -> Booth:
    """Merge neighbouring free booths of one zone into the first of them (by code): it takes
    the rectangle they fill together, their area and their price; the others are deleted."""
    if len(booths) < 2:
        raise FairError(_("Choose at least two booths to merge."), code="invalid")
    first = booths[0]
    organiser_member_require(user=actor, organiser=first.fair.organiser)
    layout_editable_check(first.fair)
    rows = list(
        Booth.objects.select_for_update().filter(pk__in=[b.pk for b in booths]).order_by("code")
    )
    if len({b.fair_id for b in rows}) != 1 or len({b.zone_id for b in rows}) != 1:
        raise FairError(_("Only booths of one zone can be merged."), code="invalid")
    busy = [b.code for b in rows if b.status != BoothStatus.AVAILABLE]
    if busy:
        raise FairError(
            _("Only available booths can be merged: %(codes)s.") % {"codes": ", ".join(busy)},
            code="assigned",
        )
    left = min(b.x for b in rows)
    top = min(b.y for b in rows)
    right = max(b.x + b.width for b in rows)
    bottom = max(b.y + b.height for b in rows)
    if sum(b.width * b.height for b in rows) != (right - left) * (bottom - top):
        raise FairError(
            _("The booths must together fill a rectangle without gaps."), code="not_adjacent"
        )
    keep, rest = rows[0], rows[1:]
    keep.x, keep.y, keep.width, keep.height = left, top, right - left, bottom - top
    keep.area_m2 = sum((b.area_m2 for b in rows), Decimal(0))
    # Booths that all follow the fair's fee still do; otherwise the prices add up (0 is free).
    if any(b.price is not None for b in rows):
        keep.price = sum(b.price_at(first.fair) for b in rows)
    Booth.objects.filter(pk__in=[b.pk for b in rest]).delete()
    keep.save(update_fields=["x", "y", "width", "height", "area_m2", "price"])
    return keep


# --- the programme ------------------------------------------------------------------------


def _certificates_by_number(numbers: Iterable[str]):
    from catalog.models import Certificate

    wanted = list(dict.fromkeys(nfc(n).strip().upper() for n in numbers if nfc(n).strip()))
    found = {c.number.upper(): c for c in Certificate.objects.filter(number__in=wanted)}
    if len(found) < len(wanted):
        # Numbers are stored as the registry writes them; look the rest up ignoring case.
        for number in wanted:
            if number not in found:
                match = Certificate.objects.filter(number__iexact=number).first()
                if match is not None:
                    found[number] = match
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise FairError(
            _("No certificate in the registry has the number %(numbers)s.")
            % {"numbers": ", ".join(unknown)},
            code="not_found",
            field="certificates",
        )
    return [found[n] for n in wanted]


@transaction.atomic
def programme_item_add(
    *,
    fair: Fair,
    actor,
    title: str,
    day: datetime.date | None = None,
    certificates: Iterable = (),
    certificate_numbers: Iterable[str] = (),
) -> ProgrammeItem:
    """Add an item to the fair's programme ("39 products recognised ★4 at the opening") with
    the registry certificates announced at it (given as objects or by their numbers)."""
    organiser_member_require(user=actor, organiser=fair.organiser)
    fair = Fair.objects.select_for_update().get(pk=fair.pk)
    if fair.status in (FairStatus.FINISHED, FairStatus.CANCELLED):
        raise FairError(_("A finished or cancelled fair can no longer be changed."), code="closed")
    title = nfc(title).strip()
    if not title:
        raise FairError(_("Give the programme item a title."), code="required", field="title")
    if len(title) > 255:
        raise FairError(_("At most 255 characters."), code="invalid", field="title")
    dated = day is not None and fair.starts_on and fair.ends_on
    if dated and not (fair.starts_on <= day <= fair.ends_on):
        raise FairError(_("The day must be one of the fair's days."), code="invalid", field="day")
    chosen = list(certificates) + _certificates_by_number(certificate_numbers)
    last = fair.programme.order_by("-position").values_list("position", flat=True).first()
    item = ProgrammeItem.objects.create(
        fair=fair, title=title, day=day, position=0 if last is None else last + 1
    )
    item.certificates.set({c.pk: c for c in chosen}.values())
    return item


@transaction.atomic
def programme_item_remove(*, item: ProgrammeItem, actor) -> None:
    """Take an item (and its announced certificates) off the fair's programme."""
    organiser_member_require(user=actor, organiser=item.fair.organiser)
    item = ProgrammeItem.objects.select_for_update().select_related("fair").get(pk=item.pk)
    if item.fair.status in (FairStatus.FINISHED, FairStatus.CANCELLED):
        raise FairError(_("A finished or cancelled fair can no longer be changed."), code="closed")
    item.delete()


# --- applications -------------------------------------------------------------------------


def _application_offers(*, seller: Business, offer_ids: Iterable[int], fair: Fair) -> list[Offer]:
    ids = list(dict.fromkeys(int(i) for i in offer_ids))
    if not ids:
        raise FairError(_("Choose the products you will bring."), code="required", field="offers")
    offers = list(offers_visible().filter(seller=seller, pk__in=ids))
    if len(offers) != len(ids):
        raise FairError(
            _("Only your own products on sale with a certificate in force can be brought."),
            code="invalid",
            field="offers",
        )
    return offers


def _window_open(fair: Fair, today: datetime.date) -> None:
    if fair.status != FairStatus.APPLICATIONS_OPEN or (
        fair.applications_close_on and today > fair.applications_close_on
    ):
        raise FairError(
            _("Applications to this fair are closed."), code="window_closed", field="fair"
        )
    if fair.applications_open_on and today < fair.applications_open_on:
        raise FairError(
            _("Applications to this fair open on %(day)s.")
            % {"day": fair.applications_open_on.strftime("%d/%m/%Y")},
            code="window_closed",
            field="fair",
        )


@transaction.atomic
def application_submit(
    *,
    fair: Fair,
    seller: Business,
    actor,
    offer_ids: Iterable[int],
    booths_wanted: int = 1,
    preferred_zone: Zone | None = None,
    note: str = "",
    language: str = "vi",
    today: datetime.date | None = None,
) -> ExhibitorApplication:
    membership_require(user=actor, business=seller, roles=SELLER_ROLES_MANAGE)
    if seller.status != SellerStatus.ACTIVE:
        raise FairError(_("Only active sellers can apply to a fair."), code="inactive")
    _window_open(fair, today or timezone.localdate())
    if preferred_zone is not None and preferred_zone.fair_id != fair.pk:
        raise FairError(
            _("That zone belongs to another fair."), code="invalid", field="preferred_zone"
        )
    if booths_wanted < 1 or booths_wanted > 10:
        raise FairError(
            _("Ask for between 1 and 10 booths."), code="invalid", field="booths_wanted"
        )
    offers = _application_offers(seller=seller, offer_ids=offer_ids, fair=fair)
    if ExhibitorApplication.objects.filter(
        fair=fair, seller=seller, status__in=OPEN_APPLICATION
    ).exists():
        raise FairError(
            _("You already have an open application to this fair: edit it instead."),
            code="duplicate",
            field="fair",
        )
    application = ExhibitorApplication(
        fair=fair,
        seller=seller,
        booths_wanted=booths_wanted,
        preferred_zone=preferred_zone,
        note=nfc(note).strip(),
        language=(language or "vi")[:2],
    )
    try:
        # The check above answers nicely; this savepoint catches the race it cannot see.
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise FairError(
            _("You already have an open application to this fair: edit it instead."),
            code="duplicate",
            field="fair",
        ) from None
    application.offers.set(offers)
    return application


def _own_application(application: ExhibitorApplication, actor) -> ExhibitorApplication:
    membership_require(user=actor, business=application.seller, roles=SELLER_ROLES_MANAGE)
    return (
        ExhibitorApplication.objects.select_for_update()
        .select_related("fair", "seller")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_update(
    *,
    application: ExhibitorApplication,
    actor,
    offer_ids: Iterable[int] | None = None,
    booths_wanted: int | None = None,
    preferred_zone: Zone | None = None,
    note: str | None = None,
    today: datetime.date | None = None,
) -> ExhibitorApplication:
    """The seller edits its application while the window is open and no booth is assigned."""
    application = _own_application(application, actor)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED):
        raise FairError(_("This application can no longer be edited."), code="closed")
    _window_open(application.fair, today or timezone.localdate())
    if booths_wanted is not None:
        if booths_wanted < 1 or booths_wanted > 10:
            raise FairError(
                _("Ask for between 1 and 10 booths."), code="invalid", field="booths_wanted"
            )
        application.booths_wanted = booths_wanted
    if preferred_zone is not None:
        if preferred_zone.fair_id != application.fair_id:
            raise FairError(
                _("That zone belongs to another fair."), code="invalid", field="preferred_zone"
            )
        application.preferred_zone = preferred_zone
    if note is not None:
        application.note = nfc(note).strip()
    if offer_ids is not None:
        application.offers.set(
            _application_offers(
                seller=application.seller, offer_ids=offer_ids, fair=application.fair
            )
        )
    application.save()
    return application


@transaction.atomic
def application_withdraw(*, application: ExhibitorApplication, actor) -> ExhibitorApplication:
    application = _own_application(application, actor)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED):
        raise FairError(
            _("An application can be withdrawn only before a booth is assigned."), code="closed"
        )
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    return application


def _reviewable(application: ExhibitorApplication, actor) -> ExhibitorApplication:
    organiser_member_require(user=actor, organiser=application.fair.organiser)
    application = (
        ExhibitorApplication.objects.select_for_update()
        .select_related("fair", "seller")
        .get(pk=application.pk)
    )
    if application.fair.status in (FairStatus.FINISHED, FairStatus.CANCELLED):
        raise FairError(_("This fair is over."), code="closed")
    return application


@transaction.atomic
def application_waitlist(*, application: ExhibitorApplication, actor) -> ExhibitorApplication:
    application = _reviewable(application, actor)
    if application.status != ApplicationStatus.SUBMITTED:
        raise FairError(_("Only a submitted application can be waitlisted."), code="invalid")
    application.status = ApplicationStatus.WAITLISTED
    application.waitlisted_at = timezone.now()
    application.save(update_fields=["status", "waitlisted_at", "updated_at"])
    application_notify(application_ids=[application.pk], event="waitlisted")
    return application


@transaction.atomic
def application_reject(
    *, application: ExhibitorApplication, actor, reason: str
) -> ExhibitorApplication:
    application = _reviewable(application, actor)
    reason = nfc(reason).strip()
    if not reason:
        raise FairError(_("Give the reason: the seller is told."), code="required", field="reason")
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED):
        raise FairError(
            _("Only a submitted or waitlisted application can be rejected."), code="invalid"
        )
    application.status = ApplicationStatus.REJECTED
    application.rejection_reason = reason
    application.save(update_fields=["status", "rejection_reason", "updated_at"])
    application_notify(application_ids=[application.pk], event="rejected")
    return application


@transaction.atomic
def booth_assign(*, application: ExhibitorApplication, booth: Booth, actor) -> BoothAssignment:
    """Accept ``application`` on ``booth``. The booth row is locked, and the partial unique
    constraint on live assignments stops a second assignment that raced past the lock."""
    application = _reviewable(application, actor)
    booth = Booth.objects.select_for_update().get(pk=booth.pk)
    if booth.fair_id != application.fair_id:
        raise FairError(_("That booth belongs to another fair."), code="invalid", field="booth")
    if application.status not in OPEN_APPLICATION:
        raise FairError(
            _("This application is %(status)s.")
            % {"status": ApplicationStatus(application.status).label.lower()},
            code="invalid",
            field="application",
        )
    if booth.status not in (BoothStatus.AVAILABLE, BoothStatus.HELD):
        raise FairError(
            _("Booth %(code)s is not free.") % {"code": booth.code},
            code="booth_taken",
            field="booth",
        )
    live = application.assignments.filter(released_at__isnull=True).count()
    if live >= application.booths_wanted:
        raise FairError(
            _("This exhibitor already has the %(count)s booth(s) it asked for.")
            % {"count": application.booths_wanted},
            code="enough",
            field="booth",
        )
    try:
        with transaction.atomic():
            assignment = _assignment_create(booth=booth, application=application, actor=actor)
    except IntegrityError:
        raise FairError(
            _("Booth %(code)s is not free.") % {"code": booth.code},
            code="booth_taken",
            field="booth",
        ) from None
    booth.status = BoothStatus.ASSIGNED
    booth.save(update_fields=["status"])
    if application.status != ApplicationStatus.ACCEPTED:
        application.status = ApplicationStatus.ACCEPTED
        application.save(update_fields=["status", "updated_at"])
    application_notify(application_ids=[application.pk], event="accepted")
    return assignment


@transaction.atomic
def booth_release(
    *, assignment: BoothAssignment, actor, offer_to_waitlist: bool = True
) -> BoothAssignment | None:
    """Take a booth back. When the exhibitor has no booth left its application is released;
    the booth then goes to the first waitlisted application (in the order they were
    waitlisted), and the new assignment is returned."""
    fair = assignment.booth.fair
    organiser_member_require(user=actor, organiser=fair.organiser)
    return _release(assignment=assignment, actor=actor, offer_to_waitlist=offer_to_waitlist)


def _release(*, assignment: BoothAssignment, actor, offer_to_waitlist: bool, expired: bool = False):
    booth = Booth.objects.select_for_update().get(pk=assignment.booth_id)
    assignment = BoothAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.released_at is not None:
        raise FairError(_("This booth was already released."), code="released")
    assignment.released_at = timezone.now()
    assignment.expired = expired
    assignment.save(update_fields=["released_at", "expired"])
    booth_locations_close(location_ids=[assignment.location_id])
    booth.status = BoothStatus.AVAILABLE
    booth.save(update_fields=["status"])
    application = ExhibitorApplication.objects.select_for_update().get(pk=assignment.application_id)
    if not application.assignments.filter(released_at__isnull=True).exists():
        application.status = ApplicationStatus.RELEASED
        application.save(update_fields=["status", "updated_at"])
    application_notify(application_ids=[application.pk], event="expired" if expired else "released")
    if not offer_to_waitlist:
        return None
    waiting = (
        ExhibitorApplication.objects.select_for_update()
        .filter(fair_id=booth.fair_id, status=ApplicationStatus.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .first()
    )
    if waiting is None:
        return None
    new = _assignment_create(booth=booth, application=waiting, actor=actor)
    booth.status = BoothStatus.ASSIGNED
    booth.save(update_fields=["status"])
    waiting.status = ApplicationStatus.ACCEPTED
    waiting.save(update_fields=["status", "updated_at"])
    application_notify(application_ids=[waiting.pk], event="accepted")
    return new


# --- booth fees ---------------------------------------------------------------------------

BOOTH_FEE_PREFIX = "GIAN"
_BOOTH_FEE_REFERENCE = re.compile(BOOTH_FEE_PREFIX + r"[2-9A-HJKMNP-Z]{8}")


def booth_fee_terms(
    *, fair: Fair, booth: Booth, today: datetime.date
) -> tuple[int, datetime.date | None]:
    """What an assignment of ``booth`` made ``today`` costs and the day it must be paid by: the
    booth's own price, or the fair's booth fee for a booth without one; due ``payment_days``
    after the assignment, and at the latest the day before the fair opens (never before
    ``today``). Nothing due: no date."""
    amount = booth.price_at(fair)
    if not amount:
        return 0, None
    pay_by = today + datetime.timedelta(days=fair.payment_days)
    if fair.starts_on is not None and pay_by >= fair.starts_on:
        pay_by = max(today, fair.starts_on - datetime.timedelta(days=1))
    return amount, pay_by


def _assignment_create(
    *, booth: Booth, application: ExhibitorApplication, actor
) -> BoothAssignment:
    """The assignment with its fee: the amount, a transfer reference of its own and the day to
    pay by (``booth_fee_terms``)."""
    fair = application.fair
    amount, pay_by = booth_fee_terms(fair=fair, booth=booth, today=timezone.localdate())
    reference = None
    if amount:
        reference = reference_draw(prefix=BOOTH_FEE_PREFIX)
        while BoothAssignment.objects.filter(reference=reference).exists():
            reference = reference_draw(prefix=BOOTH_FEE_PREFIX)
    assignment = BoothAssignment.objects.create(
        booth=booth,
        application=application,
        amount_due=amount,
        reference=reference,
        pay_by=pay_by,
        assigned_by=actor,
    )
    booth_location_open(assignment=assignment)
    return assignment


# --- the booth as a stock location: selling there and pickup while the fair runs -----------

# Stored data, in the marketplace's language like the fair's own name.
BOOTH_LOCATION_NAME = "Gian {code} · {fair}"


def booth_location_open(*, assignment: BoothAssignment) -> StockLocation:
    """The exhibitor's stock location at the assigned booth, created (or reopened: the same
    booth assigned again) and linked from ``assignment``: kind booth, in the fair's province at
    its venue, usable on the fair's days only, with the fair's daily hours and closed days as
    its opening hours and exceptions, so checkout offers pickup there while the fair runs (the
    rule is the location's, ``offers.selectors.stock_locations_usable``). Called inside the
    assignment's transaction."""
    booth = assignment.booth
    fair = Fair.objects.select_related("venue_point__location").get(pk=booth.fair_id)
    seller_id = assignment.application.seller_id
    name = BOOTH_LOCATION_NAME.format(code=booth.code, fair=fair.name)[:120]
    venue = fair.venue
    street = ", ".join(part for part in (venue.name, venue.address) if part)[:255]
    fields = {
        "kind": StockLocationKind.BOOTH,
        "province_id": fair.province_id,
        "commune": "",
        "street": street,
        "available_from": fair.starts_on,
        "available_until": fair.ends_on,
        # A fair without dates has no days to sell on yet.
        "is_active": fair.starts_on is not None and fair.status != FairStatus.CANCELLED,
    }
    location = (
        StockLocation.objects.select_for_update().filter(business_id=seller_id, name=name).first()
    )
    if location is None:
        location = StockLocation.objects.create(business_id=seller_id, name=name, **fields)
    else:
        for field, value in fields.items():
            setattr(location, field, value)
        location.save(update_fields=list(fields))
    week = range(7)
    location_hours_write(
        location=location,
        intervals=[(day, fair.opens_at, fair.closes_at) for day in week]
        if fair.opens_at and fair.closes_at
        else [],
    )
    OpeningException.objects.filter(location=location).delete()
    for day in fair.closed_days or []:
        location_exception_write(
            location=location, date=datetime.date.fromisoformat(day), closed=True
        )
    if assignment.location_id != location.pk:
        assignment.location = location
        assignment.save(update_fields=["location"])
    _booth_stock_changed([location.pk])
    return location


def booth_locations_close(*, location_ids: Iterable[int]) -> int:
    """Booth locations stop selling and taking pickups (the booth released, the fair
    cancelled). Their stock stays, visible to the seller, to move back. Returns how many
    closed."""
    ids = sorted({pk for pk in location_ids if pk is not None})
    closed = StockLocation.objects.filter(pk__in=ids, is_active=True).update(is_active=False)
    _booth_stock_changed(ids)
    return closed


def _booth_stock_changed(location_ids: list[int]) -> None:
    # The offers' pages show where they are sold ("at booth …") and how many units: rebuild
    # their search rows and cached pages.
    offer_ids = Stock.objects.filter(location_id__in=location_ids).values_list(
        "offer_id", flat=True
    )
    search_rows_changed(Offer, list(offer_ids))


def _fee_payable(assignment: BoothAssignment) -> None:
    if assignment.released_at is not None:
        raise FairError(_("This booth was released."), code="released")
    if assignment.paid_at is not None:
        raise FairError(_("This booth fee is already paid."), code="paid")
    if not assignment.amount_due:
        raise FairError(_("Nothing is due for this booth."), code="free")


@transaction.atomic
def booth_fee_mark_paid(*, assignment: BoothAssignment, actor) -> BoothAssignment:
    """The organiser received the fee some other way (cash at its office, a transfer without
    the reference) and records it: the assignment no longer expires."""
    organiser_member_require(user=actor, organiser=assignment.booth.fair.organiser)
    assignment = BoothAssignment.objects.select_for_update().get(pk=assignment.pk)
    _fee_payable(assignment)
    assignment.paid_at = timezone.now()
    assignment.paid_by = actor
    assignment.save(update_fields=["paid_at", "paid_by"])
    return assignment


def booth_fee_transfer_match(*, note: str, amount: int, notification) -> str | None:
    """The payments module's matcher for booth fees (registered in ``FairsConfig.ready``; runs
    inside the notification's transaction, which stored it under its unique bank transaction
    id first): a transfer whose note holds a booth fee's reference and exactly its amount pays
    it. The assignment row is locked, so two transfers for one fee pay it once; the second is
    flagged for staff to give back. Reasons are for staff, in English like the payments'."""
    match = _BOOTH_FEE_REFERENCE.search(note.upper())
    if match is None:
        return None
    assignment = (
        BoothAssignment.objects.select_for_update().filter(reference=match.group(0)).first()
    )
    if assignment is None:
        return "No booth fee has this reference."
    if assignment.paid_at is not None:
        return "This booth fee is already paid."
    if assignment.released_at is not None:
        return "The booth was released before the transfer arrived."
    if amount != assignment.amount_due:
        return f"Amount {amount} differs from the {assignment.amount_due} due for the booth fee."
    assignment.paid_at = timezone.now()
    assignment.paid_notification = notification
    assignment.save(update_fields=["paid_at", "paid_notification"])
    return ""


def booth_fees_expire(*, today: datetime.date | None = None) -> int:
    """Release every live assignment whose fee was not paid by its day (``today`` is past
    ``pay_by``): the booth goes to the waitlist in order and the seller is told by e-mail. One
    transaction per assignment; the rows are locked and checked again, so a fee paid meanwhile
    keeps its booth, and a second run releases nothing twice. Returns how many expired."""
    today = today or timezone.localdate()
    overdue = (
        BoothAssignment.objects.filter(
            released_at__isnull=True, paid_at__isnull=True, amount_due__gt=0, pay_by__lt=today
        )
        .exclude(booth__fair__status__in=[FairStatus.FINISHED, FairStatus.CANCELLED])
        .order_by("pay_by", "id")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in list(overdue):
        with transaction.atomic():
            assignment = BoothAssignment.objects.select_related("booth").get(pk=pk)
            Booth.objects.select_for_update().get(pk=assignment.booth_id)
            assignment = BoothAssignment.objects.select_for_update().get(pk=pk)
            if assignment.released_at is not None or assignment.paid_at is not None:
                continue
            _release(assignment=assignment, actor=None, offer_to_waitlist=True, expired=True)
            expired += 1
    return expired
