from django.db import migrations

from catalog.rulebook import SET01_SHEET_FILE, rulebook_load, score_sheet_load


def load(apps, schema_editor):
    def get_model(name):
        return apps.get_model("catalog", name)

    rulebook_load(get_model=get_model)
    with SET01_SHEET_FILE.open(encoding="utf-8", newline="") as fh:
        score_sheet_load(get_model=get_model, lines=fh)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
