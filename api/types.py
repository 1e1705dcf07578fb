"""The schema's types that packages above their owner extend, composed explicitly.

A package may not import the packages above it, so a field that a higher package contributes to
a lower package's type (``Product.offers``, ``Business.products``, ``Business.offers``) is
declared by the higher package as a mixin in its ``graphql/extensions.py`` — the field, its
resolver and, when it needs one, its queryset shaping (cooperative ``lookups``/``load_page``
class methods that call ``super()``) — and composed here, where both are visible. The owner
declares the base type with ``skip_registry``, so graphene-django's registry holds only the
composition, and everything that names the type does so lazily with
``core.graphql.types.lazy_model_type(Model)``.

Field order is the order of the bases read from right to left: the owner's fields first, then
each extension's, in the order of the packages up the chain.
"""

from __future__ import annotations

from catalog.graphql.extensions import BusinessProducts
from catalog.graphql.types import ProductMeta, ProductType
from marketplace.offers.graphql.extensions import BusinessOffers, ProductOffers
from marketplace.places.graphql.extensions import ProductPointsOfSale
from sellers.graphql.types import BusinessMeta, BusinessType


class Product(ProductPointsOfSale, ProductOffers, ProductType):
    __doc__ = ProductType.__doc__

    class Meta(ProductMeta):
        pass


class Business(BusinessOffers, BusinessProducts, BusinessType):
    __doc__ = BusinessType.__doc__

    class Meta(BusinessMeta):
        pass


COMPOSED = (Product, Business)
