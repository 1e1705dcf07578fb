from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class RegistryError(DomainError):
    """A registry rule was broken."""


NOT_RECOGNISED = _("★1–★2 products are not recognised: no decision and no certificate.")
