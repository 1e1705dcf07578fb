"""Links the account page shows beyond the user's businesses, registered by the apps above.

The account page (``/tai-khoan/``) is the sellers domain's, but other roles a user may hold
belong to apps above it (a fair organiser's desk is ``marketplace.fairs``'), which sellers may
not name. Each such app registers a provider here when Django starts (its
``AppConfig.ready``); the page lists what the providers return for the signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AccountLink:
    heading: str  # lazily translated: the section of the account page it is listed under
    title: str
    detail: str
    url: str


_providers: list[Callable[..., list[AccountLink]]] = []


def account_links_register(provider: Callable[..., list[AccountLink]]) -> None:
    """``provider(user=)`` returns the links for a signed-in user, in the order to show them."""
    if provider not in _providers:
        _providers.append(provider)


def account_links(*, user) -> list[AccountLink]:
    return [link for provider in _providers for link in provider(user=user)]
