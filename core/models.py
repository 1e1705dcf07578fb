"""Administrative units of Vietnam since 1 July 2025 (34 provinces) and the 63 they replaced."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
