"""Fairs: organisers (organisations with members), fairs, zones, booths, exhibitor applications
and booth assignments.

Status fields are only ever changed by ``marketplace.fairs.services``; the constraints here are
the last line of defence for the rules a race could break (one live assignment per booth, one
open application per seller per fair).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sellers.models import MembershipRole

COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour is written #RRGGBB."))


class OrganiserKind(models.TextChoices):
    DEPARTMENT = "department", _("Department of Industry and Trade")
    PEOPLES_COMMITTEE = "committee", _("People's committee")
    ASSOCIATION = "association", _("Association")
    COMPANY = "company", _("Fair company")


class Organiser(models.Model):
    """An organisation that runs fairs. Usable once staff approve it in the admin."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganiserKind.choices)
    province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("fair organiser")
        verbose_name_plural = _("fair organisers")

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class OrganiserMembership(models.Model):
    """A user's role in an organiser: the same roles, with the same meaning, as a seller's."""

    user = models.ForeignKey(
        "auth.User",
        on_delete=models.CASCADE,
        related_name="organiser_memberships",
        verbose_name=_("user"),
    )
    organiser = models.ForeignKey(
        Organiser, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organiser")
    )
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["organiser", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organiser"], name="unique_organiser_member")
        ]
        verbose_name = _("organiser membership")
        verbose_name_plural = _("organiser memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.organiser} ({self.get_role_display()})"


class FairStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    APPLICATIONS_OPEN = "applications_open", _("Applications open")
    APPLICATIONS_CLOSED = "applications_closed", _("Applications closed")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


# Visitors see a fair from publication on; a draft is the organiser's alone.
PUBLIC_STATUSES = (
    FairStatus.PUBLISHED,
    FairStatus.APPLICATIONS_OPEN,
    FairStatus.APPLICATIONS_CLOSED,
    FairStatus.RUNNING,
    FairStatus.FINISHED,
    FairStatus.CANCELLED,
)
# The floor plan may change until the doors open.
LAYOUT_EDITABLE = (
    FairStatus.DRAFT,
    FairStatus.PUBLISHED,
    FairStatus.APPLICATIONS_OPEN,
    FairStatus.APPLICATIONS_CLOSED,
)


@dataclass(frozen=True)
class Venue:
    """A fair's venue as shown: ``point`` is the point of sale it comes from, if any."""

    name: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    point: object | None = None

    @property
    def label(self) -> str:
        return self.name or self.address


class Fair(models.Model):
    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    organiser = models.ForeignKey(
        Organiser, on_delete=models.PROTECT, related_name="fairs", verbose_name=_("organiser")
    )
    # A fair at a fair and exhibition centre that is a point of sale takes its venue from the
    # point (name, address, coordinates: one home); the fields below are then left empty.
    venue_point = models.ForeignKey(
        "places.PointOfSale",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fairs",
        limit_choices_to={"kind": "fair_centre"},
        verbose_name=_("venue (point of sale)"),
    )
    venue_name = models.CharField(_("venue"), max_length=255, blank=True)
    venue_address = models.CharField(_("venue address"), max_length=500, blank=True)
    province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Festivals planned without dates yet (Thái Nguyên's 2020 plan) are listed without them.
    starts_on = models.DateField(_("first day"), null=True, blank=True, db_index=True)
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    closed_days = models.JSONField(
        _("closed days"), default=list, blank=True, help_text=_("Dates as YYYY-MM-DD.")
    )
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    cover = models.ImageField(_("cover image"), upload_to="fairs/covers/", blank=True)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=FairStatus.choices,
        default=FairStatus.DRAFT,
        db_index=True,
    )
    applications_open_on = models.DateField(_("applications from"), null=True, blank=True)
    applications_close_on = models.DateField(_("applications until"), null=True, blank=True)
    booth_fee = models.PositiveIntegerField(
        _("booth fee (đồng)"), default=0, help_text=_("Per standard booth, in whole đồng.")
    )
    payment_days = models.PositiveSmallIntegerField(
        _("days to pay a booth fee"), default=7, validators=[MinValueValidator(1)]
    )
    partners = models.JSONField(_("partner regions and programmes"), default=list, blank=True)
    rules = models.TextField(_("rules"), blank=True)
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=False, ends_on__gte=models.F("starts_on")),
                name="fair_ends_after_start",
            )
        ]
        verbose_name = _("fair")
        verbose_name_plural = _("fairs")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("fairs:fair_detail", args=[self.slug])

    @property
    def description(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "vi").startswith("en") and self.description_en:
            return self.description_en
        return self.description_vi or self.description_en

    @property
    def closed_dates(self) -> list[datetime.date]:
        """``closed_days`` (stored as YYYY-MM-DD text) as dates, for the page and the API."""
        return [datetime.date.fromisoformat(day) for day in self.closed_days or []]

    @property
    def venue(self) -> Venue:
        """Where the fair is: from its point of sale when it has one, else its own fields."""
        point = self.venue_point
        if point is not None:
            location = point.location
            address = ", ".join(p for p in (location.street, location.commune) if p)
            return Venue(
                name=location.name,
                address=address or point.legacy_address,
                latitude=point.latitude,
                longitude=point.longitude,
                point=point,
            )
        return Venue(
            name=self.venue_name,
            address=self.venue_address,
            latitude=self.latitude,
            longitude=self.longitude,
        )

    @property
    def map_url(self) -> str:
        from urllib.parse import quote

        venue = self.venue
        lat, lon = venue.latitude, venue.longitude
        if lat is not None and lon is not None:
            return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
        return "https://www.openstreetmap.org/search?query=" + quote(
            ", ".join(p for p in (venue.name, venue.address, self.province.name) if p)
        )


