"""GraphQL types of the OCOP registry: the rulebook pieces a scoring record shows, evaluations,
certificates, packs, photos and products.

``ProductType`` is the base of the schema's ``Product``: ``api.types`` composes it with the
fields packages above add (``Product.offers``). Refer to it with ``lazy_model_type(Product)``.
"""

from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from catalog.graphql.enums import (
    CertificateStatusEnum,
    EvaluationLevelEnum,
    RevocationGroundEnum,
    VolumeUnitEnum,
)
from catalog.graphql.shaping import (
    ALL_CERTIFICATES,
    CURRENT_CERTIFICATES,
    EVALUATION_HISTORY,
    EVALUATION_PARTS,
    PHOTOS,
    catalog_product_lookups,
    certificate_lookups,
    evaluation_lookups,
)
from catalog.models import (
    Certificate,
    Criterion,
    CriterionGroup,
    CriterionOption,
    Evaluation,
    EvaluationChoice,
    EvaluationPart,
    Product,
    ProductCategory,
    ProductPhoto,
    ProductSet,
    ProductVariant,
)
from catalog.selectors import certificates_in_force, evaluation_history
from core.graphql.connections import CountableConnection
from core.graphql.relay import Node
from core.graphql.selection import Lookups, Tree, selection_tree
from core.graphql.types import enum_value, lazy_model_type, request_today, score
from core.media import media_url
from sellers.models import Business

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
    provisional = graphene.Boolean(
        required=True,
        description="A result from a sheet with criteria left unscored: never recognised.",
    )
    missing_criteria = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="The codes of the criteria a provisional sheet left unscored.",
    )
    source_url = graphene.String(description="The provincial decision document.")
    decision_number = graphene.String()
    certificate = graphene.Field(lambda: CertificateType)
    product = graphene.Field(lazy_model_type(Product), required=True)

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
    def resolve_missing_criteria(root, info):
        return root.missing_criteria or []

    @staticmethod
    def resolve_parts(root, info):
        # A list, not ``root.parts.all()``: a manager and a queryset per evaluation cost more
        # than the rest of its fields.
        prefetched = getattr(root, EVALUATION_PARTS, None)
        if prefetched is not None:
            return prefetched
        return root.parts.select_related("part")

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


class Revocation(graphene.ObjectType):
    """The decision that revoked a certificate (26/2026 Art. 8)."""

    ground = graphene.Field(RevocationGroundEnum, required=True)
    decision_number = graphene.String(description="Empty for revocations recorded before 2026-12.")
    decision_date = graphene.Date()
    authority = graphene.String(
        description="Who decided: the provincial chair for ★3–★4, the minister for ★5."
    )

    @staticmethod
    def resolve_ground(root, info):
        return root.revocation_ground

    @staticmethod
    def resolve_decision_number(root, info):
        return root.revocation_decision_number or None

    @staticmethod
    def resolve_decision_date(root, info):
        return root.revocation_decision_date

    @staticmethod
    def resolve_authority(root, info):
        return root.revoking_authority or None


class CertificateType(DjangoObjectType):
    """An OCOP recognition (★3–★5), valid 36 months from its decision."""

    status = graphene.Field(
        CertificateStatusEnum,
        required=True,
        description="As of today: an active certificate past its validity reads EXPIRED.",
    )
    revocation_ground = graphene.Field(RevocationGroundEnum)
    revocation = graphene.Field(Revocation, description="Set when the certificate was revoked.")
    decision_number = graphene.String(required=True)
    decision_date = graphene.Date(required=True)
    issuer = graphene.String(required=True)
    source_url = graphene.String(description="The recognition decision document.")
    product = graphene.Field(lazy_model_type(Product), required=True)
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
        return enum_value(root.status_on(request_today(info)))

    @staticmethod
    def resolve_revocation_ground(root, info):
        return root.revocation_ground or None

    @staticmethod
    def resolve_revocation(root, info):
        return root if root.revocation_ground else None

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
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    url = graphene.String(required=True)

    @staticmethod
    def resolve_url(root: dict, info):
        return media_url(root["name"])


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
        name = root.image.name
        return media_url(name) if name else root.image.url  # no file: ``image.url`` raises

    @staticmethod
    def resolve_renditions(root, info):
        return [r for r in root.renditions or () if r.get("name")]


class ProductMeta:
    """The options of ``Product``, shared by the base and its composition in ``api.types``."""

    model = Product
    name = "Product"
    interfaces = (Node,)
    connection_class = CountableConnection
    fields = ("id", "name", "slug", "is_demo", "description", "story")


class ProductType(DjangoObjectType):
    """A sản phẩm OCOP and its recognition."""

    product_code = graphene.String(description="The registry's product code, when known.")
    product_set = graphene.Field(ProductSetType)
    holder = graphene.Field(lazy_model_type(Business), required=True)
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

    class Meta(ProductMeta):
        skip_registry = True  # the schema's Product is composed in api.types

    @classmethod
    def get_node(cls, info, id):
        tree = selection_tree(info, as_type=cls._meta.name)
        return cls.lookups(tree).apply(Product.objects.filter(pk=id)).first()

    # Extensions (``api.types``) override these cooperatively: each calls ``super()`` and adds
    # what its own fields need.

    @classmethod
    def lookups(cls, tree: Tree, prefix: str = "", *, page_loaded: bool = False) -> Lookups:
        """What a queryset of products must join and prefetch for ``tree``; with
        ``page_loaded``, leave out what ``load_page`` loads."""
        return catalog_product_lookups(tree, prefix)

    @classmethod
    def load_page(cls, products: list[Product], tree: Tree) -> None:
        """Load what is loaded per page for a page of a products connection, once fetched."""

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
