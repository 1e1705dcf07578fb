"""Reads over administrative units."""

import re

from core.models import LegacyProvince, Province
from core.text import fold

_PREFIX = re.compile(r"^(tinh|thanh pho|tp)\s+")
_PUNCT = re.compile(r"[^a-z0-9]+")

# Names people write that are neither the official name nor its short form (keys are folded,
# prefix-free, single-spaced).
_ALIASES = {
    "hcm": "ho chi minh",
    "tphcm": "ho chi minh",
    "sai gon": "ho chi minh",
    "thua thien hue": "hue",
    "hanoi": "ha noi",
    "brvt": "ba ria vung tau",
}


def province_key(name: str | None) -> str:
    """A comparison key: folded, punctuation dropped, "Tỉnh"/"Thành phố"/"TP." prefix removed."""
    key = _PUNCT.sub(" ", fold(name)).strip()
    key = _PREFIX.sub("", key)
    return _ALIASES.get(key, key)


def province_lookup_table() -> dict[str, tuple[Province, LegacyProvince | None]]:
    """Every name key -> (current province, legacy province it came from or None).

    Built once per import: 34 + 63 rows, so the importer never queries per row.
    """
    table: dict[str, tuple[Province, LegacyProvince | None]] = {}
    for legacy in LegacyProvince.objects.select_related("current"):
        table[province_key(legacy.name)] = (legacy.current, legacy)
    # Current names win over legacy ones with the same key (Quảng Ninh is both).
    for province in Province.objects.all():
        table[province_key(province.name)] = (province, None)
    return table


def province_resolve(
    *, name: str, table: dict[str, tuple[Province, LegacyProvince | None]] | None = None
) -> tuple[Province, LegacyProvince | None] | None:
    """Map any province name, current or pre-2025, to (current province, legacy province)."""
    table = table if table is not None else province_lookup_table()
    return table.get(province_key(name))
