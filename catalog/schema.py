"""GraphQL types of the OCOP registry: products, certificates and their scoring records.

Constant SQL. Every entry point (the ``products`` connection, ``Business.products``,
``product``, ``certificate``, ``node``) shapes its queryset from what the query selected: joins
(``select_related``) for to-one relations and one ``prefetch_related`` query per to-many relation
(variants, the certificate in force, all certificates, evaluation history, part scores, chosen
options). A page of 1 or 100 products therefore costs the same number of queries, and a relation
nobody selected costs nothing. Resolvers read the prefetched data and fall back to a selector only
when a product is reached some other way.

Scores (totals, part scores, criterion points) are Floats rounded to two decimals: they are
measurements a client charts and compares, not money.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable

import graphene
from django.core.files.storage import default_storage
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from graphene.types.argument import to_arguments
from graphene_django import DjangoObjectType

from catalog.content import (
    product_content_update,
    product_photo_add,
    product_photo_remove,
    product_photo_reorder,
    product_variant_add,
    product_variant_remove,
    product_variant_update,
)
from catalog.models import (
    Certificate,
    CertificateStatus,
    Criterion,
    CriterionGroup,
    CriterionOption,
    Evaluation,
    EvaluationChoice,
    EvaluationLevel,
    EvaluationPart,
    Product,
    ProductCategory,
    ProductPhoto,
    ProductSet,
    ProductVariant,
    RevocationGround,
    VolumeUnit,
)
from catalog.selectors import (
    certificates_in_force,
    evaluation_history,
    product_list,
    products_certified_count,
)
from core.graphql.connections import ConnectionField, CountableConnection
from core.graphql.errors import ErrorCode, api_error
from core.graphql.relay import Node, from_global_id_or_error
from core.graphql.selection import Tree, connection_node_tree, selection_tree
from core.graphql.types import add_fields, enum_from_choices, score
from sellers.errors import SellerError
from sellers.schema import (
    BusinessType,
    SellerMutation,
    business_related,
    id_or_error,
    own_object,
)

CertificateStatusEnum = enum_from_choices(
    "CertificateStatus", CertificateStatus, "A certificate's status as it stands today."
)
RevocationGroundEnum = enum_from_choices(
    "RevocationGround", RevocationGround, "Grounds for revocation (Decision 26/2026, Art. 8)."
)
EvaluationLevelEnum = enum_from_choices(
    "EvaluationLevel", EvaluationLevel, "Which council scored the product."
)
VolumeUnitEnum = enum_from_choices("VolumeUnit", VolumeUnit, "The unit of a pack's net quantity.")


class ProductOrdering(graphene.Enum):
    """How ``products`` are sorted. Ties are broken by name, then by ID, so pages are stable."""

    NAME = "name"
    STARS = "stars"
    NEWEST = "newest"
    SCORE = "score"

    @property
    def description(self):
        return {
            ProductOrdering.NAME: "Alphabetically, ignoring diacritics.",
            ProductOrdering.STARS: "Most stars first.",
            ProductOrdering.NEWEST: "Most recently recognised first.",
            ProductOrdering.SCORE: "Highest evaluation score first.",
        }.get(self)


# Attributes the prefetches below store their lists in.
CURRENT_CERTIFICATES = "current_certificates"  # same name as catalog.selectors uses
PHOTOS = "graphql_photos"
ALL_CERTIFICATES = "graphql_certificates"
EVALUATION_HISTORY = "graphql_evaluations"

_DECISION_FIELDS = {"decisionNumber", "decisionDate", "issuer", "sourceUrl"}


# --- queryset shaping -------------------------------------------------------------------------
# Each function turns the selection under one type into lookups relative to ``prefix``: joins
# continue the prefix, prefetches start a fresh queryset shaped by the same functions.


class Lookups:
    def __init__(self):
        self.related: list[str] = []
        self.prefetch: list = []
        self.deferred: list[str] = []

    def extend(self, other: Lookups) -> Lookups:
        self.related += other.related
        self.prefetch += other.prefetch
        self.deferred += other.deferred
        return self

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.related:
            queryset = queryset.select_related(*self.related)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        if self.deferred:
            queryset = queryset.defer(*self.deferred)
        return queryset


# Columns no GraphQL field reads. Loading them is most of the cost of building a page of rows
# (timestamps are parsed into aware datetimes one by one), so lists leave them out.
PRODUCT_UNREAD = ("name_folded", "created_at", "updated_at")
BUSINESS_UNREAD = (
    "name_folded",
    "representative",
    "phone",
    "email",
    "terms_accepted_at",
    "created_at",
    "updated_at",
)
# Read only when selected: long texts.
PRODUCT_TEXTS = {"description": "description", "story": "story", "productCode": "product_code"}


def product_list_deferred(tree: Tree) -> list[str]:
    """What a list of products (holder joined when selected) need not load for ``tree``."""
    deferred = [*PRODUCT_UNREAD]
    deferred += [column for name, column in PRODUCT_TEXTS.items() if name not in tree]
    if "holder" in tree:
        deferred += [f"holder__{column}" for column in BUSINESS_UNREAD]
    return deferred


# --- extension points -----------------------------------------------------------------------------
# marketplace sells catalog products, so it adds ``Product.offers`` and offer filters on
# ``products``. The dependency points from marketplace to catalog, never back: marketplace
# registers its pieces here (before the root schema is built) instead of catalog importing it.

ProductLookupExtension = Callable[[Tree, str], Lookups]
_product_lookup_extensions: list[ProductLookupExtension] = []
_products_filter_extensions: list[tuple[frozenset[str], Callable[..., QuerySet]]] = []


def extend_product_lookups(extension: ProductLookupExtension) -> None:
    """Shape product querysets for fields a higher package added to ``Product``:
    ``extension(tree, prefix)`` returns the lookups for what ``tree`` selected."""
    _product_lookup_extensions.append(extension)


def extend_products_filters(
    *, arguments: dict[str, graphene.Argument], apply: Callable[..., QuerySet]
) -> None:
    """Add arguments to the ``products`` connection; ``apply(queryset, **values)`` narrows the
    product queryset by them (it receives exactly the arguments declared here)."""
    Query._meta.fields["products"].args.update(to_arguments(arguments))
    _products_filter_extensions.append((frozenset(arguments), apply))


ProductPageLoader = Callable[[list[Product], Tree], None]
_product_page_loaders: dict[str, ProductPageLoader] = {}


def extend_product_page_loader(*, field: str, loader: ProductPageLoader) -> None:
    """Load ``field`` for a whole page of a products connection once the page is fetched:
    ``loader(products, tree)`` gets the page's products and what was selected under ``field``.

    A prefetch only knows the rows of the level above it; a page loader knows the page's
    product ids, which lets one query go straight to what it needs (``Product.offers``: the
    offers of these products, without first loading their packs)."""
    _product_page_loaders[field] = loader


def _without_page_loaded(tree: Tree) -> Tree:
    return {name: sub for name, sub in tree.items() if name not in _product_page_loaders}


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
    """A products connection: after the page is fetched, the page loaders run for what the
    query selected on its nodes."""

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
        connection = super().connection_resolver(
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
        tree = connection_node_tree(info)
        products = [edge.node for edge in connection.edges]
        for field, loader in _product_page_loaders.items():
            if field in tree and products:
                loader(products, tree[field])
        return connection


def product_lookups(tree: Tree, prefix: str = "") -> Lookups:
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
    for extension in _product_lookup_extensions:
        lookups.extend(extension(tree, prefix))
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
            Prefetch(f"{prefix}parts", queryset=EvaluationPart.objects.select_related("part"))
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


# --- rulebook and scoring record ----------------------------------------------------------------


class ProductCategoryType(DjangoObjectType):
    """One of the six product groups of a criteria framework."""

    class Meta:
        model = ProductCategory
        name = "ProductCategory"
        fields = ("code", "name", "name_en", "slug")


class ProductSetType(DjangoObjectType):
    """A bộ sản phẩm: each has its own score sheet."""

    category = graphene.Field(ProductCategoryType, required=True)

    class Meta:
        model = ProductSet
        name = "ProductSet"
        fields = ("number", "name", "name_en", "slug", "category")


class CriterionGroupType(DjangoObjectType):
    part = graphene.String(required=True, description="The part (A, B or C) it belongs to.")
    max_points = graphene.Float(required=True)

    class Meta:
        model = CriterionGroup
        name = "CriterionGroup"
        fields = ("code", "name", "max_points")

    @staticmethod
    def resolve_part(root, info):
        return root.part.code

    @staticmethod
    def resolve_max_points(root, info):
        return score(root.max_points)


class CriterionType(DjangoObjectType):
    max_points = graphene.Float(required=True)

    class Meta:
        model = Criterion
        name = "Criterion"
        fields = ("code", "name", "max_points")

    @staticmethod
    def resolve_max_points(root, info):
        return score(root.max_points)


class CriterionOptionType(DjangoObjectType):
    points = graphene.Float(required=True)
    min_star = graphene.Int(
        description="The star this option is the minimum for: scoring below it caps the result."
    )

    class Meta:
        model = CriterionOption
        name = "CriterionOption"
        fields = ("points", "label", "min_star")

    @staticmethod
    def resolve_points(root, info):
        return score(root.points)


class CriterionScore(graphene.ObjectType):
    """The option a council chose for one criterion of the score sheet."""

    group = graphene.Field(CriterionGroupType, required=True)
    criterion = graphene.Field(CriterionType, required=True)
    option = graphene.Field(CriterionOptionType, required=True)

    @staticmethod
    def resolve_group(root: EvaluationChoice, info):
        return root.criterion.group


class PartScore(graphene.ObjectType):
    """A part's score: A (product & community), B (marketing), C (quality)."""

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    max_score = graphene.Float(required=True)
    score = graphene.Float(required=True)

    @staticmethod
    def resolve_code(root: EvaluationPart, info):
        return root.part.code

    @staticmethod
    def resolve_name(root: EvaluationPart, info):
        return root.part.name

    @staticmethod
    def resolve_max_score(root: EvaluationPart, info):
        return score(root.part.max_points)

    @staticmethod
    def resolve_score(root: EvaluationPart, info):
        return score(root.score)


