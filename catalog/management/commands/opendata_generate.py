"""``manage.py opendata_generate``: write today's open data snapshot if the registry changed."""

from django.core.management.base import BaseCommand

from catalog.opendata import opendata_snapshot_generate


class Command(BaseCommand):
    help = (
        "Write the open data snapshot (CSV, XLSX, JSON) of the registry under OPEN_DATA_ROOT, "
        "unless the newest snapshot already holds the same content."
    )

    def handle(self, *args, **options):
        snapshot = opendata_snapshot_generate()
        if snapshot is None:
            self.stdout.write("Không thay đổi / Unchanged: no new snapshot.")
            return
        self.stdout.write(
            f"{snapshot.manifest['certificates']} giấy chứng nhận / certificates → "
            f"{snapshot.directory}"
        )
