"""Batches of a catalog variant, their provenance (EPCIS 2.0 shaped), signed QR stamps, scans.

Rows here are history: events are never edited or deleted (a correction is a new event that
points at the one it corrects), stamps are created once per run, scans only accumulate. All
writes go through ``traceability.services``.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from traceability.validators import LOT_CODE_MAX, validate_lot_code, validate_utc_offset

STAMP_RUN_MAX = 100_000


class Batch(models.Model):
    """A lot of one variant, with the certificate that was in force when it was produced."""

    variant = models.ForeignKey(
        "catalog.ProductVariant",
        on_delete=models.PROTECT,
        related_name="batches",
        verbose_name=_("variant"),
    )
    lot_code = models.CharField(
        _("lot code"), max_length=LOT_CODE_MAX, validators=[validate_lot_code]
    )
    produced_on = models.DateField(_("production date"))
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    origin_province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raw-material province"),
    )
    origin_commune = models.CharField(_("raw-material commune / ward"), max_length=255, blank=True)
    # Looked up from the registry by the service, never typed in: what the label could claim.
    certificate = models.ForeignKey(
        "catalog.Certificate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="batches",
        verbose_name=_("certificate in force at production"),
    )
    created_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-produced_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "lot_code"], name="unique_lot_per_variant"),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("produced_on")),
                name="batch_expiry_after_production",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="batch_quantity_1"),
        ]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")

    def __str__(self) -> str:
        return f"{self.lot_code} ({self.produced_on:%d/%m/%Y})"


class EventType(models.TextChoices):
    """EPCIS 2.0 event types."""

    OBJECT = "object", _("Object event")
    AGGREGATION = "aggregation", _("Aggregation event")
    TRANSACTION = "transaction", _("Transaction event")
    TRANSFORMATION = "transformation", _("Transformation event")
    ASSOCIATION = "association", _("Association event")


class BusinessStep(models.TextChoices):
    """The "why" of an event, named after the GS1 Core Business Vocabulary bizStep values."""

    HARVESTING = "harvesting", _("Harvest")
    COMMISSIONING = "commissioning", _("Processing / production")
    PACKING = "packing", _("Packaging")
    UNPACKING = "unpacking", _("Unpacking")
    INSPECTING = "inspecting", _("Inspection")
    STORING = "storing", _("Storage")
    SHIPPING = "shipping", _("Shipping")
    RECEIVING = "receiving", _("Receiving")
    RETAIL_SELLING = "retail_selling", _("Retail sale")
    OTHER = "other", _("Other")


class Disposition(models.TextChoices):
    """CBV dispositions: the state of the goods after the event."""

    ACTIVE = "active", _("Active")
    IN_PROGRESS = "in_progress", _("In progress")
    IN_TRANSIT = "in_transit", _("In transit")
    CONFORMANT = "conformant", _("Conformant")
    NON_CONFORMANT = "non_conformant", _("Non-conformant")
    SELLABLE_ACCESSIBLE = "sellable_accessible", _("On sale")
    RECALLED = "recalled", _("Recalled")
    DESTROYED = "destroyed", _("Destroyed")


class ProvenanceEvent(models.Model):
    """What happened to a batch, when (event time and its UTC offset), where (an address, a
    point of sale and/or coordinates) and why (business step, disposition).

    Never edited: ``corrects`` points at the event a correction replaces (EPCIS 2.0 models the
    same thing with an error declaration and corrective event ids); the original stays visible,
    marked as corrected.
    """

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="events", verbose_name=_("batch")
    )
    event_type = models.CharField(
        _("event type"), max_length=16, choices=EventType.choices, default=EventType.OBJECT
    )
    business_step = models.CharField(_("step"), max_length=24, choices=BusinessStep.choices)
    disposition = models.CharField(
        _("disposition"), max_length=24, choices=Disposition.choices, blank=True
    )
    event_time = models.DateTimeField(_("event time"))
    event_timezone = models.CharField(
        _("time zone offset"), max_length=6, default="+07:00", validators=[validate_utc_offset]
    )
    record_time = models.DateTimeField(_("recorded at"), auto_now_add=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    location = models.ForeignKey(
        "offers.StockLocation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provenance_events",
        verbose_name=_("location"),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    note = models.TextField(_("note"), blank=True)
    # The EPCIS "what" of this event: how much of the lot it concerned, in a UN/ECE Rec 20 unit
    # (traceability.units). Empty: the export falls back to the batch's quantity in packs.
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=3, blank=True)
    photo = models.FileField(_("photo"), max_length=255, blank=True)
    photo_width = models.PositiveIntegerField(_("photo width (px)"), null=True, blank=True)
    photo_height = models.PositiveIntegerField(_("photo height (px)"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # The business the event was recorded for (the producer or an authorised reseller): only it
    # may correct the event. Empty on events recorded before this was kept: the producer's.
    business = models.ForeignKey(
        "sellers.Business",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded for"),
    )
    # Aggregation events: the carton packed (action ADD) or unpacked (DELETE); the stamps
    # moved are ``AggregationChild`` rows, a lot quantity is ``quantity``/``unit`` above.
    carton = models.ForeignKey(
        "Carton",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("carton"),
    )
    action = models.CharField(
        _("action"), max_length=6, choices=[("ADD", "ADD"), ("DELETE", "DELETE")], blank=True
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects"),
    )

    class Meta:
        ordering = ["event_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="event_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="event_longitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="event_coordinates_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True, unit="")
                | models.Q(quantity__gt=0, unit__gt=""),
                name="event_quantity_with_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(carton__isnull=True, action="")
                | models.Q(carton__isnull=False, action__in=["ADD", "DELETE"]),
                name="event_carton_with_action",
            ),
        ]
        indexes = [models.Index(fields=["batch", "event_time"])]
        verbose_name = _("provenance event")
        verbose_name_plural = _("provenance events")

    def __str__(self) -> str:
        return f"{self.get_business_step_display()} {self.event_time:%d/%m/%Y %H:%M}"


class TransformationInput(models.Model):
    """An input lot of a transformation event (EPCIS ``inputQuantityList``): how much of which
    batch went into the event's batch, the output lot (``event.quantity``/``event.unit``) —
    three honey batches blended into a new lot are three rows on the new lot's event."""

    event = models.ForeignKey(
        ProvenanceEvent, on_delete=models.PROTECT, related_name="inputs", verbose_name=_("event")
    )
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="used_in", verbose_name=_("input batch")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=3)

    class Meta:
        ordering = ["event", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "batch"], name="transformation_input_once"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0, unit__gt=""),
                name="transformation_input_quantity",
            ),
        ]
        verbose_name = _("transformation input")
        verbose_name_plural = _("transformation inputs")

    def __str__(self) -> str:
        return f"{self.batch} → {self.event}"


