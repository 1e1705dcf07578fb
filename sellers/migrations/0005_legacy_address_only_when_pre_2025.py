"""Clear the "address as given" where the registry import copied the current address into it.

The importer kept the file's address as the pre-2025 one even when the file gave a current
address, so producer pages showed the same address twice. An address with a former province or a
district stays; one equal to the current street, commune and province goes.
"""

import re

from django.db import migrations

from core.text import fold

_PROVINCE_PREFIX = re.compile(r"^(tinh|thanh pho|tp\.?)\s+")


def _parts(text, province_name):
    parts = [" ".join(fold(p).split()) for p in (text or "").split(",")]
    parts = [p for p in parts if p]
    province = _PROVINCE_PREFIX.sub("", " ".join(fold(province_name).split()))
    if parts and _PROVINCE_PREFIX.sub("", parts[-1]) == province:
        parts.pop()
    return parts


def clear_copied_addresses(apps, schema_editor):
    Business = apps.get_model("sellers", "Business")
    copied = []
    rows = (
        Business.objects.filter(legacy_province__isnull=True)
        .exclude(legacy_address="")
        .values_list("pk", "legacy_address", "street", "commune", "province__name")
    )
    for pk, legacy, street, commune, province in rows.iterator():
        current = ", ".join(p for p in (street, commune) if p)
        if _parts(legacy, province) == _parts(current, province):
            copied.append(pk)
    for start in range(0, len(copied), 1000):
        Business.objects.filter(pk__in=copied[start : start + 1000]).update(legacy_address="")


class Migration(migrations.Migration):
    dependencies = [
        ("sellers", "0004_business_slug_reserved"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(clear_copied_addresses, migrations.RunPython.noop)]
