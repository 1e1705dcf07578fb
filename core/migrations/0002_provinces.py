import csv
from pathlib import Path

from django.db import migrations

from core.text import fold, slugify_vi

DATA = Path(__file__).resolve().parent.parent / "fixtures" / "provinces-2025.csv"


def short(name):
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def load(apps, schema_editor):
    Province = apps.get_model("core", "Province")
    LegacyProvince = apps.get_model("core", "LegacyProvince")
    with DATA.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    current = {}
    for row in rows:
        code = row["new_code"].zfill(2)
        if code not in current:
            name = row["new_name"]
            current[code], _ = Province.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "short_name": short(name),
                    "slug": slugify_vi(short(name)),
                    "name_folded": fold(short(name)),
                },
            )
    for row in rows:
        name = row["old_name"]
        LegacyProvince.objects.update_or_create(
            code=row["old_code"].zfill(2),
            defaults={
                "name": name,
                "short_name": short(name),
                "name_folded": fold(short(name)),
                "current": current[row["new_code"].zfill(2)],
                "note": row["note"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
