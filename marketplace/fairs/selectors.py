"""Reads for fairs: what visitors see, the organiser's review lists, and the checks shown beside
an application."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Certificate
from catalog.rules import certificate_newest_in_force
from catalog.selectors import certificates_in_force
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
from sellers.models import Business


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


@dataclass(frozen=True, slots=True)
class BroughtProduct:
    """The little of a product brought to a fair that its page, map, signs and API show."""

    pk: int
    name: str
    slug: str

    @property
    def id(self) -> int:
        return self.pk

    def get_absolute_url(self) -> str:
        return reverse("catalog:product_detail", args=[self.slug])


@dataclass(slots=True)
class ExhibitorProduct:
    product: BroughtProduct
    stars: int | None


@dataclass
class Exhibitor:
    application_id: int
    seller: object
    booths: list = field(default_factory=list)
    products: list[ExhibitorProduct] = field(default_factory=list)
    fair_id: int | None = None


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
    *, slug: str, today: datetime.date | None = None, public_only: bool = True
) -> FairPage | None:
    """Everything a fair's page, its booth map and its exhibitor list show, in eight queries
    whatever the number of booths, exhibitors and products."""
    fairs = (
        fairs_public()
        if public_only
        else Fair.objects.select_related("organiser", "province", "venue_point__location")
    )
    fair = fairs.filter(slug=slug).first()
    if fair is None:
        return None
    return fair_pages(fairs=[fair], today=today)[fair.pk]


def _live_at(fair_ids: list[int]) -> QuerySet[BoothAssignment]:
    """The booth assignments in force at these fairs: who exhibits."""
    return BoothAssignment.objects.filter(booth__fair_id__in=fair_ids, released_at__isnull=True)


# Only what the page, the map, the signs, the exports and the API show of the exhibitor (its
# seller and the seller's province): 300 sellers' every column (a dozen dates among them) cost
# more than the page's markup.
# A search's exhibitors shown at once: a phone's screenful or three, and the cost of a search
# bounded whatever it finds (benchmarks/fairs.py).
EXHIBITORS_PER_PAGE = 30

_SELLER_COLUMNS = ("id", "name", "slug", "tax_code", "status", "is_demo", "province_id")
_PROVINCE_COLUMNS = ("id", "code", "name", "short_name", "slug", "name_folded")


def _exhibitors_read(
    live: QuerySet[BoothAssignment], *, booth_by_id: dict[int, Booth] | None = None
) -> dict[int, Exhibitor]:
    """The exhibitors of ``live`` in the order of their first booth's code, with their booths,
    without their products (``_products_attach``). One query."""
    columns = ["booth_id", "application_id", "application__fair_id"]
    columns += [f"application__seller__{c}" for c in _SELLER_COLUMNS]
    columns += [f"application__seller__province__{c}" for c in _PROVINCE_COLUMNS]
    if booth_by_id is None:
        columns += ["booth__code", "booth__zone__colour"]
    sellers_at, provinces_at = (
        slice(3, 3 + len(_SELLER_COLUMNS)),
        slice(3 + len(_SELLER_COLUMNS), 3 + len(_SELLER_COLUMNS) + len(_PROVINCE_COLUMNS)),
    )
    # Plain rows, and a model instance only for what callers use as one (the seller, its
    # province; one per province): select_related's assignment, application, seller and
    # province instances per booth were a third of the fair page's CPU (benchmarks/fairs.py).
    exhibitors: dict[int, Exhibitor] = {}
    provinces: dict[int, Province] = {}
    for row in live.order_by("booth__code").values_list(*columns):
        booth_id, application_id, fair_id = row[:3]
        exhibitor = exhibitors.get(application_id)
        if exhibitor is None:
            province_row = row[provinces_at]
            province = provinces.get(province_row[0])
            if province is None:
                province = provinces[province_row[0]] = Province.from_db(
                    live.db, _PROVINCE_COLUMNS, province_row
                )
            seller = Business.from_db(live.db, _SELLER_COLUMNS, row[sellers_at])
            seller.province = province
            exhibitor = exhibitors[application_id] = Exhibitor(application_id, seller)
            exhibitor.fair_id = fair_id
        if booth_by_id is None:
            booth = Booth.from_db(live.db, ("id", "code"), (booth_id, row[-2]))
            booth.colour = row[-1]
        else:
            booth = booth_by_id[booth_id]
        booth.exhibitor = exhibitor
        exhibitor.booths.append(booth)
    return exhibitors


def _products_attach(
    exhibitors: dict[int, Exhibitor],
    *,
    live: QuerySet[BoothAssignment],
    today: datetime.date,
    narrowed: bool,
) -> None:
    """The products each of ``exhibitors`` brings, with their stars in force. Two queries."""
    # The products brought, as plain rows: at 1,500 products the model instances (through row,
    # offer, pack, product; certificate) were half the page's CPU (benchmarks/fairs.py).
    brought_by = ExhibitorApplication.offers.through.objects.filter(
        exhibitorapplication_id__in=list(exhibitors) if narrowed else live.values("application_id")
    )
    brought = brought_by.order_by(
        "exhibitorapplication_id", "offer__variant__product__name", "offer_id"
    ).values_list(
        "exhibitorapplication_id",
        "offer__variant__product_id",
        "offer__variant__product__name",
        "offer__variant__product__slug",
    )
    products: dict[int, BroughtProduct] = {}
    pairs: list[tuple[int, int]] = []
    for application_id, product_id, name, slug in brought:
        if product_id not in products:
            products[product_id] = BroughtProduct(product_id, name, slug)
        pairs.append((application_id, product_id))
    in_force = dict(
        certificates_in_force(today=today)
        .filter(product_id__in=brought_by.values("offer__variant__product_id"))
        .values_list("product_id", "stars")
    )
    seen: set[tuple[int, int]] = set()
    for pair in pairs:
        if pair in seen:  # two packs of one product
            continue
        seen.add(pair)
        application_id, product_id = pair
        exhibitors[application_id].products.append(
            ExhibitorProduct(products[product_id], in_force.get(product_id))
        )


def _exhibitors(
    live: QuerySet[BoothAssignment],
    *,
    today: datetime.date,
    booth_by_id: dict[int, Booth] | None = None,
    narrowed: bool = False,
) -> dict[int, Exhibitor]:
    """The exhibitors of the assignments ``live``, in the order of their first booth's code, each
    with its booths (those of ``booth_by_id``, given an ``exhibitor``; else read with their
    code and zone colour) and the products it brings with their stars in force. Three queries
    whatever the number of exhibitors and products. ``narrowed``: ``live`` is a search's, whose
    subqueries would run again in the products' and the stars' queries (each as long as the
    search itself): those take the ids of the exhibitors found instead."""
    exhibitors = _exhibitors_read(live, booth_by_id=booth_by_id)
    _products_attach(exhibitors, live=live, today=today, narrowed=narrowed)
    return exhibitors


def fair_pages(*, fairs: list[Fair], today: datetime.date | None = None) -> dict[int, FairPage]:
    """``fair_page`` for several fairs at once (a page of the API's ``fairs``), in the same
    seven queries whatever the number of fairs, booths, exhibitors and products."""
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
    exhibitors = _exhibitors(_live_at(ids), today=today, booth_by_id=booth_by_id)
    programme_of: dict[int, list] = {pk: [] for pk in ids}
    for item in (
        ProgrammeItem.objects.filter(fair_id__in=ids)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=Certificate.objects.select_related("product").order_by(
                    "-stars", "product__name"
                ),
            )
        )
    ):
        programme_of[item.fair_id].append(item)
    pages = {}
    for fair in fairs:
        fair_booths = booths_of[fair.pk]
        pages[fair.pk] = FairPage(
            fair=fair,
            zones=zones_of[fair.pk],
            booths=fair_booths,
            exhibitors=sorted(
                (e for e in exhibitors.values() if e.fair_id == fair.pk),
                key=lambda e: e.booths[0].code,
            ),
            programme=programme_of[fair.pk],
            width=max((b.x + b.width for b in fair_booths), default=0),
            height=max((b.y + b.height for b in fair_booths), default=0),
        )
    return pages


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
    short name folded: "quang ninh"), bringing a product
    with a certificate in force of ``stars`` or more. Found in SQL, and only the ``page`` shown
    of them read (``EXHIBITORS_PER_PAGE``, in booth order): a search finding most of a fair
    ("★4 or more") costs what one finding a few does — not the fair's every exhibitor, nor its
    booths. Four queries whatever their number."""
    today = today or timezone.localdate()
    live = _live_at([fair.pk])
    by_province = (
        live.values_list("application__seller__province__name")
        .annotate(count=Count("application_id", distinct=True))
        .order_by("application__seller__province__name")
    )
    found = live
    brought = ExhibitorApplication.offers.through.objects.filter(
        exhibitorapplication_id=OuterRef("application_id")
    )
    for word in fold(text).split():
        found = found.filter(
            Q(application__seller__name_folded__contains=word)
            | Q(application__seller__province__name_folded__contains=word)
            | Exists(brought.filter(offer__variant__product__name_folded__contains=word))
        )
    if province_name:
        # The form sends the name; the province's folded name is its short name's.
        found = found.filter(
            Q(application__seller__province__name=nfc(province_name))
            | Q(application__seller__province__name_folded=fold(province_name))
        )
    if stars:
        starred = certificates_in_force(today=today).filter(stars__gte=stars)
        found = found.filter(
            Exists(brought.filter(offer__variant__product_id__in=starred.values("product_id")))
        )
    counts = list(by_province)
    # Every exhibitor found is a plain row (cheap); only the page shown gets its products.
    everyone = _exhibitors_read(found)
    shown = Paginator(list(everyone), EXHIBITORS_PER_PAGE).get_page(page)
    exhibitors = {pk: everyone[pk] for pk in shown.object_list}
    _products_attach(exhibitors, live=found, today=today, narrowed=True)
    return ExhibitorSearch(
        exhibitors=list(exhibitors.values()),
        total=sum(count for _name, count in counts),
        provinces=[name for name, _count in counts],
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
