from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalType(models.TextChoices):
    COOPERATIVE = "cooperative", _("Cooperative (HTX)")
    COOPERATIVE_GROUP = "cooperative_group", _("Cooperative group (tổ hợp tác)")
    ENTERPRISE = "enterprise", _("Enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise (DNTN)")
    HOUSEHOLD = "household", _("Household business")
    PRODUCTION_FACILITY = "production_facility", _("Production facility")
    ASSOCIATION = "association", _("Association")
    OTHER = "other", _("Other")


class SellerStatus(models.TextChoices):
    UNCLAIMED = "unclaimed", _("Unclaimed")
    CLAIMED = "claimed", _("Claimed, awaiting verification")
    VERIFIED = "verified", _("Verified")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Business(models.Model):
    """A chủ thể OCOP: the cooperative, enterprise or household that holds products and sells.

    Created by the registry import (unclaimed) or by an applicant. The address is kept twice: the
    current province (34 since 1 July 2025) used for filtering, and the address exactly as the
    source gave it, which often names a pre-2025 province and district.
    """

    name = models.CharField(_("name"), max_length=255)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
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
