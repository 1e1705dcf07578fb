"""Root query fields of the sellers domain."""

from __future__ import annotations

import graphene

from core.graphql.relay import from_global_id_or_error
from core.graphql.types import lazy_model_type, model_type
from sellers.graphql.types import BusinessType, Me
from sellers.models import Business


class Query(graphene.ObjectType):
    business = graphene.Field(
        lazy_model_type(Business),
        id=graphene.ID(required=True, description="A Business ID."),
        description="A business by its ID, or null when there is none.",
    )
    me = graphene.Field(Me, description="Who is asking; null when anonymous.")

    @staticmethod
    def resolve_business(root, info, id):
        pk = from_global_id_or_error(id, BusinessType)
        return model_type(Business).get_node(info, pk)

    @staticmethod
    def resolve_me(root, info):
        user = getattr(info.context, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return user
