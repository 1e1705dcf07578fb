"""The root GraphQL schema: every package's queries and mutations, and the composed types.

Add a package by importing its ``Query`` (and ``Mutation``) and listing it below, after the
packages it builds on. Graphene collects fields from the last base to the first, so the schema
shows the last base's fields first (traceability's lead today). Two packages declaring the same
root field would make the schema build refuse it — except ``products``, declared again here on
purpose: catalog owns it, and the packages above narrow it with their ``ProductsFilter``s.
"""

import graphene
from django.core.exceptions import ImproperlyConfigured

from api.types import COMPOSED
from catalog.graphql.mutations import Mutation as CatalogMutation
from catalog.graphql.queries import Query as CatalogQuery
from catalog.graphql.queries import products_field
from core.graphql.relay import Node
from marketplace.fairs.graphql.mutations import Mutation as FairsMutation
from marketplace.fairs.graphql.queries import Query as FairsQuery
from marketplace.offers.graphql.extensions import PRODUCTS_BY_OFFERS
from marketplace.offers.graphql.mutations import Mutation as OffersMutation
from marketplace.offers.graphql.queries import Query as OffersQuery
from marketplace.orders.graphql.mutations import CheckoutMutation, FulfilmentMutation
from marketplace.orders.graphql.queries import Query as OrdersQuery
from marketplace.payments.graphql.mutations import Mutation as PaymentsMutation
from marketplace.places.graphql.mutations import Mutation as PlacesMutation
from marketplace.places.graphql.queries import Query as PlacesQuery
from search.graphql.queries import PRODUCTS_BY_SEARCH
from search.graphql.queries import Query as SearchQuery
from sellers.graphql.mutations import Mutation as SellersMutation
from sellers.graphql.queries import Query as SellersQuery
from traceability.graphql.mutations import Mutation as TraceabilityMutation
from traceability.graphql.queries import Query as TraceabilityQuery


class Query(
    CatalogQuery,
    SellersQuery,
    OffersQuery,
    PlacesQuery,
    OrdersQuery,
    TraceabilityQuery,
    FairsQuery,
    SearchQuery,
    graphene.ObjectType,
):
    products = products_field(PRODUCTS_BY_OFFERS, PRODUCTS_BY_SEARCH)
    node = Node.Field(description="Any object by its global ID.")


class Mutation(
    CatalogMutation,
    SellersMutation,
    OffersMutation,
    PlacesMutation,
    FulfilmentMutation,
    PaymentsMutation,
    CheckoutMutation,
    TraceabilityMutation,
    FairsMutation,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)

# Every reference to a composed type is lazy; make sure each resolved to its composition.
for composed in COMPOSED:
    if schema.graphql_schema.get_type(composed._meta.name).graphene_type is not composed:
        raise ImproperlyConfigured(f"The schema's {composed._meta.name} is not api.types'.")
