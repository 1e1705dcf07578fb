"""Administrative units of Vietnam since 1 July 2025 (34 provinces) and the 63 they replaced;
the shape every stored photo shares."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import job_files_storage


class StoredImage(models.Model):
    """A photo as stored after ``catalog.photos`` re-encoded it (no EXIF, orientation applied).
    ``renditions`` lists the narrower copies for ``srcset``, narrowest first:
    ``[{"width": 160, "height": 120, "name": "products/7/ab12…-160w.webp"}, …]``; a width the
    upload did not reach is absent (never upscaled). Concrete models add what it shows."""

    image = models.FileField(_("image"), max_length=255)
    width = models.PositiveIntegerField(_("width (px)"))
    height = models.PositiveIntegerField(_("height (px)"))
    renditions = models.JSONField(_("renditions"), default=list, blank=True)
    alt_text = models.CharField(_("alternative text"), max_length=255, blank=True)
    original_name = models.CharField(_("uploaded file name"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.alt_text or self.original_name or self.image.name


class Province(models.Model):
    """A current (post-2025) province or centrally-run city."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name_folded = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class LegacyProvince(models.Model):
    """A province as it was before 1 July 2025; registry rows often still name these."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=100)
    name_folded = models.CharField(max_length=100, db_index=True, editable=False)
    current = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="legacy_provinces",
        verbose_name=_("current province"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("pre-2025 province")
        verbose_name_plural = _("pre-2025 provinces")

    def __str__(self) -> str:
        return self.name


class CatalogueVersion(models.Model):
    """The token public catalogue reads are cached under (``core.catalogue_cache``): replaced
    after every committed write that could change them. ``seq`` on the ``catalogue`` row
    counts scope bumps; the other rows are scopes (``p:<product>``, ``s:<business>``,
    ``offers``) with the count of their last bump."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    token = models.CharField(_("token"), max_length=32)
    changed_at = models.DateTimeField(_("changed at"))
    seq = models.BigIntegerField(_("sequence"), default=0)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    RETRYING = "retrying", _("waiting to retry")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Job(models.Model):
    """One piece of background work (an e-mail, an import, a stamp run, a daily job): who
    started it, what it is, where it stands and how it ended. The task is handed only the id;
    the row is the one place its state lives (core.jobs), so a second delivery of the same
    message finds the work already done."""

    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    request_id = models.CharField(_("request id"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="core_job_state_created")]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"


class JobFileRole(models.TextChoices):
    INPUT = "input", _("input")
    OUTPUT = "output", _("output")


def _job_file_path(instance: "JobFile", filename: str) -> str:
    return f"{instance.job_id}/{instance.role}/{filename}"


class JobFile(models.Model):
    """A file a job reads (an uploaded list) or writes (a rendered PDF, a CSV), kept in the
    private job storage (``STORAGES["jobs"]``, core.storage) and deleted with the job by the
    daily cleanup (``core.jobs.jobs_cleanup``). ``name`` is the name it is offered under."""

    job = models.ForeignKey(
        Job, on_delete=models.CASCADE, related_name="files", verbose_name=_("job")
    )
    role = models.CharField(_("role"), max_length=10, choices=JobFileRole.choices)
    name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(
        _("file"), max_length=500, upload_to=_job_file_path, storage=job_files_storage
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["job_id", "id"]
        verbose_name = _("job file")
        verbose_name_plural = _("job files")

    def __str__(self) -> str:
        return self.name
