"""What catalog adds to a type of a package below it: ``Business.products``.

sellers cannot import catalog, so the field is declared here, as a mixin, and ``api.types``
composes the schema's ``Business`` from sellers' ``BusinessType`` and this.
"""

from __future__ import annotations

from catalog.graphql.enums import ProductOrdering
from catalog.graphql.shaping import ProductConnectionField, product_connection_queryset
from catalog.models import Product
from core.graphql.types import lazy_model_type


class BusinessProducts:
    """``Business.products``: the business's products with a certificate in force."""

    products = ProductConnectionField(
        lazy_model_type(Product),
        ordering=ProductOrdering(default_value=ProductOrdering.NAME),
        description="The business's products with a certificate in force.",
    )

    @staticmethod
    def resolve_products(root, info, ordering=ProductOrdering.NAME, **_pagination):
        return product_connection_queryset(info, ordering).filter(holder=root)