class StarCap(graphene.ObjectType):
    """A minimum requirement the product missed, which held its stars below its score band."""

    criterion = graphene.String(required=True, description="The criterion's code.")
    criterion_name = graphene.String(required=True)
    min_star = graphene.Int(required=True, description="The star the missed option is needed for.")
    capped_to = graphene.Int(required=True)
    required_points = graphene.Float()
    chosen_points = graphene.Float()

    @staticmethod
    def resolve_required_points(root: dict, info):
        return score(root.get("required_points"))

    @staticmethod
    def resolve_chosen_points(root: dict, info):
        return score(root.get("chosen_points"))


class EvaluationType(DjangoObjectType):
    """A scoring record: the council's average total and the stars it yields, and why."""

    framework = graphene.String(
        required=True, description="The criteria framework's code, e.g. QD26-2026."
    )
    framework_name = graphene.String(required=True)
    level = graphene.Field(EvaluationLevelEnum, required=True)
    product_set = graphene.Field(ProductSetType)
    member_totals = graphene.List(
        graphene.NonNull(graphene.Float),
        required=True,
        description="Each council member's total, when the record gives them.",
    )
    total_score = graphene.Float(required=True, description="The average total, out of 100.")
    band_stars = graphene.Int(required=True, description="Stars by score band alone.")
    stars = graphene.Int(required=True, description="Stars after minimum-requirement caps.")
    caps_applied = graphene.List(graphene.NonNull(StarCap), required=True)
    parts = graphene.List(graphene.NonNull(PartScore), required=True)
    criteria = graphene.List(
        graphene.NonNull(CriterionScore),
        required=True,
        description="The chosen option per criterion, where the score sheet is known.",
    )
    source_url = graphene.String(description="The provincial decision document.")
    decision_number = graphene.String()
    certificate = graphene.Field(lambda: CertificateType)
    product = graphene.Field(lambda: ProductType, required=True)

    class Meta:
        model = Evaluation
        name = "Evaluation"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("id", "council", "evaluated_on", "is_demo")

    @classmethod
    def get_node(cls, info, id):
        tree = selection_tree(info, as_type=cls._meta.name)
        return evaluation_lookups(tree).apply(Evaluation.objects.filter(pk=id)).first()

    @staticmethod
    def resolve_framework(root, info):
        return root.framework.code

    @staticmethod
    def resolve_framework_name(root, info):
        return root.framework.name

    @staticmethod
    def resolve_member_totals(root, info):
        return [score(value) for value in root.member_totals or ()]

    @staticmethod
    def resolve_total_score(root, info):
        return score(root.total_score)

    @staticmethod
    def resolve_caps_applied(root, info):
        return root.caps_applied or []

    @staticmethod
    def resolve_parts(root, info):
        return root.parts.all()

    @staticmethod
    def resolve_criteria(root, info):
        return root.choices.all()

    @staticmethod
    def resolve_source_url(root, info):
        if root.source_url:
            return root.source_url
        return root.decision.source_url if root.decision_id else None

    @staticmethod
    def resolve_decision_number(root, info):
        return root.decision.number if root.decision_id else None

    @staticmethod
    def resolve_certificate(root, info):
        try:
            return root.certificate
        except Certificate.DoesNotExist:
            return None