class Carton(models.Model):
    """A case that items are packed into (EPCIS ``parentID``). The project has no GS1 company
    prefix to build an SSCC from, so ``code`` is its own identifier (12 base32 characters),
    exported as a URI on this site (``traceability.epcis.carton_uri``)."""

    business = models.ForeignKey(
        "sellers.Business",
        on_delete=models.PROTECT,
        related_name="cartons",
        verbose_name=_("business"),
    )
    code = models.CharField(_("carton code"), max_length=12, unique=True)
    created_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("carton")
        verbose_name_plural = _("cartons")

    def __str__(self) -> str:
        return self.code


class StampRun(models.Model):
    """One order of stamps for a batch. ``key_id`` names the signing key the codes carry."""

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="stamp_runs", verbose_name=_("batch")
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), validators=[MinValueValidator(1), MaxValueValidator(STAMP_RUN_MAX)]
    )
    with_pin = models.BooleanField(_("scratch-off PIN"), default=False)
    key_id = models.CharField(_("signing key"), max_length=1, editable=False)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    void_reason = models.CharField(_("void reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ordered by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The order form's one-time token: a form sent twice (a double tap, a reload) orders one run.
    submission = models.UUIDField(_("order form submission"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=STAMP_RUN_MAX),
                name="stamp_run_quantity_range",
            ),
            models.UniqueConstraint(fields=["submission"], name="stamp_run_submission_once"),
        ]
        verbose_name = _("stamp run")
        verbose_name_plural = _("stamp runs")

    def __str__(self) -> str:
        return f"{self.batch} × {self.quantity}"


class StampRunPrint(models.Model):
    """The label files of a run for one sheet layout and link form: one PDF with every stamp
    and the CSV, drawn in the background by a ``core.Job`` (``traceability.stamp_run_render``)
    and kept as the job's output files (``core.JobFile``, private storage), served only to the
    holder's owners and managers. Ordering a run starts one; another layout or link form is
    another print of the same run. When the daily cleanup has deleted the job with its files,
    ``job`` is empty and the print can be drawn again."""

    run = models.ForeignKey(
        StampRun, on_delete=models.CASCADE, related_name="prints", verbose_name=_("run")
    )
    layout = models.CharField(_("label sheet"), max_length=20)
    link = models.CharField(_("QR code carries"), max_length=8, default="short")
    job = models.ForeignKey(
        "core.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("background job"),
    )
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "layout", "link"], name="stamp_run_print_once"),
        ]
        verbose_name = _("stamp run print")
        verbose_name_plural = _("stamp run prints")

    def __str__(self) -> str:
        return f"{self.run} · {self.layout} · {self.link}"


