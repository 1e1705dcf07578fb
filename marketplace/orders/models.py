"""Cart, checkout and orders.

The cart is also the checkout (contact, address, delivery per seller): a buyer fills it in once
and one placement turns it into one order per seller. A placed cart is kept, completed, because
its orders and its payment point at it. Stock moves only through ``services``: reservations hold
units while a payment is under way, allocations record which stock row each ordered unit left,
so a cancellation puts it back exactly there.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PaymentMethod(models.TextChoices):
    STRIPE = "stripe", _("Card (Stripe)")
    VIETQR = "vietqr", _("Bank transfer (VietQR)")
    COD = "cod", _("Cash on delivery")


class CartStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", pgettext_lazy("cart", "Completed")


class DeliveryMethod(models.TextChoices):
    SHIPPING = "shipping", _("Delivery to an address")
    PICKUP = "pickup", _("Pickup")


class Cart(models.Model):
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carts",
        verbose_name=_("user"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CartStatus.choices, default=CartStatus.OPEN
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    recipient_name = models.CharField(_("recipient"), max_length=120, blank=True)
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    commune = models.CharField(_("commune / ward"), max_length=255, blank=True)
    street = models.CharField(_("street address"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            # One open cart per signed-in buyer: merging at sign-in relies on it.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="open", user__isnull=False),
                name="one_open_cart_per_user",
            )
        ]
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return str(self.token)


class CartLine(models.Model):
    cart = models.ForeignKey(
        Cart, on_delete=models.CASCADE, related_name="lines", verbose_name=_("cart")
    )
    offer = models.ForeignKey(
        "offers.Offer", on_delete=models.CASCADE, related_name="+", verbose_name=_("offer")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    # The price the buyer saw when adding: a change before checkout is shown, never hidden.
    unit_price = models.BigIntegerField(_("unit price (₫)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "offer"], name="one_line_per_offer"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cart_line_qty"),
        ]
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")

    def __str__(self) -> str:
        return f"{self.offer_id} × {self.quantity}"


class CartDelivery(models.Model):
    cart = models.ForeignKey(
        Cart, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("cart")
    )
    seller = models.ForeignKey(
        "sellers.Business", on_delete=models.CASCADE, related_name="+", verbose_name=_("seller")
    )
    method = models.CharField(
        _("delivery"),
        max_length=10,
        choices=DeliveryMethod.choices,
        default=DeliveryMethod.SHIPPING,
    )
    pickup_location = models.ForeignKey(
        "offers.StockLocation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pickup location"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cart", "seller"], name="one_delivery_per_seller")
        ]
        verbose_name = _("delivery choice")
        verbose_name_plural = _("delivery choices")

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.method}"


class SellerDeliveryRule(models.Model):
    """How a seller delivers. A seller without a rule ships at the marketplace default fee."""

    seller = models.OneToOneField(
        "sellers.Business",
        on_delete=models.CASCADE,
        related_name="delivery_rule",
        verbose_name=_("seller"),
    )
    ships = models.BooleanField(_("ships to addresses"), default=True)
    flat_fee = models.BigIntegerField(_("shipping fee (₫)"), default=30_000)
    free_above = models.BigIntegerField(
        _("free shipping from (₫)"),
        null=True,
        blank=True,
        help_text=_("Orders whose goods reach this amount ship free."),
    )
    pickup_enabled = models.BooleanField(_("pickup at my locations"), default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(flat_fee__gte=0), name="fee_not_negative"),
        ]
        verbose_name = _("delivery rule")
        verbose_name_plural = _("delivery rules")

    def __str__(self) -> str:
        return str(self.seller_id)


class Reservation(models.Model):
    """Units held for a cart while its payment is under way; ignored once ``expires_at`` passes."""

    cart = models.ForeignKey(
        Cart, on_delete=models.CASCADE, related_name="reservations", verbose_name=_("cart")
    )
    line = models.ForeignKey(
        CartLine, on_delete=models.CASCADE, related_name="reservations", verbose_name=_("line")
    )
    stock = models.ForeignKey("offers.Stock", on_delete=models.CASCADE, related_name="reservations")
    quantity = models.PositiveIntegerField(_("quantity"))
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")

    def __str__(self) -> str:
        return f"{self.stock_id} × {self.quantity}"


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    CONFIRMED = "confirmed", _("Confirmed")
    PROCESSING = "processing", _("Processing")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", pgettext_lazy("order", "Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class Order(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    cart = models.ForeignKey(
        Cart, on_delete=models.PROTECT, related_name="orders", verbose_name=_("checkout")
    )
    seller = models.ForeignKey(
        "sellers.Business",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("seller"),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("buyer"),
    )
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=15)
    recipient_name = models.CharField(_("recipient"), max_length=120)
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    commune = models.CharField(_("commune / ward"), max_length=255, blank=True)
    street = models.CharField(_("street address"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    delivery_method = models.CharField(_("delivery"), max_length=10, choices=DeliveryMethod.choices)
    pickup_location = models.ForeignKey(
        "offers.StockLocation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pickup location"),
    )
    # Pickup at a point of sale: the point, and what the buyer was told (its name and address
    # then), kept for history when the point is renamed, moves or goes.
    pickup_point = models.ForeignKey(
        "places.PointOfSale",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pickup point of sale"),
    )
    pickup_name = models.CharField(_("pickup place"), max_length=120, blank=True)
    pickup_address = models.CharField(_("pickup address"), max_length=800, blank=True)
    subtotal = models.BigIntegerField(_("goods (₫)"))
    shipping_fee = models.BigIntegerField(_("shipping (₫)"))
    total = models.BigIntegerField(_("total (₫)"))
    payment_method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethod.choices
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, db_index=True
    )
    language = models.CharField(_("language"), max_length=8, default="vi")
    placed_at = models.DateTimeField(_("placed"), db_index=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cod_collected_at = models.DateTimeField(_("cash collected"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=80, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["seller", "-placed_at"], name="order_seller_placed")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total=models.F("subtotal") + models.F("shipping_fee")),
                name="order_total_adds_up",
            )
        ]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return self.number

    def get_workspace_url(self) -> str:
        """The order's page in its seller's workspace (pages of apps below orders, such as the
        ledger, link to it through this rather than by naming the route)."""
        return reverse("orders_workspace:order_detail", args=[self.seller.slug, self.number])


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    offer = models.ForeignKey(
        "offers.Offer", on_delete=models.PROTECT, related_name="+", verbose_name=_("offer")
    )
    product_name = models.CharField(_("product"), max_length=255)
    variant_name = models.CharField(_("pack"), max_length=255)
    unit_price = models.BigIntegerField(_("unit price (₫)"))
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = models.BigIntegerField(_("line total (₫)"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.product_name} × {self.quantity}"


class Allocation(models.Model):
    """Which stock row the units of an order line left; cancelling returns them there."""

    line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("line")
    )
    stock = models.ForeignKey("offers.Stock", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.stock_id} × {self.quantity}"


class OrderEvent(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order")
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=OrderStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=OrderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} → {self.to_status}"