def request_today(info) -> datetime.date:
    """Today's date, looked up once per request: a page has a hundred certificates, and every
    status on it is as of the same day."""
    context = info.context
    today = getattr(context, "_ocop_today", None)
    if today is None:
        today = timezone.localdate()
        with contextlib.suppress(AttributeError):
            context._ocop_today = today
    return today


class CertificateType(DjangoObjectType):
    """An OCOP recognition (★3–★5), valid 36 months from its decision."""

    status = graphene.Field(
        CertificateStatusEnum,
        required=True,
        description="As of today: an active certificate past its validity reads EXPIRED.",
    )
    revocation_ground = graphene.Field(RevocationGroundEnum)
    decision_number = graphene.String(required=True)
    decision_date = graphene.Date(required=True)
    issuer = graphene.String(required=True)
    source_url = graphene.String(description="The recognition decision document.")
    product = graphene.Field(lambda: ProductType, required=True)
    evaluation = graphene.Field(EvaluationType, required=True)

    class Meta:
        model = Certificate
        name = "Certificate"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("id", "number", "stars", "valid_from", "valid_until", "is_demo")

    @classmethod
    def get_node(cls, info, id):
        tree = selection_tree(info, as_type=cls._meta.name)
        return certificate_lookups(tree).apply(Certificate.objects.filter(pk=id)).first()

    @staticmethod
    def resolve_status(root, info):
        # status_on may return a TextChoices member; the GraphQL enum maps plain values.
        return _enum_value(root.status_on(request_today(info)))

    @staticmethod
    def resolve_revocation_ground(root, info):
        return root.revocation_ground or None

    @staticmethod
    def resolve_decision_number(root, info):
        return root.decision.number

    @staticmethod
    def resolve_decision_date(root, info):
        return root.decision.date

    @staticmethod
    def resolve_issuer(root, info):
        return root.decision.issuer

    @staticmethod
    def resolve_source_url(root, info):
        return root.decision.source_url or None