class ZoneKind(models.TextChoices):
    LOCALITY = "locality", _("Locality cluster")
    PROVINCES = "provinces", _("Other provinces")
    INTERNATIONAL = "international", _("International partners")
    SERVICES = "services", _("Consumer services and e-commerce")
    FOOD = "food", _("Food")
    STAGE = "stage", _("Stage and culture")


class Zone(models.Model):
    fair = models.ForeignKey(
        Fair, on_delete=models.CASCADE, related_name="zones", verbose_name=_("fair")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=ZoneKind.choices)
    colour = models.CharField(_("colour"), max_length=7, default="#2e7d32", validators=[COLOUR])
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["fair", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["fair", "name"], name="unique_zone_name_per_fair")
        ]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name


class BoothStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    HELD = "held", _("Held for a locality cluster")
    ASSIGNED = "assigned", _("Assigned")
    BLOCKED = "blocked", _("Blocked")


class Booth(models.Model):
    """A standard booth on the floor plan, in grid units (one unit = one metre)."""

    fair = models.ForeignKey(
        Fair, on_delete=models.CASCADE, related_name="booths", verbose_name=_("fair")
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="booths", verbose_name=_("zone")
    )
    code = models.CharField(_("code"), max_length=16)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=6, decimal_places=1)
    # None: the fair's booth fee (``Fair.booth_fee``, followed if it changes); 0: a free booth.
    price = models.PositiveIntegerField(
        _("price (đồng)"),
        null=True,
        blank=True,
        default=None,
        help_text=_("Empty: the fair's booth fee. 0: a free booth."),
    )
    x = models.PositiveSmallIntegerField(_("grid x"))
    y = models.PositiveSmallIntegerField(_("grid y"))
    width = models.PositiveSmallIntegerField(_("grid width"), validators=[MinValueValidator(1)])
    height = models.PositiveSmallIntegerField(_("grid height"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=16, choices=BoothStatus.choices, default=BoothStatus.AVAILABLE
    )
    held_for = models.CharField(_("held for"), max_length=120, blank=True)

    class Meta:
        ordering = ["fair", "code"]
        constraints = [
            models.UniqueConstraint(fields=["fair", "code"], name="unique_booth_code_per_fair"),
            models.CheckConstraint(
                condition=Q(width__gte=1, height__gte=1), name="booth_has_a_size"
            ),
        ]
        verbose_name = _("booth")
        verbose_name_plural = _("booths")

    def __str__(self) -> str:
        return self.code

    def price_at(self, fair: Fair) -> int:
        """What the booth costs: its own price (0 is free), or ``fair``'s booth fee without one."""
        return fair.booth_fee if self.price is None else self.price


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RELEASED = "released", _("Booth released")


# A seller has at most one of these per fair (database constraint below).
OPEN_APPLICATION = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.ACCEPTED,
)


