"""The root GraphQL schema: each package owns its types and mutations, assembled here.

Add a package by importing its ``Query`` (and ``Mutation``) and listing it below; the order only
matters if two packages declare the same root field, which the schema build then refuses.
"""

import graphene

from catalog.schema import Query as CatalogQuery
from core.graphql.relay import Node
from sellers.schema import Query as SellersQuery

QUERIES = (CatalogQuery, SellersQuery)
MUTATIONS: tuple[type[graphene.ObjectType], ...] = ()


class Query(*QUERIES, graphene.ObjectType):
    node = Node.Field(description="Any object by its global ID.")


Mutation = type("Mutation", (*MUTATIONS, graphene.ObjectType), {}) if MUTATIONS else None

schema = graphene.Schema(query=Query, mutation=Mutation)
