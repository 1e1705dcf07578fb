"""Reads for fairs: what visitors see, the organiser's review lists, and the checks shown beside
an application."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Prefetch,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Certificate
from catalog.rules import certificate_newest_in_force, in_force_q
from catalog.selectors import certificates_in_force
from core.catalogue_cache import catalogue_local
from core.models import Province
from core.text import fold, nfc
from marketplace.fairs.models import (
    PUBLIC_STATUSES,
    ApplicationStatus,
    Booth,
    BoothAssignment,
    BoothStatus,
    ExhibitorApplication,
    Fair,
    FairStatus,
    OrganiserMembership,
    ProgrammeItem,
    Zone,
)
from marketplace.offers.models import Offer
from marketplace.payments.providers import vietqr_for
from marketplace.payments.vietqr import vietqr_svg
from sellers.account_links import AccountLink


def application_lapsing_offers(
    *, applications: Iterable[ExhibitorApplication]
) -> dict[int, list[Offer]]:
    """For each application, the offers it brings whose product has no certificate in force on
    the fair's last day: the organiser sees them flagged, as the product could not be shown as
    OCOP there. Two queries whatever the number of applications."""
    ids = [a.pk for a in applications]
    brought = (
        ExhibitorApplication.offers.through.objects.filter(exhibitorapplication_id__in=ids)
        .select_related("exhibitorapplication__fair", "offer__variant__product")
        .prefetch_related("offer__variant__product__certificates")
        .order_by("exhibitorapplication_id", "offer_id")
    )
    lapsing: dict[int, list[Offer]] = {pk: [] for pk in ids}
    for row in brought:
        fair = row.exhibitorapplication.fair
        day = fair.ends_on or fair.starts_on
        if day is None:
            continue
        certificates = row.offer.variant.product.certificates.all()
        if certificate_newest_in_force(certificates, day) is None:
            lapsing[row.exhibitorapplication_id].append(row.offer)
    return lapsing


# --- visitor pages ------------------------------------------------------------------------


@dataclass(slots=True)
class BroughtProduct:
    """The little of a product brought to a fair that its page, map, signs and API show (not
    frozen: a frozen dataclass's ``__init__`` costs three times as much, 1,500 times a page)."""

    pk: int
    name: str
    slug: str
    name_folded: str  # what an exhibitor search matches (``fair_exhibitors_search``)

    @property
    def id(self) -> int:
        return self.pk

    def get_absolute_url(self) -> str:
        return reverse("catalog:product_detail", args=[self.slug])


@dataclass(slots=True)
class ExhibitorSeller:
    """The little of an exhibiting seller that the fair's page, map, signs, exports and API
    show. Not a ``Business``: 300 model instances cost a fifth of the booth map's CPU."""

    pk: int
    name: str
    slug: str
    tax_code: str
    province: Province


@dataclass(slots=True)
class ExhibitorProduct:
    product: BroughtProduct
    stars: int | None


class ExhibitorBooth(NamedTuple):
    """An exhibitor's booth as its entry in the exhibitor list, the exports and the API show
    it: a search builds these for the exhibitors it shows, not ``Booth`` model instances (one
    costs about thirteen of these to build), and the map's booths, which name their
    exhibitor, are not named back."""

    code: str
    colour: str


@dataclass
class Exhibitor:
    application_id: int
    seller: ExhibitorSeller
    booths: list[ExhibitorBooth] = field(default_factory=list)
    products: list[ExhibitorProduct] = field(default_factory=list)
    fair_id: int | None = None
    # The page of the fair's exhibitor list it is on (``EXHIBITORS_PER_PAGE``): where the
    # booth map links its booths.
    page_number: int = 1


@dataclass
class FairPage:
    fair: Fair
    zones: list[Zone]
    booths: list[Booth]
    exhibitors: list[Exhibitor]
    programme: list
    width: int = 0
    height: int = 0

    @property
    def zone_colours(self) -> dict[int, str]:
        return {zone.pk: zone.colour for zone in self.zones}

    @property
    def exhibitor_provinces(self) -> list[str]:
        """The provinces of the exhibitors, by name: the search form's choices."""
        return sorted({e.seller.province.name for e in self.exhibitors})


@dataclass
class ExhibitorSearch:
    """A search of a fair's exhibitors: those found, with their booths and products as on the
    fair page, and what the search form shows of the others (how many, their provinces)."""

    exhibitors: list[Exhibitor]
    total: int
    provinces: list[str]
    # The page of those found shown (``EXHIBITORS_PER_PAGE``); its ``paginator.count``: how many.
    page: Page


def fairs_public() -> QuerySet[Fair]:
    return Fair.objects.filter(status__in=PUBLIC_STATUSES).select_related(
        "organiser", "province", "venue_point__location"
    )


def fair_when(fair: Fair, today: datetime.date) -> str:
    """ "upcoming", "running" or "past" by the fair's dates (a fair without dates is upcoming)."""
    if fair.starts_on is None or today < fair.starts_on:
        return "upcoming"
    if today <= (fair.ends_on or fair.starts_on):
        return "running"
    return "past"


def fair_list(
    *,
    province=None,
    month: datetime.date | None = None,
    today: datetime.date | None = None,
) -> dict[str, list[Fair]]:
    """Public fairs grouped upcoming (soonest first; undated last), running, past (latest first),
    narrowed to a province and to the fairs open on some day of ``month``. One query."""
    today = today or timezone.localdate()
    fairs = fairs_public()
    if province is not None:
        fairs = fairs.filter(province=province)
    if month is not None:
        first = month.replace(day=1)
        last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        fairs = fairs.filter(starts_on__lte=last, ends_on__gte=first)
    groups: dict[str, list[Fair]] = {"running": [], "upcoming": [], "past": []}
    for fair in fairs.order_by("starts_on", "name"):
        groups[fair_when(fair, today)].append(fair)
    groups["upcoming"].sort(key=lambda f: (f.starts_on is None, f.starts_on or today, f.name))
    groups["past"].reverse()
    return groups


def fair_page(
    *,
    slug: str,
    today: datetime.date | None = None,
    public_only: bool = True,
    products: bool = True,
    programme: bool = True,
) -> FairPage | None:
    """A fair with its zones, booths, exhibitors, the products they bring and its programme, in
    six queries whatever the number of booths, exhibitors and products; without ``products``
    or ``programme``, one fewer each (``fair_pages``)."""
    fairs = (
        fairs_public()
        if public_only
        else Fair.objects.select_related("organiser", "province", "venue_point__location")
    )
    fair = fairs.filter(slug=slug).first()
    if fair is None:
        return None
    return fair_pages(fairs=[fair], today=today, products=products, programme=programme)[fair.pk]


def _live_at(fair_ids: list[int]) -> QuerySet[BoothAssignment]:
    """The booth assignments in force at these fairs: who exhibits."""
    return BoothAssignment.objects.filter(booth__fair_id__in=fair_ids, released_at__isnull=True)


# Only what the page, the map, the signs, the exports and the API show of the exhibitor (its
# seller and the seller's province): 300 sellers' every column (a dozen dates among them) cost
# more than the page's markup.
# A search's exhibitors shown at once: a phone's screenful or three, and the cost of a search
# bounded whatever it finds (benchmarks/fairs.py).
EXHIBITORS_PER_PAGE = 30

_SELLER_COLUMNS = ("id", "name", "slug", "tax_code")
_PROVINCE_COLUMNS = ("id", "code", "name", "short_name", "slug", "name_folded")


def _exhibitor_rows(
    live: QuerySet[BoothAssignment], *, booths_read: bool, searched: bool = False
) -> dict[int, list[tuple]]:
    """The rows of ``live`` (one per booth: its id, the application's, the fair's, the seller's
    and its province's columns; with ``booths_read`` the booth's code and zone colour; with
    ``searched``, last, the seller's folded name), by application, in the order of its first
    booth's code. One query, plain rows: ``_exhibitor_build`` makes instances only of the
    exhibitors shown."""
    columns = ["booth_id", "application_id", "application__fair_id"]
    columns += [f"application__seller__{c}" for c in _SELLER_COLUMNS]
    columns += [f"application__seller__province__{c}" for c in _PROVINCE_COLUMNS]
    if booths_read:
        columns += ["booth__code", "booth__zone__colour"]
    if searched:
        columns.append("application__seller__name_folded")
    rows: dict[int, list[tuple]] = {}
    for row in live.order_by("booth__code").values_list(*columns):
        rows.setdefault(row[1], []).append(row)
    return rows


_SELLERS_AT = slice(3, 3 + len(_SELLER_COLUMNS))
_PROVINCES_AT = slice(_SELLERS_AT.stop, _SELLERS_AT.stop + len(_PROVINCE_COLUMNS))
_PROVINCE_NAME = _PROVINCES_AT.start + _PROVINCE_COLUMNS.index("name")
_PROVINCE_FOLDED = _PROVINCES_AT.start + _PROVINCE_COLUMNS.index("name_folded")


def _exhibitor_build(
    rows: list[tuple],
    *,
    db: str,
    provinces: dict[int, Province],
    booth_by_id: dict[int, Booth] | None = None,
) -> Exhibitor:
    """An exhibitor from its ``_exhibitor_rows``: its seller, with the seller's province as a
    model instance (one per province, kept in ``provinces``), its booths' codes and colours
    (given ``booth_by_id``, the map's booths, each told its exhibitor). Select_related's
    assignment, application, seller and province instances per booth were a third of the fair
    page's CPU (benchmarks/fairs.py)."""
    first = rows[0]
    province_row = first[_PROVINCES_AT]
    province = provinces.get(province_row[0])
    if province is None:
        province = provinces[province_row[0]] = Province.from_db(
            db, _PROVINCE_COLUMNS, province_row
        )
    seller = ExhibitorSeller(*first[_SELLERS_AT], province)
    exhibitor = Exhibitor(first[1], seller, fair_id=first[2])
    for row in rows:
        if booth_by_id is None:
            exhibitor.booths.append(
                ExhibitorBooth(*row[_PROVINCES_AT.stop : _PROVINCES_AT.stop + 2])
            )
        else:
            booth = booth_by_id[row[0]]
            booth.exhibitor = exhibitor
            exhibitor.booths.append(ExhibitorBooth(booth.code, booth.colour))
    return exhibitor


def _brought_read(
    applications: QuerySet | list[int], *, today: datetime.date
) -> dict[int, list[ExhibitorProduct]]:
    """The products ``applications`` (ids, or a query of them) bring, each once, by name, with
    their stars in force; by application. One query, plain rows: at 1,500 products the model
    instances (through row, offer, pack, product; certificate) were half the fair page's CPU.
    A product has at most one active certificate (a database constraint), so the one in force
    is a LEFT JOIN, as in ``product_list``."""
    rows = (
        ExhibitorApplication.offers.through.objects.filter(exhibitorapplication_id__in=applications)
        .annotate(
            certificate_in_force=FilteredRelation(
                "offer__variant__product__certificates",
                condition=in_force_q(today, prefix="offer__variant__product__certificates__"),
            )
        )
        .order_by("exhibitorapplication_id", "offer__variant__product__name", "offer_id")
        .values_list(
            "exhibitorapplication_id",
            "offer__variant__product_id",
            "offer__variant__product__name",
            "offer__variant__product__slug",
            "offer__variant__product__name_folded",
            "certificate_in_force__stars",
        )
    )
    products: dict[int, BroughtProduct] = {}
    seen: set[tuple[int, int]] = set()
    brought: dict[int, list[ExhibitorProduct]] = {}
    for application_id, product_id, name, slug, folded, stars in rows:
        if (application_id, product_id) in seen:  # two packs of one product
            continue
        seen.add((application_id, product_id))
        product = products.get(product_id)
        if product is None:
            product = products[product_id] = BroughtProduct(product_id, name, slug, folded)
        brought.setdefault(application_id, []).append(ExhibitorProduct(product, stars))
    return brought


def exhibitors_page(
    *, exhibitors: list[Exhibitor], number: int | str | None, today: datetime.date | None = None
) -> Page:
    """The page ``number`` of ``exhibitors`` (``EXHIBITORS_PER_PAGE`` of them; out of range,
    the last), each given the products it brings with their stars in force. One query, only
    for the page shown (none for an empty one): a fair of 300 exhibitors bringing 1,500
    products reads and writes 30 of them, not 589 KiB of HTML."""
    shown = Paginator(exhibitors, EXHIBITORS_PER_PAGE).get_page(number)
    by_id = {exhibitor.application_id: exhibitor for exhibitor in shown.object_list}
    if by_id:
        brought = _brought_read(list(by_id), today=today or timezone.localdate())
        for application_id, exhibitor in by_id.items():
            exhibitor.products = brought.get(application_id, [])
    return shown


def _exhibitors(
    live: QuerySet[BoothAssignment],
    *,
    today: datetime.date,
    booth_by_id: dict[int, Booth] | None = None,
    products: bool = True,
) -> dict[int, Exhibitor]:
    """The exhibitors of the assignments ``live``, in the order of their first booth's code, each
    with its booths (those of ``booth_by_id``, given an ``exhibitor``; else read with their
    code and zone colour) and, with ``products``, the products it brings with their stars in
    force. Two queries whatever the number of exhibitors and products."""
    provinces: dict[int, Province] = {}
    exhibitors = {
        application_id: _exhibitor_build(
            rows, db=live.db, provinces=provinces, booth_by_id=booth_by_id
        )
        for application_id, rows in _exhibitor_rows(live, booths_read=booth_by_id is None).items()
    }
    if products:
        brought = _brought_read(live.values("application_id"), today=today)
        for application_id, items in brought.items():
            exhibitors[application_id].products = items
    return exhibitors


def fair_pages(
    *,
    fairs: list[Fair],
    today: datetime.date | None = None,
    products: bool = True,
    programme: bool = True,
) -> dict[int, FairPage]:
    """``fair_page`` for several fairs at once (a page of the API's ``fairs``), in the same
    five queries whatever the number of fairs, booths, exhibitors and products: zones, booths,
    exhibitors, with ``products`` the products they bring, with ``programme`` the programme.
    Each exhibitor knows the page of the fair's exhibitor list it is on (``page_number``)."""
    today = today or timezone.localdate()
    ids = [fair.pk for fair in fairs]
    zones_of: dict[int, list[Zone]] = {pk: [] for pk in ids}
    for zone in Zone.objects.filter(fair_id__in=ids).order_by("position", "id"):
        zones_of[zone.fair_id].append(zone)
    booths_of: dict[int, list[Booth]] = {pk: [] for pk in ids}
    booths = list(Booth.objects.filter(fair_id__in=ids).order_by("code"))
    for booth in booths:
        booths_of[booth.fair_id].append(booth)
    booth_by_id = {b.pk: b for b in booths}
    colours = {zone.pk: zone.colour for zones in zones_of.values() for zone in zones}
    fair_by_id = {fair.pk: fair for fair in fairs}
    for booth in booths:
        booth.exhibitor = None
        booth.colour = colours[booth.zone_id]
        booth.fee = booth.price_at(fair_by_id[booth.fair_id])
    exhibitors = _exhibitors(_live_at(ids), today=today, booth_by_id=booth_by_id, products=products)
    programme_of: dict[int, list] = {pk: [] for pk in ids}
    items = (
        ProgrammeItem.objects.filter(fair_id__in=ids) if programme else ProgrammeItem.objects.none()
    )
    for item in items.order_by("position", "id").prefetch_related(
        Prefetch(
            "certificates",
            queryset=Certificate.objects.select_related("product").order_by(
                "-stars", "product__name"
            ),
        )
    ):
        programme_of[item.fair_id].append(item)
    pages = {}
    for fair in fairs:
        fair_booths = booths_of[fair.pk]
        fair_exhibitors = sorted(
            (e for e in exhibitors.values() if e.fair_id == fair.pk),
            key=lambda e: e.booths[0].code,
        )
        for index, exhibitor in enumerate(fair_exhibitors):
            exhibitor.page_number = index // EXHIBITORS_PER_PAGE + 1
        pages[fair.pk] = FairPage(
            fair=fair,
            zones=zones_of[fair.pk],
            booths=fair_booths,
            exhibitors=fair_exhibitors,
            programme=programme_of[fair.pk],
            width=max((b.x + b.width for b in fair_booths), default=0),
            height=max((b.y + b.height for b in fair_booths), default=0),
        )
    return pages


@dataclass(frozen=True, slots=True)
class _IndexedExhibitor:
    """What a search of a fair's exhibitors looks at and shows of one of them."""

    rows: tuple[tuple, ...]  # its ``_exhibitor_rows``, one per booth
    text: str  # its folded name, province and products brought, space-separated
    province_name: str
    province_folded: str
    stars: int  # the most stars in force among its products (0: none)
    products: tuple[ExhibitorProduct, ...]

    def found(
        self, *, words: list[str], province: tuple[str, str] | None, stars: int | None
    ) -> bool:
        """Whether it is from ``province`` (its name, its folded name), brings ``stars`` or
        more, and has every one of ``words`` in its text."""
        if province is not None:
            name, folded = province
            if self.province_name != name and self.province_folded != folded:
                return False
        if stars and self.stars < stars:
            return False
        # A word has no space, so it is in the text exactly when it is in one of its parts.
        return all(word in self.text for word in words)


def _exhibitor_index(*, fair: Fair, today: datetime.date) -> tuple[_IndexedExhibitor, ...]:
    """The fair's exhibitors in booth order, each with the text a search matches and the most
    stars it brings. Two queries, kept per catalogue version (``catalogue_local``: any
    committed write to the fair, its exhibitors, their products or certificates makes a new
    one; the date is in its key, as stars lapse at midnight): a search then reads no
    exhibitor or product, only the page it shows (benchmarks/fairs.py)."""

    def build() -> tuple[_IndexedExhibitor, ...]:
        live = _live_at([fair.pk])
        rows_of = _exhibitor_rows(live, booths_read=True, searched=True)
        brought = _brought_read(live.values("application_id"), today=today)
        index = []
        for application_id, rows in rows_of.items():
            first = rows[0]
            products = tuple(brought.get(application_id, ()))
            parts = [first[-1], first[_PROVINCE_FOLDED]]
            parts += [item.product.name_folded for item in products]
            index.append(
                _IndexedExhibitor(
                    rows=tuple(rows),
                    text=" ".join(parts),
                    province_name=first[_PROVINCE_NAME],
                    province_folded=first[_PROVINCE_FOLDED],
                    stars=max((item.stars or 0 for item in products), default=0),
                    products=products,
                )
            )
        return tuple(index)

    return catalogue_local(key=f"fairs:exhibitor-index:{fair.pk}:{today:%Y%m%d}", build=build)


def fair_exhibitors_search(
    *,
    fair: Fair,
    text: str = "",
    province_name: str = "",
    stars: int | None = None,
    page: int | str | None = None,
    today: datetime.date | None = None,
) -> ExhibitorSearch:
    """The exhibitors of ``fair`` whose name, province or a product brought contains every word
    of ``text`` (folded: "mat ong" finds "Mật ong"), from ``province_name`` (its name, or its
    short name folded: "quang ninh"), bringing a product with a certificate in force of
    ``stars`` or more, in booth order; the ``page`` shown of them (``EXHIBITORS_PER_PAGE``)
    with their products. Searched in the fair's exhibitor index (``_exhibitor_index``): one
    query (the catalogue token) while it is current, three when it is built, whatever the
    number of exhibitors, products and words. Searched in SQL, a fair of 300 exhibitors cost
    three times the page's markup: a subquery per word (PostgreSQL planned them longer than
    it ran them), then every exhibitor's row read to count them and list their provinces."""
    today = today or timezone.localdate()
    words = fold(text).split()
    province = (nfc(province_name), fold(province_name)) if province_name else None
    index = _exhibitor_index(fair=fair, today=today)
    matching = [e for e in index if e.found(words=words, province=province, stars=stars)]
    shown = Paginator(matching, EXHIBITORS_PER_PAGE).get_page(page)
    provinces: dict[int, Province] = {}
    exhibitors = []
    # Instances of only the page shown, each its own (the index is shared between requests).
    for indexed in shown.object_list:
        exhibitor = _exhibitor_build(list(indexed.rows), db=fair._state.db, provinces=provinces)
        exhibitor.products = list(indexed.products)
        exhibitors.append(exhibitor)
    return ExhibitorSearch(
        exhibitors=exhibitors,
        total=len(index),
        provinces=sorted({e.province_name for e in index}),
        page=shown,
    )


def booths_at_fairs(
    *, seller_id: int | None = None, product_id: int | None = None, today=None
) -> list[dict]:
    """ "At the fair": the running and upcoming public fairs where a seller has a booth, or where
    a product is brought to one — each fair once, with the booth codes. One query."""
    today = today or timezone.localdate()
    assignments = (
        BoothAssignment.objects.filter(
            released_at__isnull=True,
            application__status=ApplicationStatus.ACCEPTED,
            booth__fair__status__in=PUBLIC_STATUSES,
            booth__fair__ends_on__gte=today,
        )
        .exclude(booth__fair__status=FairStatus.CANCELLED)
        .select_related("booth__fair__province")
        .order_by("booth__fair__starts_on", "booth__fair_id", "booth__code")
    )
    if seller_id is not None:
        assignments = assignments.filter(application__seller_id=seller_id)
    if product_id is not None:
        assignments = assignments.filter(
            application__offers__variant__product_id=product_id
        ).distinct()
    fairs: dict[int, dict] = {}
    for assignment in assignments:
        fair = assignment.booth.fair
        entry = fairs.setdefault(fair.pk, {"fair": fair, "booths": []})
        if assignment.booth.code not in entry["booths"]:
            entry["booths"].append(assignment.booth.code)
    return list(fairs.values())


def offers_at_booths_attach(offers: list[Offer], *, today=None) -> None:
    """Each offer's ``at_booths``: ``[(booth code, fair)]`` where it has units at the seller's
    booth (its live assignment's stock location) at a public fair that is upcoming or running
    — "at booth B-12, <fair>" on its row. One query for any number of offers (registered with
    ``storefront.offer_rows``)."""
    today = today or timezone.localdate()
    rows = (
        BoothAssignment.objects.filter(
            released_at__isnull=True,
            location__is_active=True,
            location__stocks__offer__in=[offer.pk for offer in offers],
            location__stocks__quantity__gt=0,
            booth__fair__status__in=PUBLIC_STATUSES,
            booth__fair__ends_on__gte=today,
        )
        .exclude(booth__fair__status=FairStatus.CANCELLED)
        .annotate(offer_id=F("location__stocks__offer_id"))
        .select_related("booth__fair")
        .only("booth__code", "booth__fair__name", "booth__fair__slug")
        .order_by("booth__fair__starts_on", "booth__fair_id", "booth__code")
    )
    found: dict[int, list] = {}
    for row in rows:
        found.setdefault(row.offer_id, []).append((row.booth.code, row.booth.fair))
    for offer in offers:
        offer.at_booths = found.get(offer.pk, [])


# --- workspace: the seller's applications, the organiser's review -------------------------


def fairs_taking_applications(*, today: datetime.date | None = None) -> QuerySet[Fair]:
    """Fairs a seller can apply to today: applications open and the window not yet closed."""
    today = today or timezone.localdate()
    return (
        Fair.objects.filter(status=FairStatus.APPLICATIONS_OPEN)
        .exclude(applications_close_on__lt=today)
        .exclude(applications_open_on__gt=today)
        .select_related("organiser", "province", "venue_point__location")
        .order_by("starts_on", "name")
    )


def _live_assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=BoothAssignment.objects.filter(released_at__isnull=True)
        .select_related("booth")
        .order_by("booth__code"),
        to_attr="live_assignments",
    )


