"""Sellers that apply to fairs, for the fairs tests."""

from marketplace.fairs.services import application_submit, booth_assign
from sellers.models import SellerStatus
from tests.factories import BusinessFactory, member, selling_product


def seller_with_offers(*, offers: int = 1, **business):
    """(seller, manager user, [published offers of certified products])."""
    seller = BusinessFactory(status=SellerStatus.ACTIVE, **business)
    if not seller.email:
        seller.email = f"{seller.slug}@example.vn"
        seller.save(update_fields=["email"])
    user = member(seller, role="manager")
    _product, _certificate, made = selling_product(holder=seller, variants=offers)
    return seller, user, made


def applied(*, fair, language: str = "vi", booths_wanted: int = 1, **business):
    """A submitted application of a fresh seller to ``fair`` (which must take applications)."""
    seller, user, offers = seller_with_offers(**business)
    return application_submit(
        fair=fair,
        seller=seller,
        actor=user,
        offer_ids=[o.pk for o in offers],
        booths_wanted=booths_wanted,
        language=language,
    )


def desk_with_booths(size: int):
    """(organiser, manager, fair, booths): a fair of ``size`` booths in one zone, the first
    assigned to an exhibitor — what the desk's constant-SQL tests count over."""
    from tests.factories_fairs import BoothFactory, FairFactory, ZoneFactory, organiser_member

    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser)
    zone = ZoneFactory(fair=fair)
    booths = [BoothFactory(zone=zone) for _ in range(size)]
    booth_assign(application=applied(fair=fair), booth=booths[0], actor=user)
    return organiser, user, fair, booths


def booth_selling(*, quantity: int = 3, warehouse: int = 0, price: int = 120_000, offers: int = 1):
    """A fair running today (yesterday to the day after tomorrow, 08:00–21:00, closed the day
    after tomorrow) with booth B-12 assigned to a seller whose offers (packs of one product)
    have ``quantity`` units each at the booth and the first ``warehouse`` in its warehouse. A
    dict of what tests need ("offer": the first)."""
    import datetime

    from django.utils import timezone

    from marketplace.fairs.models import FairStatus
    from marketplace.fairs.services import fair_transition, fair_update
    from marketplace.offers.services import stock_set
    from tests.factories import StockFactory
    from tests.factories_fairs import BoothFactory, FairFactory, ZoneFactory, organiser_member

    organiser, organiser_user = organiser_member()
    fair = FairFactory(organiser=organiser, name="Hội chợ OCOP Quảng Ninh")
    booth = BoothFactory(zone=ZoneFactory(fair=fair), code="B-12", price=0)
    seller, seller_user, made = seller_with_offers(offers=offers)
    application = application_submit(
        fair=fair, seller=seller, actor=seller_user, offer_ids=[o.pk for o in made]
    )
    offer = made[0]
    offer.price = price
    offer.save(update_fields=["price"])
    assignment = booth_assign(application=application, booth=booth, actor=organiser_user)
    today = timezone.localdate()
    fair = fair_update(
        fair=fair,
        actor=organiser_user,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=2),
        applications_close_on=today - datetime.timedelta(days=2),
        opens_at=datetime.time(8, 0),
        closes_at=datetime.time(21, 0),
        closed_days=[(today + datetime.timedelta(days=2)).isoformat()],
    )
    fair = fair_transition(fair=fair, to=FairStatus.APPLICATIONS_CLOSED, actor=organiser_user)
    fair = fair_transition(fair=fair, to=FairStatus.RUNNING, actor=organiser_user)
    assignment.refresh_from_db()
    location = assignment.location
    for each in made:
        stock_set(actor=seller_user, offer=each, location=location, quantity=quantity)
    if warehouse:
        StockFactory(offer=offer, quantity=warehouse)
    return {
        "fair": fair,
        "organiser_user": organiser_user,
        "booth": booth,
        "assignment": assignment,
        "seller": seller,
        "seller_user": seller_user,
        "offer": offer,
        "offers": made,
        "location": location,
    }
