"""The root GraphQL schema: each package owns its types and mutations, assembled here.

Add a package by importing its ``Query`` (and ``Mutation``) and listing it below; the order only
matters if two packages declare the same root field, which the schema build then refuses.

``marketplace.offers.schema`` also adds fields to catalog's and sellers' types (``Product.offers``,
``Business.offers``, the offer filters of ``products``); importing it here, before the schema is
built, is what registers them.

traceability sits above marketplace in the package chain; the root schema is the one place that
assembles every package's schema, so importing traceability's here is the exception that builds
the API, not a dependency of marketplace's domain code on traceability.
"""

import graphene

from catalog.schema import Mutation as CatalogMutation
from catalog.schema import Query as CatalogQuery
from core.graphql.relay import Node
from marketplace.offers.schema import Mutation as OffersMutation
from marketplace.offers.schema import Query as OffersQuery
from marketplace.orders.schema import Mutation as OrdersMutation
from marketplace.orders.schema import Query as OrdersQuery
from sellers.schema import Mutation as SellersMutation
from sellers.schema import Query as SellersQuery
from traceability.schema import Mutation as TraceabilityMutation
from traceability.schema import Query as TraceabilityQuery

QUERIES = (CatalogQuery, SellersQuery, OffersQuery, OrdersQuery, TraceabilityQuery)
MUTATIONS: tuple[type[graphene.ObjectType], ...] = (
    CatalogMutation,
    SellersMutation,
    OffersMutation,
    OrdersMutation,
    TraceabilityMutation,
)


class Query(*QUERIES, graphene.ObjectType):
    node = Node.Field(description="Any object by its global ID.")


Mutation = type("Mutation", (*MUTATIONS, graphene.ObjectType), {}) if MUTATIONS else None

schema = graphene.Schema(query=Query, mutation=Mutation)
