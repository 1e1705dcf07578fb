"""Selection → queryset for the registry's types, and the products connection.

Each function turns the selection under one type into ``Lookups`` relative to ``prefix``: joins
continue the prefix, prefetches start a fresh queryset shaped by the same functions. A product is
shaped by the schema's ``Product`` (``product_lookups``), so the fields packages above added to
it (``Product.offers``) are shaped wherever a product is reached.
"""

from __future__ import annotations

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from catalog.graphql.enums import ProductOrdering
from catalog.models import (
    Certificate,
    Evaluation,
    EvaluationChoice,
    EvaluationPart,
    Product,
    ProductPhoto,
)
from catalog.selectors import certificates_in_force, product_list
from core.graphql.connections import ConnectionField
from core.graphql.selection import Lookups, Tree, connection_node_tree
from core.graphql.types import enum_value, model_type
from sellers.graphql.shaping import BUSINESS_UNREAD, business_related

# Attributes the prefetches below store their lists in.
CURRENT_CERTIFICATES = "current_certificates"  # same name as catalog.selectors uses
PHOTOS = "graphql_photos"
ALL_CERTIFICATES = "graphql_certificates"
EVALUATION_HISTORY = "graphql_evaluations"
EVALUATION_PARTS = "graphql_parts"

_DECISION_FIELDS = {"decisionNumber", "decisionDate", "issuer", "sourceUrl"}

# Columns no GraphQL field reads (see ``BUSINESS_UNREAD``).
PRODUCT_UNREAD = ("name_folded", "created_at", "updated_at")
# Read only when selected: long texts.
PRODUCT_TEXTS = {"description": "description", "story": "story", "productCode": "product_code"}


def product_list_deferred(tree: Tree) -> list[str]:
    """What a list of products (holder joined when selected) need not load for ``tree``."""
    deferred = [*PRODUCT_UNREAD]
    deferred += [column for name, column in PRODUCT_TEXTS.items() if name not in tree]
    if "holder" in tree:
        deferred += [f"holder__{column}" for column in BUSINESS_UNREAD]
    return deferred


def product_lookups(tree: Tree, prefix: str = "", *, page_loaded: bool = False) -> Lookups:
    """Lookups for a product's selection, the fields packages above added included.

    ``page_loaded``: the caller is a products connection, which loads some fields for the whole
    page once it is fetched (``ProductType.load_page``); those are left out here.
    """
    return model_type(Product).lookups(tree, prefix, page_loaded=page_loaded)


def catalog_product_lookups(tree: Tree, prefix: str = "") -> Lookups:
    """Lookups for the fields catalog declares on ``Product``."""
    lookups = Lookups()
    if "holder" in tree:
        lookups.related.append(f"{prefix}holder")
        lookups.related += business_related(tree["holder"], f"{prefix}holder__")
    if "productSet" in tree:
        lookups.related.append(f"{prefix}product_set__category")
    if "variants" in tree:
        lookups.prefetch.append(f"{prefix}variants")
    if "photos" in tree:
        lookups.prefetch.append(
            Prefetch(
                f"{prefix}photos",
                queryset=ProductPhoto.objects.order_by("position", "id"),
                to_attr=PHOTOS,
            )
        )
    if "currentCertificate" in tree:
        lookups.prefetch.append(
            Prefetch(
                f"{prefix}certificates",
                queryset=certificate_lookups(tree["currentCertificate"]).apply(
                    certificates_in_force()
                ),
                to_attr=CURRENT_CERTIFICATES,
            )
        )
    if "certificates" in tree:
        lookups.prefetch.append(
            Prefetch(
                f"{prefix}certificates",
                queryset=certificate_lookups(tree["certificates"]).apply(
                    Certificate.objects.order_by("-valid_from", "-id")
                ),
                to_attr=ALL_CERTIFICATES,
            )
        )
    if "evaluations" in tree:
        lookups.prefetch.append(
            Prefetch(
                f"{prefix}evaluations",
                queryset=evaluation_lookups(tree["evaluations"]).apply(
                    Evaluation.objects.order_by("-evaluated_on", "-id")
                ),
                to_attr=EVALUATION_HISTORY,
            )
        )
    return lookups


def certificate_lookups(tree: Tree, prefix: str = "") -> Lookups:
    lookups = Lookups()
    if _DECISION_FIELDS & tree.keys():
        lookups.related.append(f"{prefix}decision")
    if "product" in tree:
        lookups.related.append(f"{prefix}product")
        lookups.extend(product_lookups(tree["product"], f"{prefix}product__"))
    if "evaluation" in tree:
        lookups.related.append(f"{prefix}evaluation")
        lookups.extend(evaluation_lookups(tree["evaluation"], f"{prefix}evaluation__"))
    return lookups


