"""The OCOP registry.

The rulebook (frameworks, parts, star bands, categories, product sets, the criteria tree) is data:
weights differ per product set and per framework and change by decision, so none of them is
hard-coded in Python. Evaluations are scoring records; certificates are recognition decisions.
Statuses change only through ``catalog.services``.
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.rules import RECOGNISED_STARS, certificate_status_on
from catalog.validators import validate_gtin
from core.models import StoredImage


class EvaluationLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune pre-review")
    DISTRICT = "district", _("District council")
    PROVINCE = "province", _("Provincial council")
    CENTRAL = "central", _("Central council")


class Framework(models.Model):
    """A framework: the criteria of Decision 1048/QĐ-TTg 2019, 148/QĐ-TTg 2023 or 26/2026/QĐ-TTg,
    or a procedural decision (1489/QĐ-TTg 2025) that changes who rates and keeps the score
    sheets of another (``scores_with``). In force from ``in_force_from`` to ``in_force_until``
    (both inclusive); frameworks overlap while one replaces another."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=255)
    decision_number = models.CharField(_("decision number"), max_length=50)
    decision_date = models.DateField(_("decision date"))
    in_force_from = models.DateField(_("in force from"))
    in_force_until = models.DateField(_("in force until"), null=True, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("certificate validity (months)"), default=36
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    scores_with = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("score sheets of"),
        help_text=_("A procedural framework scores with another framework's sheets and bands."),
    )
    reevaluation_from_days = models.PositiveSmallIntegerField(
        _("re-evaluation dossiers from (days before expiry)")
    )
    reevaluation_until_days = models.PositiveSmallIntegerField(
        _("re-evaluation dossiers until (days before expiry)")
    )
    late_grace_days = models.PositiveSmallIntegerField(
        _("validity kept for a pending re-evaluation (days past expiry)"), null=True, blank=True
    )

    class Meta:
        ordering = ["in_force_from"]
        verbose_name = _("criteria framework")
        verbose_name_plural = _("criteria frameworks")

    def __str__(self) -> str:
        return self.name

    @property
    def scoring(self) -> "Framework":
        """The framework whose parts, bands and score sheets apply (itself, or ``scores_with``)."""
        return self.scores_with if self.scores_with_id else self