def applications_of_seller(*, seller) -> QuerySet[ExhibitorApplication]:
    """A seller's applications, newest first, with their fair, preferred zone, products and live
    booths: three queries whatever their number."""
    return (
        ExhibitorApplication.objects.filter(seller=seller)
        .select_related("fair__province", "preferred_zone", "seller__province")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.select_related("variant__product").order_by("pk"),
            ),
            _live_assignments(),
        )
        .order_by("-submitted_at", "-id")
    )


def applications_with_products(
    *, applications: list[ExhibitorApplication], today: datetime.date | None = None
) -> list[ExhibitorApplication]:
    """``applications`` (their offers prefetched with ``variant__product``), each given
    ``products`` (offer, product, stars in force, lapsing flag), ``best_stars`` and
    ``has_lapsing``: what the organiser's desk and the API show beside an application. Three
    queries whatever their number."""
    today = today or timezone.localdate()
    lapsing = application_lapsing_offers(applications=applications)
    product_ids = {o.variant.product_id for a in applications for o in a.offers.all()}
    in_force = {
        c.product_id: c.stars
        for c in certificates_in_force(today=today)
        .filter(product_id__in=product_ids)
        .only("id", "product_id", "stars")
    }
    for application in applications:
        flagged = {o.pk for o in lapsing.get(application.pk, [])}
        application.products = [
            {
                "offer": offer,
                "product": offer.variant.product,
                "stars": in_force.get(offer.variant.product_id),
                "lapsing": offer.pk in flagged,
            }
            for offer in application.offers.all()
        ]
        application.best_stars = max((p["stars"] or 0 for p in application.products), default=0)
        application.has_lapsing = bool(flagged)
    return applications