# --- products -----------------------------------------------------------------------------------


class ProductVariantType(DjangoObjectType):
    """A pack of a product: "Hũ 500 g", "Chai 650 ml"."""

    net_quantity = graphene.Float()
    unit = graphene.Field(VolumeUnitEnum)
    gtin = graphene.String(description="GTIN-8/12/13/14, when the pack has one.")

    class Meta:
        model = ProductVariant
        name = "ProductVariant"
        # A node so offers and content mutations can name a pack by a typed ID.
        interfaces = (Node,)
        convert_choices_to_enum = False
        fields = ("id", "name", "net_quantity", "unit", "gtin")

    @classmethod
    def get_node(cls, info, id):
        return ProductVariant.objects.filter(pk=id).first()

    @staticmethod
    def resolve_net_quantity(root, info):
        return float(root.net_quantity) if root.net_quantity is not None else None

    @staticmethod
    def resolve_unit(root, info):
        return root.unit or None

    @staticmethod
    def resolve_gtin(root, info):
        return root.gtin or None


class PhotoRendition(graphene.ObjectType):
    """A narrower copy of a photo, for ``srcset``."""

    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    url = graphene.String(required=True)

    @staticmethod
    def resolve_url(root: dict, info):
        return default_storage.url(root["name"])


class ProductPhotoType(DjangoObjectType):
    """A product photo, re-encoded on upload (no EXIF); the first is the main photo."""

    url = graphene.String(required=True, description="The stored photo (at most 2048 px wide).")
    renditions = graphene.List(
        graphene.NonNull(PhotoRendition), required=True, description="Narrowest first."
    )

    class Meta:
        model = ProductPhoto
        name = "ProductPhoto"
        interfaces = (Node,)
        fields = ("id", "width", "height", "alt_text", "position")

    @classmethod
    def get_node(cls, info, id):
        return ProductPhoto.objects.filter(pk=id).first()

    @staticmethod
    def resolve_url(root, info):
        return root.image.url

    @staticmethod
    def resolve_renditions(root, info):
        return [r for r in root.renditions or () if r.get("name")]


