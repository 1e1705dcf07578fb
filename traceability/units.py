"""Units of measure a provenance event's quantity may be in: codes of UN/ECE Recommendation 20
(the codes EPCIS ``uom`` takes), with the names sellers pick from. The one list: the service
checks a unit against it, the form and GraphQL offer it, the EPCIS export writes the code."""

from django.utils.translation import gettext_lazy as _

UNITS = {
    "H87": _("piece (pack)"),
    "KGM": _("kilogram"),
    "GRM": _("gram"),
    "TNE": _("tonne"),
    "LTR": _("litre"),
    "MLT": _("millilitre"),
    "MTR": _("metre"),
    "MTK": _("square metre"),
}
UNIT_CHOICES = list(UNITS.items())
PIECE = "H87"