class ExhibitorApplication(models.Model):
    fair = models.ForeignKey(
        Fair, on_delete=models.CASCADE, related_name="applications", verbose_name=_("fair")
    )
    seller = models.ForeignKey(
        "sellers.Business",
        on_delete=models.CASCADE,
        related_name="fair_applications",
        verbose_name=_("seller"),
    )
    offers = models.ManyToManyField(
        "offers.Offer", related_name="fair_applications", verbose_name=_("products brought")
    )
    booths_wanted = models.PositiveSmallIntegerField(
        _("booths wanted"), default=1, validators=[MinValueValidator(1)]
    )
    preferred_zone = models.ForeignKey(
        Zone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("preferred zone"),
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
    )
    # The language the seller applied in: every e-mail about the application is written in it.
    language = models.CharField(_("language"), max_length=8, default="vi")
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)
    waitlisted_at = models.DateTimeField(_("waitlisted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["fair", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fair", "seller"],
                condition=Q(status__in=["submitted", "waitlisted", "accepted"]),
                name="one_open_application_per_seller_per_fair",
            )
        ]
        verbose_name = _("exhibitor application")
        verbose_name_plural = _("exhibitor applications")

    def __str__(self) -> str:
        return f"{self.seller} → {self.fair}"


class BoothAssignment(models.Model):
    """A booth given to an accepted application. Released assignments are kept as history."""

    booth = models.ForeignKey(
        Booth, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("booth")
    )
    application = models.ForeignKey(
        ExhibitorApplication,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("application"),
    )
    amount_due = models.PositiveIntegerField(_("amount due (đồng)"), default=0)
    # The booth fee's transfer note (``services.booth_fee_terms``): set when a fee is due, so a
    # bank notification carrying it pays this assignment and nothing else.
    reference = models.CharField(
        _("transfer reference"), max_length=20, unique=True, null=True, blank=True
    )
    pay_by = models.DateField(_("pay by"), null=True, blank=True)
    paid_at = models.DateTimeField(_("fee paid"), null=True, blank=True)
    paid_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked paid by"),
    )
    paid_notification = models.OneToOneField(
        "payments.BankNotification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="booth_fee",
        verbose_name=_("paying bank transfer"),
    )
    # Released by the daily task because the fee was not paid by ``pay_by``.
    expired = models.BooleanField(_("expired unpaid"), default=False)
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    assigned_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    # The exhibitor's stock location at the booth (kind "booth", usable on the fair's days):
    # what it sells from the booth and where buyers pick up. Kept after release, inactive.
    location = models.ForeignKey(
        "offers.StockLocation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="booth_assignments",
        verbose_name=_("stock location"),
    )

    class Meta:
        ordering = ["booth", "-assigned_at"]
        constraints = [
            # Two organisers assigning one booth at once: the second insert fails here even if
            # both read the booth as available.
            models.UniqueConstraint(
                fields=["booth"],
                condition=Q(released_at__isnull=True),
                name="one_live_assignment_per_booth",
            )
        ]
        verbose_name = _("booth assignment")
        verbose_name_plural = _("booth assignments")

    def __str__(self) -> str:
        return f"{self.booth} → {self.application.seller}"

    @property
    def fee_state(self) -> str:
        """One of "free" (nothing due), "paid", "expired" or "due"."""
        if self.paid_at is not None:
            return "paid"
        if self.expired:
            return "expired"
        return "due" if self.amount_due else "free"


class ProgrammeItem(models.Model):
    """Certificates announced at the fair ("39 products recognised ★4 at the opening")."""

    fair = models.ForeignKey(
        Fair, on_delete=models.CASCADE, related_name="programme", verbose_name=_("fair")
    )
    title = models.CharField(_("title"), max_length=255)
    day = models.DateField(_("day"), null=True, blank=True)
    certificates = models.ManyToManyField(
        "catalog.Certificate",
        related_name="fair_announcements",
        blank=True,
        verbose_name=_("certificates announced"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["fair", "position", "id"]
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")

    def __str__(self) -> str:
        return self.title
