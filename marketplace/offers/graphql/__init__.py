"""GraphQL of offers, stock and resale authorisations.

``types``, ``shaping`` (selection → queryset), ``queries``, ``mutations`` and ``extensions``:
what offers add to the types of packages below (``Product.offers``, ``Business.offers``, the
offer filters of ``products``), composed into the schema by ``api``.

Public reads only ever see *visible* offers (``offers_visible``: published, active seller,
certificate in force, holder or authorised reseller): ``Product.offers``, ``Business.offers``,
``offer(id)``. A seller's own offers in any state are read through ``myOffers``, scoped to the
businesses the request acts for (its memberships, narrowed to the token's business for an API
token). Mutations look their objects up the same way and call one service each; the services
check the role again (owners and managers run offers, prices, locations and resale; staff set
stock).

Constant SQL. On a products connection ``Product.offers`` is loaded once the page is fetched:
the visible offers of the page's products with the seller joined and the stock summed, one
query whatever the page size. Elsewhere (a product reached through an offer or a certificate)
it is prefetched through the product's packs, two queries. Connections of offers shape their
queryset from the selection the same way.
"""
