"""Store every phone number in one form, E.164 ("+84912345678", "+842438251234").

Numbers were kept as typed less separators ("0912345678" or "+84912345678"). A number the current
numbering plan does not accept (a retired prefix) is left as it was: it is a record of what the
person gave, and pages show it as stored.
"""

from django.db import migrations

from core.phone import PhoneInvalid, phone_normalise


def _normalised(value):
    try:
        return phone_normalise(value)
    except PhoneInvalid:
        return value


def phones_to_e164(apps, schema_editor):
    for model_name, field in (("Cart", "phone"), ("Order", "phone")):
        model = apps.get_model("orders", model_name)
        changed = []
        for row in model.objects.exclude(**{field: ""}).only("pk", field).iterator():
            value = getattr(row, field)
            stored = _normalised(value)
            if stored != value:
                setattr(row, field, stored)
                changed.append(row)
        model.objects.bulk_update(changed, [field], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(phones_to_e164, migrations.RunPython.noop)]