def evaluation_lookups(tree: Tree, prefix: str = "") -> Lookups:
    lookups = Lookups()
    if {"framework", "frameworkName"} & tree.keys():
        lookups.related.append(f"{prefix}framework")
    if {"sourceUrl", "decisionNumber"} & tree.keys():
        lookups.related.append(f"{prefix}decision")
    if "productSet" in tree:
        lookups.related.append(f"{prefix}product_set__category")
    if "product" in tree:
        lookups.related.append(f"{prefix}product")
        lookups.extend(product_lookups(tree["product"], f"{prefix}product__"))
    if "certificate" in tree:
        lookups.related.append(f"{prefix}certificate")
        lookups.extend(certificate_lookups(tree["certificate"], f"{prefix}certificate__"))
    if "parts" in tree:
        lookups.prefetch.append(
            Prefetch(
                f"{prefix}parts",
                queryset=EvaluationPart.objects.select_related("part"),
                to_attr=EVALUATION_PARTS,
            )
        )
    if "criteria" in tree:
        lookups.prefetch.append(
            Prefetch(
                f"{prefix}choices",
                queryset=EvaluationChoice.objects.select_related(
                    "criterion__group__part", "option"
                ),
            )
        )
    return lookups


def products_ordered(queryset: QuerySet[Product], ordering: str) -> QuerySet[Product]:
    """Order a ``catalog.selectors.product_list`` queryset.

    Stars, score and recognition date come from the certificate in force, or from the latest
    certificate when the list is filtered by another status (expired, revoked…).
    """
    if ordering == ProductOrdering.NAME.value:
        return queryset.order_by("name_folded", "name", "id")
    column = {
        ProductOrdering.STARS.value: "stars",
        ProductOrdering.NEWEST.value: "valid_from",
        ProductOrdering.SCORE.value: "evaluation__total_score",
    }[ordering]
    # The certificate in force is joined (``product_list``). The latest certificate exists only
    # under a status filter, and is then looked up for products without one in force, which
    # COALESCE never evaluates for the others.
    sort_key = F(f"certificate_in_force__{column}")
    if "latest_certificate_id" in queryset.query.annotations:
        latest = Certificate.objects.filter(pk=OuterRef("latest_certificate_id"))
        sort_key = Coalesce(sort_key, Subquery(latest.values(column)[:1]))
    queryset = queryset.annotate(sort_key=sort_key)
    tie_break = ("-id",) if ordering == ProductOrdering.NEWEST.value else ("name_folded", "id")
    return queryset.order_by(F("sort_key").desc(nulls_last=True), *tie_break)


# --- the products connection ---------------------------------------------------------------------


class CountedProducts:
    """A products queryset whose length is already known. graphene-django counts a QuerySet
    with ``count()`` but takes ``len()`` of anything else, and only ever slices it: the whole
    certified catalogue is counted on its certificates (``products_certified_count``) instead
    of joining every product to them."""

    def __init__(self, queryset: QuerySet[Product], length: int):
        self.queryset = queryset
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        return self.queryset[index]


class ProductConnectionField(ConnectionField):
    """A products connection: after the page is fetched, the schema's ``Product`` loads what it
    loads per page (``load_page``) for what the query selected on the nodes.

    A prefetch only knows the rows of the level above it; a page loader knows the page's
    product ids, which lets one query go straight to what it needs (``Product.offers``: the
    offers of these products, without first loading their packs)."""

    @classmethod
    def connection_resolver(
        cls,
        resolver,
        connection,
        default_manager,
        queryset_resolver,
        max_limit,
        enforce_first_or_last,
        root,
        info,
        **args,
    ):
        page = super().connection_resolver(
            resolver,
            connection,
            default_manager,
            queryset_resolver,
            max_limit,
            enforce_first_or_last,
            root,
            info,
            **args,
        )
        products = [edge.node for edge in page.edges]
        if products:
            connection._meta.node.load_page(products, connection_node_tree(info))
        return page


def product_connection_queryset(info, ordering, **filters) -> QuerySet[Product]:
    """For a ``ProductConnectionField``: ``catalog.selectors.product_list(**filters)`` ordered,
    shaped for the selection (fields loaded per page left out), and without the columns nobody
    selected."""
    queryset = products_ordered(product_list(**filters), enum_value(ordering))
    tree = connection_node_tree(info)
    lookups = product_lookups(tree, page_loaded=True)
    lookups.deferred += product_list_deferred(tree)
    return lookups.apply(queryset)


def products_for_page(ids: list[int], tree: Tree) -> dict[int, Product]:
    """Products ``ids`` shaped for what ``tree`` selects on each, fields loaded per page
    included, in a fixed number of queries: for a field of a package above (search results)
    that returns a page of products by id."""
    queryset = product_lookups(tree, page_loaded=True).apply(Product.objects.filter(pk__in=ids))
    products = {product.pk: product for product in queryset}
    page = [products[pk] for pk in ids if pk in products]
    if page:
        model_type(Product).load_page(page, tree)
    return products
