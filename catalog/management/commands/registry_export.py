"""``manage.py registry_export --out FILE``: the registry as a list import_registry takes back."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.exports import FORMATS, registry_export_write


class Command(BaseCommand):
    help = (
        "Export every certificate that was not revoked as a recognition list (CSV or XLSX, "
        "chosen by the file's extension or --format) that import_registry accepts back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="file to write (.csv or .xlsx)")
        parser.add_argument("--format", choices=FORMATS, help="default: the file's extension")

    def handle(self, *args, **options):
        path = Path(options["out"])
        fmt = options["format"] or path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(
                f"--out {path}: dùng đuôi .csv hoặc .xlsx, hoặc --format / "
                "use a .csv or .xlsx name, or --format."
            )
        try:
            with open(path, "wb") as stream:
                count = registry_export_write(stream=stream, fmt=fmt)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        self.stdout.write(f"{count} giấy chứng nhận / certificates → {path}")