class ProductType(DjangoObjectType):
    """A sản phẩm OCOP and its recognition."""

    product_code = graphene.String(description="The registry's product code, when known.")
    product_set = graphene.Field(ProductSetType)
    holder = graphene.Field(BusinessType, required=True)
    variants = graphene.List(graphene.NonNull(ProductVariantType), required=True)
    photos = graphene.List(
        graphene.NonNull(ProductPhotoType), required=True, description="The main photo first."
    )
    current_certificate = graphene.Field(
        CertificateType, description="The certificate in force today, or null."
    )
    certificates = graphene.List(
        graphene.NonNull(CertificateType),
        required=True,
        description="Every certificate, newest first (expired, revoked and superseded too).",
    )
    evaluations = graphene.List(
        graphene.NonNull(EvaluationType),
        required=True,
        description="Scoring history, newest first.",
    )

    class Meta:
        model = Product
        name = "Product"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = ("id", "name", "slug", "is_demo", "description", "story")

    @classmethod
    def get_node(cls, info, id):
        tree = selection_tree(info, as_type=cls._meta.name)
        return product_lookups(tree).apply(Product.objects.filter(pk=id)).first()

    @staticmethod
    def resolve_product_code(root, info):
        return root.product_code or None

    @staticmethod
    def resolve_variants(root, info):
        return root.variants.all()

    @staticmethod
    def resolve_photos(root, info):
        prefetched = getattr(root, PHOTOS, None)
        if prefetched is not None:
            return prefetched
        return root.photos.order_by("position", "id")

    @staticmethod
    def resolve_current_certificate(root, info):
        prefetched = getattr(root, CURRENT_CERTIFICATES, None)
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return certificates_in_force().filter(product=root).select_related("decision").first()

    @staticmethod
    def resolve_certificates(root, info):
        prefetched = getattr(root, ALL_CERTIFICATES, None)
        if prefetched is not None:
            return prefetched
        return root.certificates.select_related("decision").order_by("-valid_from", "-id")

    @staticmethod
    def resolve_evaluations(root, info):
        prefetched = getattr(root, EVALUATION_HISTORY, None)
        if prefetched is not None:
            return prefetched
        return evaluation_history(product=root)


def _enum_value(member):
    """Graphene 3 passes enum arguments as enum members; selectors take the plain value."""
    return getattr(member, "value", member)


def _product_connection_queryset(info, ordering, **filters) -> QuerySet[Product]:
    """For a ``ProductConnectionField``: fields with a page loader are not prefetched, and
    columns nobody selected are not loaded."""
    queryset = products_ordered(product_list(**filters), _enum_value(ordering))
    tree = connection_node_tree(info)
    lookups = product_lookups(_without_page_loaded(tree))
    lookups.deferred += product_list_deferred(tree)
    return lookups.apply(queryset)


def _business_products(root, info, ordering=ProductOrdering.NAME, **_pagination):
    """``Business.products``: the business's products with a certificate in force."""
    return _product_connection_queryset(info, ordering).filter(holder=root)


