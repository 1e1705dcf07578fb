"""Appendix I of 148/2023 and 26/2026: tea (set 11), herbal teas (12) and coffee/cocoa (13)
belong to the food group, and products made from honey to set 8 ("processed from meat, seafood,
eggs, milk, honey"), not set 4. The rulebook data is corrected and reloaded in place."""

from django.db import migrations

from catalog.rulebook import rulebook_load
from core.search import search_rows_changed

CHANGED_SETS = (4, 11, 12, 13)


def reload(apps, schema_editor):
    rulebook_load(get_model=lambda name: apps.get_model("catalog", name))
    # Search documents carry the set's name and group: rewrite those of the products concerned.
    Product = apps.get_model("catalog", "Product")
    search_rows_changed(
        Product,
        Product.objects.filter(product_set__number__in=CHANGED_SETS).values_list("pk", flat=True),
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_relation_verbose_names")]
    operations = [migrations.RunPython(reload, migrations.RunPython.noop)]