class FrameworkPart(models.Model):
    """Part A (product & community), B (marketing), C (quality) with its maximum."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="parts", verbose_name=_("framework")
    )
    code = models.CharField(_("code"), max_length=1)
    name = models.CharField(_("name"), max_length=255)
    max_points = models.PositiveSmallIntegerField(_("maximum points"))

    class Meta:
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_part_per_framework")
        ]
        verbose_name = _("framework part")
        verbose_name_plural = _("framework parts")

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class StarBand(models.Model):
    """Average total from ``min_score`` (inclusive) up to the next band yields ``stars``."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="star_bands", verbose_name=_("framework")
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    min_score = models.DecimalField(_("minimum score"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["framework", "-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "stars"], name="unique_band_per_framework")
        ]
        verbose_name = _("star band")
        verbose_name_plural = _("star bands")

    def __str__(self) -> str:
        return f"★{self.stars} ≥ {self.min_score}"


class StarGrant(models.Model):
    """Who may recognise ``stars`` under a framework: the level, the issuer of the decision
    (``{place}`` is the province's name) and who revokes it (26/2026 Art. 8)."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="grants", verbose_name=_("framework")
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"),
        validators=[
            MinValueValidator(RECOGNISED_STARS[0]),
            MaxValueValidator(RECOGNISED_STARS[-1]),
        ],
    )
    level = models.CharField(_("level"), max_length=16, choices=EvaluationLevel.choices)
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    revoking_authority = models.CharField(_("revoked by"), max_length=255)

    class Meta:
        ordering = ["framework", "stars", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "stars", "level"], name="unique_grant_per_framework"
            )
        ]
        verbose_name = _("star grant")
        verbose_name_plural = _("star grants")

    def __str__(self) -> str:
        return f"★{self.stars}: {self.get_level_display()}"


class ProductCategory(models.Model):
    """One of the six product groups (ngành/nhóm) of a framework."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="categories", verbose_name=_("framework")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    slug = models.SlugField(_("slug"), max_length=120)

    class Meta:
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_category_code"),
            models.UniqueConstraint(fields=["framework", "slug"], name="unique_category_slug"),
        ]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        return self.name


class ProductSet(models.Model):
    """A bộ sản phẩm: each has its own score sheet (26 under 148/2023 and 26/2026)."""

    framework = models.ForeignKey(
        Framework,
        on_delete=models.CASCADE,
        related_name="product_sets",
        verbose_name=_("framework"),
    )
    category = models.ForeignKey(
        ProductCategory,
        on_delete=models.PROTECT,
        related_name="product_sets",
        verbose_name=_("category"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    slug = models.SlugField(_("slug"), max_length=160)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="unique_product_set_number"
            ),
        ]
        verbose_name = _("product set")
        verbose_name_plural = _("product sets")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class CriterionGroup(models.Model):
    """A criterion group of one product set's score sheet, e.g. A.1 "Tổ chức sản xuất" (18)."""

    product_set = models.ForeignKey(
        ProductSet,
        on_delete=models.CASCADE,
        related_name="criterion_groups",
        verbose_name=_("product set"),
    )
    part = models.ForeignKey(
        FrameworkPart, on_delete=models.PROTECT, related_name="groups", verbose_name=_("part")
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=255)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["product_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["product_set", "code"], name="unique_group_per_set")
        ]
        verbose_name = _("criterion group")
        verbose_name_plural = _("criterion groups")

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Criterion(models.Model):
    group = models.ForeignKey(
        CriterionGroup, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("group")
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=255)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="unique_criterion_per_group")
        ]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class CriterionOption(models.Model):
    """An answer option; ``min_star`` marks it as the minimum a product needs for that star."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="options", verbose_name=_("criterion")
    )
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    label = models.CharField(_("label"), max_length=500)
    min_star = models.PositiveSmallIntegerField(
        _("minimum for star"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(RECOGNISED_STARS[0]),
            MaxValueValidator(RECOGNISED_STARS[-1]),
        ],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["criterion", "position"]
        verbose_name = _("criterion option")
        verbose_name_plural = _("criterion options")

    def __str__(self) -> str:
        return f"{self.points}: {self.label}"


class Product(models.Model):
    """A sản phẩm OCOP. The holder edits its content; resellers never do."""

    name = models.CharField(_("name"), max_length=255)
    name_folded = models.CharField(
        _("name without diacritics"), max_length=255, db_index=True, editable=False
    )
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    holder = models.ForeignKey(
        "sellers.Business",
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("holder"),
    )
    product_set = models.ForeignKey(
        ProductSet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("product set"),
    )
    product_code = models.CharField(_("product code"), max_length=40, blank=True, db_index=True)
    description = models.TextField(_("description"), blank=True)
    story = models.TextField(_("story"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["holder", "name_folded"])]

    def __str__(self) -> str:
        return self.name


class VolumeUnit(models.TextChoices):
    GRAM = "g", _("g")
    KILOGRAM = "kg", _("kg")
    MILLILITRE = "ml", _("ml")
    LITRE = "l", _("l")
    PIECE = "piece", _("piece")


class ProductVariant(models.Model):
    """A pack of a product: "Hũ 500 g", "Chai 650 ml"; GTIN optional (many OCOP goods have none)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants", verbose_name=_("product")
    )
    name = models.CharField(_("pack"), max_length=120)
    net_quantity = models.DecimalField(
        _("net quantity"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=8, choices=VolumeUnit.choices, blank=True)
    gtin = models.CharField(
        _("GTIN"), max_length=14, blank=True, validators=[validate_gtin], db_index=True
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["product", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["gtin"], condition=~models.Q(gtin=""), name="unique_variant_gtin"
            ),
            models.UniqueConstraint(fields=["product", "name"], name="unique_variant_name"),
        ]
        verbose_name = _("product variant")
        verbose_name_plural = _("product variants")

    def __str__(self) -> str:
        return f"{self.product.name} — {self.name}"


class Decision(models.Model):
    """A recognition decision (quyết định công nhận) as published by a province or ministry."""

    number = models.CharField(_("decision number"), max_length=60)
    date = models.DateField(_("decision date"))
    issuer = models.CharField(_("issuer"), max_length=255)
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ocop_decisions",
        verbose_name=_("province"),
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("framework")
    )
    source_url = models.URLField(_("source document"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["number", "date"], name="unique_decision_number_date")
        ]
        verbose_name = _("recognition decision")
        verbose_name_plural = _("recognition decisions")

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%d/%m/%Y})"