# catalog may know sellers, not the other way round: the business's products are added here.
add_fields(
    BusinessType,
    products=ProductConnectionField(
        ProductType,
        ordering=ProductOrdering(default_value=ProductOrdering.NAME),
        description="The business's products with a certificate in force.",
    ),
    resolve_products=_business_products,
)


class Query(graphene.ObjectType):
    products = ProductConnectionField(
        ProductType,
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
    )
    product = graphene.Field(
        ProductType,
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
    def resolve_products(
        root,
        info,
        text="",
        province="",
        stars=None,
        product_set=None,
        category="",
        certificate_status=None,
        ordering=ProductOrdering.NAME,
        **arguments,
    ):
        if stars is not None and not 3 <= stars <= 5:
            raise api_error(
                _("Only ★3–★5 products are recognised; `stars` must be 3, 4 or 5."),
                ErrorCode.OUT_OF_RANGE,
            )
        queryset = _product_connection_queryset(
            info,
            ordering,
            text=text or "",
            province_slug=province or "",
            stars=stars,
            product_set=product_set,
            category_slug=category or "",
            certificate_status=_enum_value(certificate_status) or "",
        )
        # Arguments other packages added (see ``extend_products_filters``); the rest of
        # ``arguments`` is pagination, which the connection field applies.
        narrowed = bool(text or province or stars or product_set or category or certificate_status)
        for names, apply in _products_filter_extensions:
            filtered = apply(queryset, **{name: arguments.get(name) for name in names})
            narrowed = narrowed or filtered is not queryset
            queryset = filtered
        if not narrowed:
            return CountedProducts(queryset, products_certified_count())
        return queryset

    @staticmethod
    def resolve_product(root, info, id=None, slug=None):
        if (id is None) == (slug is None):
            raise api_error(_("Give either `id` or `slug`."), ErrorCode.REQUIRED)
        if id is not None:
            return ProductType.get_node(info, from_global_id_or_error(id, ProductType))
        tree = selection_tree(info)
        return product_lookups(tree).apply(Product.objects.filter(slug=slug.strip())).first()

    @staticmethod
    def resolve_certificate(root, info, number):
        tree = selection_tree(info)
        queryset = Certificate.objects.filter(number=number.strip())
        return certificate_lookups(tree).apply(queryset).first()


# --- product content (the holder's owners and managers; see ``catalog.content``) --------------


class Upload(graphene.Scalar):
    """A file sent as a part of a multipart request (GraphQL multipart request spec): the
    variable is ``null`` in ``operations`` and ``map`` names the part that fills it."""

    @staticmethod
    def serialize(value):
        return None

    @staticmethod
    def parse_value(value):
        return value

    @staticmethod
    def parse_literal(node, _variables=None):
        # A file cannot be written inside the query text.
        return None


def _holder_product(info, product_id) -> Product:
    return own_object(
        info, Product.objects.all(), product_id, ProductType, through="holder", field="product"
    )


def _holder_variant(info, variant_id) -> ProductVariant:
    return own_object(
        info,
        ProductVariant.objects.all(),
        variant_id,
        ProductVariantType,
        through="product__holder",
        field="variant",
    )


class VariantFields:
    name = graphene.String(required=True, description='The pack, e.g. "Hũ 500 g".')
    net_quantity = graphene.Decimal(description="Net weight or volume, in ``unit``.")
    unit = VolumeUnitEnum()
    gtin = graphene.String(description="GTIN-8/12/13/14 from the label, if any.")
    sku = graphene.String()


def _variant_values(data: dict) -> dict:
    return {
        "name": data["name"],
        "net_quantity": data.get("net_quantity"),
        "unit": _enum_value(data.get("unit")) or "",
        "gtin": data.get("gtin") or "",
        "sku": data.get("sku") or "",
    }


class ProductContentUpdate(SellerMutation):
    """Replace the description and/or story (sanitised HTML; plain text becomes paragraphs)."""

    class Arguments:
        product = graphene.ID(required=True)
        description = graphene.String(description="Left out: unchanged.")
        story = graphene.String(description="Left out: unchanged.")

    product = graphene.Field(ProductType)

    @classmethod
    def perform_mutation(cls, root, info, product, description=None, story=None):
        product = product_content_update(
            actor=info.context.user,
            product=_holder_product(info, product),
            description=description,
            story=story,
        )
        return cls(product=product)


class ProductVariantAdd(SellerMutation):
    class Arguments(VariantFields):
        product = graphene.ID(required=True)

    variant = graphene.Field(ProductVariantType)

    @classmethod
    def perform_mutation(cls, root, info, product, **data):
        variant = product_variant_add(
            actor=info.context.user,
            product=_holder_product(info, product),
            **_variant_values(data),
        )
        return cls(variant=variant)


class ProductVariantUpdate(SellerMutation):
    """Replace a pack's details (every field is sent; a left-out one is cleared)."""

    class Arguments(VariantFields):
        variant = graphene.ID(required=True)

    variant = graphene.Field(ProductVariantType)

    @classmethod
    def perform_mutation(cls, root, info, variant, **data):
        variant = product_variant_update(
            actor=info.context.user,
            variant=_holder_variant(info, variant),
            **_variant_values(data),
        )
        return cls(variant=variant)


class ProductVariantRemove(SellerMutation):
    class Arguments:
        variant = graphene.ID(required=True)

    removed_id = graphene.ID()

    @classmethod
    def perform_mutation(cls, root, info, variant):
        global_id = variant
        product_variant_remove(actor=info.context.user, variant=_holder_variant(info, variant))
        return cls(removed_id=global_id)


class ProductPhotoUpload(SellerMutation):
    """Add a photo (JPEG, PNG or WebP) as the product's last one. Send it as a multipart
    request: ``operations`` with ``"image": null``, ``map`` ``{"0": ["variables.image"]}``."""

    class Arguments:
        product = graphene.ID(required=True)
        image = Upload(required=True)
        alt_text = graphene.String(description="What the photo shows, for screen readers.")

    photo = graphene.Field(ProductPhotoType)

    @classmethod
    def perform_mutation(cls, root, info, product, image, alt_text=""):
        product = _holder_product(info, product)
        if image is None or not hasattr(image, "read"):
            raise SellerError(
                _("Attach the photo as a file part of a multipart request."),
                code="required",
                field="image",
            )
        photo = product_photo_add(
            actor=info.context.user, product=product, upload=image, alt_text=alt_text or ""
        )
        return cls(photo=photo)


class ProductPhotoRemove(SellerMutation):
    class Arguments:
        photo = graphene.ID(required=True)

    removed_id = graphene.ID()

    @classmethod
    def perform_mutation(cls, root, info, photo):
        global_id = photo
        photo = own_object(
            info,
            ProductPhoto.objects.all(),
            photo,
            ProductPhotoType,
            through="product__holder",
            field="photo",
        )
        product_photo_remove(actor=info.context.user, photo=photo)
        return cls(removed_id=global_id)


class ProductPhotoReorder(SellerMutation):
    """Put every photo of the product in this order; the first becomes the main photo."""

    class Arguments:
        product = graphene.ID(required=True)
        photos = graphene.List(graphene.NonNull(graphene.ID), required=True)

    photos = graphene.List(graphene.NonNull(ProductPhotoType))

    @classmethod
    def perform_mutation(cls, root, info, product, photos):
        product = _holder_product(info, product)
        photo_ids = [id_or_error(photo, ProductPhotoType, field="photos") for photo in photos]
        ordered = product_photo_reorder(
            actor=info.context.user, product=product, photo_ids=photo_ids
        )
        return cls(photos=ordered)


class Mutation(graphene.ObjectType):
    product_content_update = ProductContentUpdate.Field()
    product_variant_add = ProductVariantAdd.Field()
    product_variant_update = ProductVariantUpdate.Field()
    product_variant_remove = ProductVariantRemove.Field()
    product_photo_upload = ProductPhotoUpload.Field()
    product_photo_remove = ProductPhotoRemove.Field()
    product_photo_reorder = ProductPhotoReorder.Field()
