"""``manage.py import_registry FILE``: a province's recognition list, all rows or none."""

from django.core.management.base import BaseCommand, CommandError

from catalog.importer import ImportReport, registry_import
from catalog.importer.parsing import date_parse
from catalog.models import EvaluationLevel


def report_lines(report: ImportReport) -> list[str]:
    """The report as plain text, each line in Vietnamese then English."""
    mode = "THỬ (không ghi) / DRY RUN (nothing written)" if report.dry_run else ""
    lines = [f"Tệp / File: {report.file_name}  sha256 {report.sha256[:16]}…  {mode}".rstrip()]
    if report.decisions:
        lines.append("Quyết định / Decisions: " + ", ".join(report.decisions))
    lines += [f"  {vi} / {en}: {value}" for _, vi, en, value in report.counts()]
    if report.errors:
        lines.append(
            f"{len(report.errors)} lỗi, không ghi gì / {len(report.errors)} errors, "
            "nothing was written:"
        )
        for error in report.errors:
            lines.append(f"  - {error.message_vi}")
            lines.append(f"    {error.message_en}")
    return lines


class Command(BaseCommand):
    help = (
        "Import a provincial OCOP recognition list (CSV or XLSX): businesses, products, "
        "evaluations and certificates. Every row is validated first; the file is written all "
        "or nothing, and re-importing it changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8, ; or , separated) or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="validate and count only")
        parser.add_argument("--decision", default="", help="decision number, e.g. 3981/QĐ-UBND")
        parser.add_argument("--date", default="", help="decision date, DD/MM/YYYY")
        parser.add_argument("--province", default="", help="issuing province (old names accepted)")
        parser.add_argument("--framework", default="", help="criteria framework code")
        parser.add_argument("--issuer", default="", help="issuer, e.g. 'UBND tỉnh Lâm Đồng'")
        parser.add_argument("--source-url", default="", help="URL of the signed decision")
        parser.add_argument(
            "--level", default=EvaluationLevel.PROVINCE, choices=EvaluationLevel.values
        )

    def handle(self, *args, **options):
        decision_date = None
        if options["date"]:
            try:
                decision_date = date_parse(options["date"])
            except ValueError as exc:
                raise CommandError(
                    f"--date: “{options['date']}” không phải là ngày có thật / is not a real date "
                    "(DD/MM/YYYY)."
                ) from exc
        try:
            with open(options["file"], "rb") as stream:
                report = registry_import(
                    source=stream,
                    file_name=options["file"].rsplit("/", 1)[-1],
                    dry_run=options["dry_run"],
                    decision_number=options["decision"],
                    decision_date=decision_date,
                    province=options["province"],
                    framework_code=options["framework"],
                    issuer=options["issuer"],
                    source_url=options["source_url"],
                    level=options["level"],
                )
        except OSError as exc:
            raise CommandError(f"{options['file']}: {exc.strerror}") from exc
        for line in report_lines(report):
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(
                f"{len(report.errors)} lỗi, không ghi gì / {len(report.errors)} errors, "
                "nothing was written."
            )
