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