def applications_for_review(
    *,
    fair: Fair,
    status: str = "",
    province=None,
    product_set_id: int | None = None,
    product_set_number: int | None = None,
    stars: int | None = None,
    today: datetime.date | None = None,
) -> list[ExhibitorApplication]:
    """The organiser's review list of ``fair``: applications in the order they came, each with
    its seller, preferred zone, products (with the stars in force and the lapsing flag) and live
    booths; filtered by status, the seller's province, a product set of a product brought and the
    best stars brought. The product set is named by its row (the desk's form) or its number,
    1–26, as the products API names it. Six queries whatever the number of applications."""
    today = today or timezone.localdate()
    applications = (
        ExhibitorApplication.objects.filter(fair=fair)
        .select_related("fair", "seller__province", "preferred_zone")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.select_related("variant__product").order_by("pk"),
            ),
            _live_assignments(),
        )
        .order_by("submitted_at", "id")
    )
    if status:
        applications = applications.filter(status=status)
    if province is not None:
        applications = applications.filter(seller__province=province)
    if product_set_id:
        applications = applications.filter(
            offers__variant__product__product_set_id=product_set_id
        ).distinct()
    if product_set_number:
        applications = applications.filter(
            offers__variant__product__product_set__number=product_set_number
        ).distinct()
    rows = applications_with_products(applications=list(applications), today=today)
    if stars:
        rows = [a for a in rows if a.best_stars >= stars]
    return rows


