"""Sellers that apply to fairs, for the fairs tests."""

from marketplace.fairs.services import application_submit
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
