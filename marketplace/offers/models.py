"""Offers and stock. Visibility is a rule over several tables (certificate in force, seller
active, resale authorised), so it lives in ``selectors.offers_visible``, never in a flag."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Whole đồng. Below 1.000 ₫ is a typo, above 1 tỷ ₫ is a typo too (the dearest OCOP goods,
# ornamental plants and fine handicrafts, stay well below).
PRICE_MIN = 1_000
PRICE_MAX = 1_000_000_000


class StockLocationKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("Warehouse")
    POINT_OF_SALE = "point_of_sale", _("Point of sale")
    BOOTH = "booth", _("Fair booth")


class StockLocation(models.Model):
    business = models.ForeignKey(
        "sellers.Business",
        on_delete=models.CASCADE,
        related_name="stock_locations",
        verbose_name=_("business"),
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=StockLocationKind.choices,
        default=StockLocationKind.WAREHOUSE,
    )
    province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    commune = models.CharField(_("commune / ward"), max_length=255, blank=True)
    street = models.CharField(_("street address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A location used for some days only (a fair booth): its stock sells, and it takes pickups,
    # from ``available_from`` to ``available_until`` (both included). Empty: no limit. The rule
    # lives in ``selectors.stock_locations_usable`` / ``stock_location_usable``.
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)

    class Meta:
        ordering = ["business", "name"]
        constraints = [
            models.UniqueConstraint(fields=["business", "name"], name="unique_location_name"),
            models.CheckConstraint(
                condition=models.Q(available_from__isnull=True)
                | models.Q(available_until__isnull=True)
                | models.Q(available_until__gte=models.F("available_from")),
                name="location_window_in_order",
            ),
        ]
        verbose_name = _("stock location")
        verbose_name_plural = _("stock locations")

    def __str__(self) -> str:
        return self.name


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    PAUSED = "paused", _("Paused")


class Offer(models.Model):
    """A seller's sale of one catalog variant. Stars are never stored here: they come from the
    product's certificate."""

    seller = models.ForeignKey(
        "sellers.Business",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("seller"),
    )
    variant = models.ForeignKey(
        "catalog.ProductVariant",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("variant"),
    )
    price = models.BigIntegerField(
        _("price (₫)"), validators=[MinValueValidator(PRICE_MIN), MaxValueValidator(PRICE_MAX)]
    )
    compare_at_price = models.BigIntegerField(
        _("compare-at price (₫)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(PRICE_MIN), MaxValueValidator(PRICE_MAX)],
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OfferStatus.choices,
        default=OfferStatus.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["price", "id"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "variant"], name="unique_offer_per_variant"),
            models.CheckConstraint(
                condition=models.Q(price__gte=PRICE_MIN, price__lte=PRICE_MAX),
                name="offer_price_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(compare_at_price__isnull=True)
                | models.Q(compare_at_price__gt=models.F("price")),
                name="offer_compare_at_above_price",
            ),
        ]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return f"{self.variant} @ {self.seller}"


class Stock(models.Model):
    """Units of an offer at one location. Changed only by services that lock rows in id order."""

    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="stocks", verbose_name=_("offer")
    )
    location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, related_name="stocks", verbose_name=_("location")
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=0)

    class Meta:
        ordering = ["offer", "location"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "location"], name="unique_stock_row"),
        ]
        verbose_name = _("stock")
        verbose_name_plural = _("stock")

    def __str__(self) -> str:
        return f"{self.offer} × {self.quantity} @ {self.location}"


class ResaleAuthorization(models.Model):
    """The holder's permission for another business (an OCOP centre, a distributor) to sell one
    of its products. Revoking ends it; the row is kept as history."""

    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.CASCADE,
        related_name="resale_authorizations",
        verbose_name=_("product"),
    )
    reseller = models.ForeignKey(
        "sellers.Business",
        on_delete=models.CASCADE,
        related_name="resale_authorizations",
        verbose_name=_("reseller"),
    )
    granted_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "reseller"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_resale_authorization",
            )
        ]
        verbose_name = _("resale authorisation")
        verbose_name_plural = _("resale authorisations")

    def __str__(self) -> str:
        return f"{self.reseller} ⇐ {self.product}"
