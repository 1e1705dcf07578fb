import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.text import fold, slugify_vi

# The seller workspace lives at /seller/<business slug>/, beside its own routes /seller/apply/,
# /seller/claim/… and /seller/invitations/…: a business with one of these slugs would be
# unreachable.
BUSINESS_SLUG_RESERVED = frozenset({"apply", "claim", "invitations"})


def validate_business_slug(value: str) -> None:
    if value in BUSINESS_SLUG_RESERVED:
        raise ValidationError(
            _("“%(slug)s” is reserved for the site's own pages; choose another slug."),
            code="reserved",
            params={"slug": value},
        )


def business_slug_base(name: str) -> str:
    """The slug a new business starts from (before "-2", "-3"… on collision)."""
    base = slugify_vi(name) or "chu-the"
    return f"{base}-chu-the" if base in BUSINESS_SLUG_RESERVED else base


class LegalType(models.TextChoices):
    COOPERATIVE = "cooperative", _("Cooperative (HTX)")
    COOPERATIVE_GROUP = "cooperative_group", _("Cooperative group (tổ hợp tác)")
    ENTERPRISE = "enterprise", _("Enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise (DNTN)")
    HOUSEHOLD = "household", _("Household business")
    PRODUCTION_FACILITY = "production_facility", _("Production facility")
    ASSOCIATION = "association", _("Association")
    OTHER = "other", _("Other")


# The legal type a producer's name announces, by its first words (folded); the first match wins,
# so longer prefixes come before the shorter ones they start with.
LEGAL_TYPE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("hop tac xa", LegalType.COOPERATIVE),
    ("htx", LegalType.COOPERATIVE),
    ("to hop tac", LegalType.COOPERATIVE_GROUP),
    ("tht", LegalType.COOPERATIVE_GROUP),
    ("doanh nghiep tu nhan", LegalType.PRIVATE_ENTERPRISE),
    ("dntn", LegalType.PRIVATE_ENTERPRISE),
    ("cong ty", LegalType.ENTERPRISE),
    ("cty", LegalType.ENTERPRISE),
    ("ctcp", LegalType.ENTERPRISE),
    ("ct cp", LegalType.ENTERPRISE),
    ("ct tnhh", LegalType.ENTERPRISE),
    ("doanh nghiep", LegalType.ENTERPRISE),
    ("ho kinh doanh", LegalType.HOUSEHOLD),
    ("hkd", LegalType.HOUSEHOLD),
    ("ho san xuat", LegalType.HOUSEHOLD),
    ("co so", LegalType.PRODUCTION_FACILITY),
    ("hiep hoi", LegalType.ASSOCIATION),
    ("hoi", LegalType.ASSOCIATION),
)
_WORDS = re.compile(r"[a-z0-9]+")


def legal_type_from_name(name: str) -> str:
    """The legal type a Vietnamese business name announces ("HTX …", "Công ty CP …", "DNTN-…",
    "Tổ hợp tác …"), else ``OTHER``. Whole words: "Hội …" is an association, "Hồ …" is not."""
    words = _WORDS.findall(fold(name))
    for prefix, legal_type in LEGAL_TYPE_PREFIXES:
        wanted = prefix.split()
        if words[: len(wanted)] == wanted:
            return legal_type
    return LegalType.OTHER


class SellerStatus(models.TextChoices):
    UNCLAIMED = "unclaimed", _("Unclaimed")
    CLAIMED = "claimed", _("Claimed, awaiting verification")
    VERIFIED = "verified", _("Verified")
    ACTIVE = "active", pgettext_lazy("seller status", "Active")
    SUSPENDED = "suspended", _("Suspended")


class SellerType(models.TextChoices):
    """What kind of seller a business is on the marketplace (the storefront filters on it)."""

    PRODUCER = "producer", _("Producer")
    OCOP_CENTRE = "ocop_centre", _("OCOP centre")
    DISTRIBUTOR = "distributor", _("Distributor")
    POINT_OF_SALE = "point_of_sale", _("Point of sale")


class Business(models.Model):
    """A chủ thể OCOP: the cooperative, enterprise or household that holds products and sells.

    Created by the registry import (unclaimed) or by an applicant. The address is kept twice: the
    current province (34 since 1 July 2025) used for filtering, and the address exactly as the
    source gave it, which often names a pre-2025 province and district.
    """

    name = models.CharField(_("name"), max_length=255)
    name_folded = models.CharField(
        _("name without diacritics"), max_length=255, db_index=True, editable=False
    )
    slug = models.SlugField(
        _("slug"), max_length=220, unique=True, validators=[validate_business_slug]
    )
    legal_type = models.CharField(
        _("legal type"), max_length=32, choices=LegalType.choices, default=LegalType.OTHER
    )
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True, db_index=True)
    representative = models.CharField(_("representative"), max_length=255, blank=True)
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        related_name="businesses",
        verbose_name=_("province"),
    )
    commune = models.CharField(_("commune / ward"), max_length=255, blank=True)
    street = models.CharField(_("street address"), max_length=255, blank=True)
    legacy_province = models.ForeignKey(
        "core.LegacyProvince",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="businesses",
        verbose_name=_("province as given (pre-2025)"),
    )
    legacy_address = models.CharField(_("address as given"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    status = models.CharField(
        _("seller status"),
        max_length=16,
        choices=SellerStatus.choices,
        default=SellerStatus.UNCLAIMED,
        db_index=True,
    )
    seller_type = models.CharField(
        _("seller type"),
        max_length=16,
        choices=SellerType.choices,
        default=SellerType.PRODUCER,
        db_index=True,
    )
    terms_accepted_at = models.DateTimeField(_("seller terms accepted"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        indexes = [models.Index(fields=["province", "name_folded"])]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")


class Membership(models.Model):
    """A user's role in a business. Every seller-side lookup goes through these rows."""

    user = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("business")
    )
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["business", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "business"], name="unique_membership")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.business} ({self.get_role_display()})"


class Invitation(models.Model):
    """An owner's invitation by email; only a hash of the emailed token is stored."""

    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("business")
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.business}"


class ApplicationKind(models.TextChoices):
    CLAIM = "claim", _("Claim of a registry business")
    NEW = "new", _("New business")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SellerApplication(models.Model):
    """A user's claim of an imported business, or an application with a new one; staff review."""

    kind = models.CharField(_("kind"), max_length=8, choices=ApplicationKind.choices)
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="applications", verbose_name=_("business")
    )
    applicant = models.ForeignKey(
        "auth.User",
        on_delete=models.CASCADE,
        related_name="seller_applications",
        verbose_name=_("applicant"),
    )
    tax_code = models.CharField(_("tax code given"), max_length=14)
    contact_name = models.CharField(_("contact name"), max_length=255)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    evidence = models.TextField(_("registry details given"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    reviewed_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    # The language the application was sent in: the decision e-mail is written in it.
    language = models.CharField(_("language"), max_length=8, default="vi")
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open application per business at a time: staff review one claim, not a race.
            models.UniqueConstraint(
                fields=["business"],
                condition=models.Q(status="pending"),
                name="one_pending_application_per_business",
            )
        ]
        verbose_name = _("seller application")
        verbose_name_plural = _("seller applications")

    def __str__(self) -> str:
        return f"{self.business} ← {self.applicant} ({self.get_status_display()})"


class ApiToken(models.Model):
    """An integrator's token: acts as its creator, limited to one business. Stored hashed."""

    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("business")
    )
    user = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