class Evaluation(models.Model):
    """A scoring record: the council's average total, the star it yields and why.

    History is kept: a re-evaluation or an upgrade adds a record, never edits one.
    """

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("product")
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("framework")
    )
    product_set = models.ForeignKey(
        ProductSet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluations",
        verbose_name=_("product set"),
    )
    level = models.CharField(_("level"), max_length=16, choices=EvaluationLevel.choices)
    council = models.CharField(_("council"), max_length=255, blank=True)
    evaluated_on = models.DateField(_("evaluated on"))
    member_totals = models.JSONField(_("council members' totals"), default=list, blank=True)
    total_score = models.DecimalField(_("average total"), max_digits=5, decimal_places=2)
    band_stars = models.PositiveSmallIntegerField(_("stars by score band"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    caps_applied = models.JSONField(_("minimum-requirement caps applied"), default=list, blank=True)
    # A sheet with criteria left unscored gives only a provisional result, never a certificate.
    provisional = models.BooleanField(_("provisional"), default=False)
    missing_criteria = models.JSONField(_("criteria not scored"), default=list, blank=True)
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluations",
        verbose_name=_("decision"),
    )
    source_url = models.URLField(_("source document"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-evaluated_on", "-id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.product} — {self.total_score} ({self.evaluated_on:%d/%m/%Y})"


class EvaluationPart(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="parts", verbose_name=_("evaluation")
    )
    part = models.ForeignKey(
        FrameworkPart, on_delete=models.PROTECT, related_name="+", verbose_name=_("part")
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("part score")
        verbose_name_plural = _("part scores")
        ordering = ["evaluation", "part__code"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "part"], name="unique_part_score")
        ]

    def __str__(self) -> str:
        return f"{self.part.code}: {self.score}"


class EvaluationChoice(models.Model):
    """The option the council chose for one criterion, when the score sheet is known."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="choices", verbose_name=_("evaluation")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    option = models.ForeignKey(
        CriterionOption, on_delete=models.PROTECT, related_name="+", verbose_name=_("option")
    )

    class Meta:
        verbose_name = _("chosen option")
        verbose_name_plural = _("chosen options")
        ordering = ["evaluation", "criterion__group__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="unique_choice")
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.option.points}"


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


class RevocationGround(models.TextChoices):
    """Decision 26/2026/QĐ-TTg, Article 8."""

    FALSE_DOSSIER = "false_dossier", _("False or forged dossier")
    NO_LONGER_MEETS_CRITERIA = (
        "no_longer_meets_criteria",
        _("No longer meets the criteria on inspection"),
    )
    LAW_VIOLATION = (
        "law_violation",
        _("Violation of quality, food-safety, environment, IP or labelling law"),
    )
    MARK_MISUSE = "mark_misuse", _("Misuse of the OCOP mark")
    STOPPED_PRODUCTION = "stopped_production", _("The producer stopped producing")
    AUTHORITY_CONCLUSION = "authority_conclusion", _("Another competent authority's conclusion")


class Certificate(models.Model):
    """A product's OCOP recognition at ★3–★5, valid for 36 months from the decision."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("product")
    )
    evaluation = models.OneToOneField(
        Evaluation,
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("evaluation"),
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("decision")
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"),
        validators=[
            MinValueValidator(RECOGNISED_STARS[0]),
            MaxValueValidator(RECOGNISED_STARS[-1]),
        ],
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CertificateStatus.choices,
        default=CertificateStatus.ACTIVE,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    revocation_ground = models.CharField(
        _("revocation ground"), max_length=32, choices=RevocationGround.choices, blank=True
    )
    revocation_note = models.TextField(_("revocation note"), blank=True)
    revocation_decision_number = models.CharField(
        _("revocation decision number"), max_length=60, blank=True
    )
    revocation_decision_date = models.DateField(
        _("revocation decision date"), null=True, blank=True
    )
    revoking_authority = models.CharField(_("revoked by (authority)"), max_length=255, blank=True)
    # 26/2026 Art. 12: a holder who filed for re-evaluation keeps the validity until the
    # decision, at most the framework's grace past expiry; ``kept_until`` is that last day.
    reevaluation_filed_on = models.DateField(_("re-evaluation filed on"), null=True, blank=True)
    kept_until = models.DateField(_("validity kept until"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=RECOGNISED_STARS[0], stars__lte=RECOGNISED_STARS[-1]),
                name="certificate_stars_3_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="certificate_validity_positive",
            ),
            # One certificate in force per product: supersession retires the old one first.
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(status="active"),
                name="one_active_certificate_per_product",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_until"])]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.number} ★{self.stars}"

    def status_on(self, day: datetime.date) -> str:
        """The status as it stood on ``day`` (``catalog.rules.certificate_status_on``): an
        active certificate past its date is expired even before the daily job has recorded it,
        and one revoked later was still active then."""
        return certificate_status_on(self, day)


class RegistryImport(models.Model):
    """One applied import of a recognition list: which file, what it wrote, who ran it.

    Only applied runs are recorded (a refused or dry run writes nothing, this row included);
    ``report`` keeps the full counts and the decisions touched.
    """

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    decisions = models.ManyToManyField(
        Decision, blank=True, related_name="imports", verbose_name=_("decisions")
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    certificates_created = models.PositiveIntegerField(_("certificates created"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged rows"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"


class ProductPhoto(StoredImage):
    """A product photo (``core.models.StoredImage``: the stored file and its renditions)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="photos", verbose_name=_("product")
    )
    # A drawing the demo loader made (catalog.demo.illustrations), not a photo of the product:
    # pages say so beside it, so nobody takes it for what the parcel will look like.
    is_illustration = models.BooleanField(_("generated illustration"), default=False)

    class Meta:
        ordering = ["product", "position", "id"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")


class ReminderKind(models.TextChoices):
    REEVALUATION = "reevaluation", _("re-evaluation due")
    EXPIRED = "expired", _("expired")


class CertificateReminder(models.Model):
    """That the holder of a certificate was told about it once (``catalog.reminders``): the row
    is written in the transaction that queues the e-mail, so the daily job never tells twice."""

    certificate = models.ForeignKey(
        Certificate,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("certificate"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    job = models.ForeignKey(
        "core.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mail job"),
    )
    sent_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind"], name="catalog_reminder_once_per_kind"
            )
        ]
        verbose_name = _("certificate reminder")
        verbose_name_plural = _("certificate reminders")

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind}"