def waitlist_of(*, fair: Fair) -> QuerySet[ExhibitorApplication]:
    """The waitlist in the order a released booth is offered (``services._release``)."""
    return (
        ExhibitorApplication.objects.filter(fair=fair, status=ApplicationStatus.WAITLISTED)
        .select_related("seller")
        .order_by("waitlisted_at", "id")
    )


def booths_free(*, fair: Fair) -> QuerySet[Booth]:
    """Booths that can be assigned: available, or held for a locality cluster."""
    return (
        Booth.objects.filter(fair=fair, status__in=[BoothStatus.AVAILABLE, BoothStatus.HELD])
        .select_related("zone")
        .order_by("zone__position", "code")
    )


def fairs_of_organiser(*, organiser) -> QuerySet[Fair]:
    return (
        Fair.objects.filter(organiser=organiser)
        .select_related("province")
        .annotate(
            submitted_count=Count(
                "applications", filter=Q(applications__status=ApplicationStatus.SUBMITTED)
            )
        )
        .order_by("-starts_on", "name")
    )


def booth_fee_qr_svg(*, assignment: BoothAssignment) -> str:
    """The VietQR code (SVG) a seller scans to pay a booth fee: the marketplace's account, the
    amount due and the fee's reference as the transfer note, built by the payments module like
    an order's, so a bank notification carrying it matches the fee."""
    return vietqr_svg(vietqr_for(amount=assignment.amount_due, reference=assignment.reference))


