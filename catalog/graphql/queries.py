"""Root query fields of the registry: ``products``, ``product``, ``certificate``.

``products`` is built by ``products_field``: catalog's own filters, plus the ``ProductsFilter``s
of packages above (marketplace's offer filters), which ``api.schema`` passes when it declares
the root field.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import graphene
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from graphene.types.argument import to_arguments

from catalog.graphql.enums import CertificateStatusEnum, ProductOrdering
from catalog.graphql.shaping import (
    CountedProducts,
    ProductConnectionField,
    certificate_lookups,
    product_connection_queryset,
    product_lookups,
)
from catalog.graphql.types import CertificateType, ProductType
from catalog.models import Certificate, Product
from catalog.rules import stars_recognised
from catalog.selectors import products_certified_count
from core.graphql.errors import ErrorCode, api_error
from core.graphql.relay import from_global_id_or_error
from core.graphql.selection import selection_tree
from core.graphql.types import enum_value, lazy_model_type, model_type


@dataclass(frozen=True)
class ProductsFilter:
    """Arguments a package above catalog adds to ``products``, and how they narrow it.

    ``apply(queryset, **values)`` receives exactly the declared arguments (None when left out)
    and returns the narrowed queryset — the same object when none of them was given.
    """

    arguments: dict[str, graphene.Argument]
    apply: Callable[..., QuerySet[Product]]


def resolve_products(
    root,
    info,
    *,
    filters: tuple[ProductsFilter, ...] = (),
    text="",
    province="",
    stars=None,
    product_set=None,
    category="",
    certificate_status=None,
    ordering=ProductOrdering.NAME,
    **arguments,
):
    if stars is not None and not stars_recognised(stars):
        raise api_error(
            _("Only ★3–★5 products are recognised; `stars` must be 3, 4 or 5."),
            ErrorCode.OUT_OF_RANGE,
        )
    queryset = product_connection_queryset(
        info,
        ordering,
        text=text or "",
        province_slug=province or "",
        stars=stars,
        product_set=product_set,
        category_slug=category or "",
        certificate_status=enum_value(certificate_status) or "",
    )
    # The filters' arguments; the rest of ``arguments`` is pagination, which the connection
    # field applies.
    narrowed = bool(text or province or stars or product_set or category or certificate_status)
    for extra in filters:
        filtered = extra.apply(queryset, **{name: arguments.get(name) for name in extra.arguments})
        narrowed = narrowed or filtered is not queryset
        queryset = filtered
    if not narrowed:
        return CountedProducts(queryset, products_certified_count())
    return queryset


def products_field(*filters: ProductsFilter) -> ProductConnectionField:
    """The ``products`` root field, narrowed also by ``filters``."""
    field = ProductConnectionField(
        lazy_model_type(Product),
        text=graphene.String(description="Words of the name or producer; diacritics optional."),
        province=graphene.String(description="The producer's current province, by slug."),
        stars=graphene.Int(description="Stars of the certificate in force (3, 4 or 5)."),
        product_set=graphene.Int(description="The product set (bộ sản phẩm) number, 1–26."),
        category=graphene.String(description="The product category, by slug."),
        certificate_status=graphene.Argument(
            CertificateStatusEnum,
            description=(
                "Products whose latest certificate has this status. Left out, only products "
                "with a certificate in force are listed."
            ),
        ),
        ordering=ProductOrdering(default_value=ProductOrdering.NAME),
        description="Certified products.",
        resolver=functools.partial(resolve_products, filters=filters),
    )
    # After the pagination arguments the connection field has just added.
    for extra in filters:
        field.args.update(to_arguments(extra.arguments))
    return field


class Query(graphene.ObjectType):
    # Catalog's filters only; ``api.schema`` declares it again with the filters of the packages
    # above.
    products = products_field()
    product = graphene.Field(
        lazy_model_type(Product),
        id=graphene.ID(description="A Product ID."),
        slug=graphene.String(),
        description="One product by ID or slug, whatever its certificate's status.",
    )
    certificate = graphene.Field(
        CertificateType,
        number=graphene.String(required=True),
        description="A certificate by its number, whatever its status.",
    )

    @staticmethod
    def resolve_product(root, info, id=None, slug=None):
        if (id is None) == (slug is None):
            raise api_error(_("Give either `id` or `slug`."), ErrorCode.REQUIRED)
        if id is not None:
            return model_type(Product).get_node(info, from_global_id_or_error(id, ProductType))
        tree = selection_tree(info)
        return product_lookups(tree).apply(Product.objects.filter(slug=slug.strip())).first()

    @staticmethod
    def resolve_certificate(root, info, number):
        tree = selection_tree(info)
        queryset = Certificate.objects.filter(number=number.strip())
        return certificate_lookups(tree).apply(queryset).first()
