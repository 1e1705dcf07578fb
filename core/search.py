"""The search interface every package may use; the ``search`` package implements it.

``search`` sits at the top of the package chain (it reads products, offers, certificates and
businesses to build its documents), so lower packages cannot import it. They reach it through
the two doors here instead:

- ``search_backend()`` — the backend chosen by ``settings.SEARCH_BACKEND`` (a name in
  ``settings.SEARCH_BACKENDS``, loaded by dotted path like any Django backend): query with
  filters and facets, suggest, match product ids for a list. Pages and GraphQL in ``catalog``
  and ``marketplace`` call it.
- ``search_rows_changed(model, ids)`` — a service that wrote rows search depends on (a product,
  a certificate, an offer, stock, a business…) announces it, inside its own transaction. The
  ``search`` app registers the listener (``search.apps``) that turns those rows into the
  documents they change and rewrites them in the same transaction. Nothing is registered when
  the app is not installed, and the call costs nothing.

The results contract (dataclasses below) is the same for every backend.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Model
from django.utils.module_loading import import_string

# --- the results contract -------------------------------------------------------------------

PRODUCT = "product"
BUSINESS = "business"

ORDER_RELEVANCE = "relevance"
ORDERS = (ORDER_RELEVANCE, "name", "stars", "price_asc", "price_desc", "newest")

# Certificate filter of a product search: "" is what buyers see (a certificate in force today).
STATUS_IN_FORCE = ""
STATUS_EXPIRED = "expired"
STATUS_REVOKED = "revoked"
STATUS_ANY = "all"
STATUSES = (STATUS_IN_FORCE, STATUS_EXPIRED, STATUS_REVOKED, STATUS_ANY)


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing of a product search. Empty values do not narrow."""

    stars: int | None = None
    province: str = ""  # current province slug
    category: str = ""  # product category slug
    product_set: int | None = None  # bộ sản phẩm number
    price_band: str = ""  # a key of ``search.documents.PRICE_BANDS``
    seller_type: str = ""  # sellers.models.SellerType
    in_stock: bool = False
    status: str = STATUS_IN_FORCE
    holder_id: int | None = None

    def with_(self, **changes: Any) -> SearchFilters:
        return SearchFilters(**{**self.__dict__, **changes})


@dataclass
class SearchHit:
    """One document as a card: enough to show it in a list without another query.

    ``card`` holds what the document type shows (for a product: slug, holder, province,
    photo…); ``buyable`` is decided at query time (a certificate in force *today* and stock), so a
    certificate lapsing at midnight turns it off without a write. ``highlight`` is the title
    as HTML with the matched words in ``<mark>``."""

    kind: str
    object_id: int
    title: str
    url: str
    subtitle: str = ""
    highlight: str = ""
    stars: int | None = None
    in_force: bool = False
    buyable: bool = False
    min_price: int | None = None
    max_price: int | None = None
    seller_count: int = 0
    in_stock: bool = False
    is_demo: bool = False
    card: dict = field(default_factory=dict)
    score: float = 0.0


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    """A page of hits, the total, facet counts over every match, and spelling help.

    ``corrected`` is the query as it was understood when a word was corrected ("gio lua" for
    "gio luaa"); ``did_you_mean`` is offered when nothing matched."""

    hits: list[SearchHit]
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    corrected: str = ""
    did_you_mean: str = ""
    query: str = ""


@dataclass(frozen=True)
class Suggestion:
    kind: str
    title: str
    url: str
    subtitle: str = ""
    highlight: str = ""


@dataclass
class IndexHealth:
    backend: str
    documents: dict[str, int]
    backlog: int
    oldest_pending: datetime.datetime | None
    last_update: datetime.datetime | None
    last_error: str = ""
    detail: dict = field(default_factory=dict)


class SearchBackend(Protocol):
    """What a backend does. Every method is keyword-only; ``today`` defaults to the local date
    and decides which certificates are in force."""

    name: str

    def documents_changed(self, *, kind: str, ids: list[int]) -> None:
        """Documents were rewritten in the current transaction (or removed when absent)."""

    def search(
        self,
        *,
        query: str,
        filters: SearchFilters | None = None,
        kind: str = PRODUCT,
        order: str = ORDER_RELEVANCE,
        offset: int = 0,
        limit: int = 24,
        facets: bool = True,
        today: datetime.date | None = None,
    ) -> SearchResults: ...

    def suggest(
        self, *, prefix: str, limit: int = 8, today: datetime.date | None = None
    ) -> list[Suggestion]: ...

    def product_ids(
        self,
        *,
        query: str,
        filters: SearchFilters | None = None,
        today: datetime.date | None = None,
        ranked: bool = True,
    ) -> Any:
        """Ids of the products matching ``query`` (every word; best first when ``ranked``),
        any certificate status unless ``filters`` say otherwise: a queryset of ids where the
        backend can (so a caller can use it in ``pk__in=`` and count without fetching), else
        a list."""

    def product_relevance(self, *, query: str, today: datetime.date | None = None) -> Any:
        """How well each product matches ``query``, as an expression to annotate a product
        queryset with (over its ``pk``; higher is better, 0 without a match), ranked as
        ``search()`` ranks text: lists filtered with ``product_ids`` sort on it (the registry
        lookup), so they rank as ``/tim-kiem/`` does."""

    def health(self) -> IndexHealth: ...


@cache
def _backend(name: str) -> SearchBackend:
    paths = settings.SEARCH_BACKENDS
    if name not in paths:
        raise ValueError(
            f"SEARCH_BACKEND={name!r} is not one of {', '.join(sorted(paths))} (settings)."
        )
    return import_string(paths[name])()


def search_backend(name: str | None = None) -> SearchBackend:
    """The backend ``name`` (by default the one ``SEARCH_BACKEND`` chooses), one per process."""
    return _backend(name or settings.SEARCH_BACKEND)


# --- change notices -------------------------------------------------------------------------

ChangeListener = Callable[[type[Model], list[int]], None]
_listeners: list[ChangeListener] = []


def search_listener_register(listener: ChangeListener) -> None:
    """Called by the ``search`` app when it is ready; a listener is registered once."""
    if listener not in _listeners:
        _listeners.append(listener)


def search_rows_changed(model: type[Model], ids: Iterable[int | None]) -> None:
    """Rows of ``model`` with these ids were created, changed or are about to be deleted, in the
    current transaction. Call it after the write, inside the same transaction, so the search
    documents are rewritten with it and roll back with it."""
    wanted = sorted({pk for pk in ids if pk is not None})
    if not wanted:
        return
    for listener in _listeners:
        listener(model, wanted)
