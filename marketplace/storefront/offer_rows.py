"""What packages above the storefront add to the offer rows of the product page and the seller
page (``marketplace.fairs`` adds "at booth B-12, <fair>"): registered in ``AppConfig.ready``,
each is called once with the page's offers and sets attributes on them, in a constant number of
queries whatever the number of offers."""

from __future__ import annotations

from collections.abc import Callable

from marketplace.offers.models import Offer

OfferRowsAttach = Callable[[list[Offer]], None]

_attachers: list[OfferRowsAttach] = []


def offer_rows_attach_register(attach: OfferRowsAttach) -> None:
    _attachers.append(attach)


def offer_rows_attach(offers: list[Offer]) -> list[Offer]:
    """``offers`` with what every registered package attaches (nothing queried without
    offers)."""
    if offers:
        for attach in _attachers:
            attach(offers)
    return offers
