from django.utils.translation import gettext_lazy as _


class RegistryError(Exception):
    """A registry rule was broken. ``field`` names the input at fault, ``code`` is stable."""

    def __init__(self, message, *, code: str, field: str | None = None):
        self.message = message
        self.code = code
        self.field = field
        super().__init__(str(message))


NOT_RECOGNISED = _("★1–★2 products are not recognised: no decision and no certificate.")
