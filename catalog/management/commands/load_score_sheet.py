"""``manage.py load_score_sheet FILE``: load a further product set's score sheet (CSV).

The same loader as the data migration, with live models. The file is checked whole before
anything is written, and loading the same file again changes nothing.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.rulebook import SCORE_SHEET_COLUMNS, ScoreSheetInvalid, score_sheet_load


def _get_model(name: str) -> type:
    return apps.get_model("catalog", name)


class Command(BaseCommand):
    help = (
        "Load an OCOP score sheet from a UTF-8 CSV file, one row per answer option, with the "
        "columns " + ", ".join(SCORE_SHEET_COLUMNS) + ". All rows or none are written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="score sheet CSV (UTF-8)")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            # utf-8-sig: spreadsheets save CSV with a byte-order mark that would otherwise
            # stick to the first column's name.
            with open(path, encoding="utf-8-sig", newline="") as stream, transaction.atomic():
                counts = score_sheet_load(get_model=_get_model, lines=stream)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": path}) from exc
        except ScoreSheetInvalid as exc:
            for error in exc.errors:
                self.stderr.write(
                    _("line %(line)d, column %(column)s: %(reason)s")
                    % {"line": error.line, "column": error.column, "reason": error.message}
                )
            raise CommandError(
                ngettext(
                    "%(count)d error; nothing was loaded.",
                    "%(count)d errors; nothing was loaded.",
                    len(exc.errors),
                )
                % {"count": len(exc.errors)}
            ) from exc
        self.stdout.write(
            _("Loaded %(groups)d groups, %(criteria)d criteria, %(options)d options.") % counts
        )
