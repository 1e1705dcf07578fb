from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_catalogue_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="catalogueversion",
            name="seq",
            field=models.BigIntegerField(default=0, verbose_name="sequence"),
        ),
    ]