def organiser_account_links(*, user) -> list[AccountLink]:
    """The account page's links to the desks of the approved organisers ``user`` belongs to
    (registered with ``sellers.account_links`` in ``FairsConfig.ready``). One query."""
    memberships = (
        OrganiserMembership.objects.filter(user=user, organiser__approved_at__isnull=False)
        .select_related("organiser")
        .order_by("organiser__name")
    )
    return [
        AccountLink(
            heading=_("Fair organisers"),
            title=m.organiser.name,
            detail=m.get_role_display(),
            url=reverse("fairs_organiser:home", args=[m.organiser.slug]),
        )
        for m in memberships
    ]


def booth_list(*, fair: Fair) -> list[Booth]:
    """The organiser's booth list: every booth of ``fair`` with its zone and, when assigned,
    ``exhibitor_name``. Two queries whatever the number of booths."""
    booths = list(
        Booth.objects.filter(fair=fair).select_related("zone").order_by("zone__position", "code")
    )
    names = dict(
        BoothAssignment.objects.filter(booth__fair=fair, released_at__isnull=True).values_list(
            "booth_id", "application__seller__name"
        )
    )
    for booth in booths:
        booth.exhibitor_name = names.get(booth.pk, "")
    return booths


def programme_of_fair(*, fair: Fair) -> list[ProgrammeItem]:
    """The fair's programme with the certificates announced at each item and their products.
    Two queries whatever the number of items and certificates."""
    return list(
        ProgrammeItem.objects.filter(fair=fair)
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=Certificate.objects.select_related("product").order_by("number"),
            )
        )
        .order_by("position", "id")
    )