class Stamp(models.Model):
    """One printed stamp. ``serial`` is 65 random bits (13 base32 characters); the QR code adds
    the signature (``traceability.signing``), which is computed, never stored."""

    run = models.ForeignKey(
        StampRun, on_delete=models.PROTECT, related_name="stamps", verbose_name=_("run")
    )
    serial = models.CharField(_("serial"), max_length=13, unique=True)
    pin_hash = models.CharField(_("PIN hash"), max_length=64, null=True, blank=True)
    pin_verified_at = models.DateTimeField(_("PIN verified"), null=True, blank=True)
    pin_failures = models.PositiveIntegerField(_("wrong PINs"), default=0)
    first_scanned_at = models.DateTimeField(_("first scanned"), null=True, blank=True)
    scan_count = models.PositiveIntegerField(_("scans"), default=0)
    # The carton the item is packed in now (kept by the aggregation services), else empty.
    carton = models.ForeignKey(
        Carton,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stamps",
        verbose_name=_("carton"),
    )

    class Meta:
        ordering = ["run", "id"]
        verbose_name = _("stamp")
        verbose_name_plural = _("stamps")

    def __str__(self) -> str:
        return self.serial


class AggregationChild(models.Model):
    """A stamped item (EPCIS ``childEPCs``) an aggregation event packed into or took out of its
    carton."""

    event = models.ForeignKey(
        ProvenanceEvent, on_delete=models.PROTECT, related_name="children", verbose_name=_("event")
    )
    stamp = models.ForeignKey(
        Stamp, on_delete=models.PROTECT, related_name="+", verbose_name=_("stamp")
    )

    class Meta:
        ordering = ["event", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "stamp"], name="aggregation_child_once"),
        ]
        verbose_name = _("aggregated item")
        verbose_name_plural = _("aggregated items")

    def __str__(self) -> str:
        return f"{self.stamp_id} @ {self.event_id}"


class Verdict(models.TextChoices):
    GENUINE = "genuine", _("Genuine")
    SUSPICIOUS = "suspicious", _("Suspicious")
    NOT_RECOGNISED = "not_recognised", _("Not recognised")


class Scan(models.Model):
    """One scan of a stamp. No IP address is stored: the place is a province the buyer gave or
    coordinates rounded to 0.1° (about 11 km), and the device is an HMAC of user agent, address
    and day under a server key, so it groups one device's scans within a day and nothing more."""

    stamp = models.ForeignKey(
        Stamp, on_delete=models.CASCADE, related_name="scans", verbose_name=_("stamp")
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    latitude = models.DecimalField(
        _("latitude (0.1°)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude (0.1°)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    device_hash = models.CharField(_("device hash"), max_length=32, blank=True)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)

    class Meta:
        ordering = ["scanned_at", "id"]
        indexes = [models.Index(fields=["stamp", "scanned_at"])]
        verbose_name = _("scan")
        verbose_name_plural = _("scans")

    def __str__(self) -> str:
        return f"{self.stamp} @ {self.scanned_at:%d/%m/%Y %H:%M}"
