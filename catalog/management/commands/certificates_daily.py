"""``manage.py certificates_daily [--date YYYY-MM-DD]``: run once a day (cron or a scheduler).

Records the certificates whose validity ran out, then lists those entering the re-evaluation
window so the registry can remind their holders. Every rule lives in services and selectors.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.selectors import (
    certificates_entering_reevaluation,
    reevaluation_window,
)
from catalog.services import certificate_expire_due


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("--date: %(value)s is not a date (YYYY-MM-DD).") % {"value": value}
        ) from exc


class Command(BaseCommand):
    help = (
        "Record expired OCOP certificates and list those entering the re-evaluation window "
        "(the current framework's, e.g. 180 to 120 days before expiry). Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", default="", help="the day to run for, YYYY-MM-DD (default: today)"
        )

    def handle(self, *args, **options):
        today = _date(options["date"]) if options["date"] else timezone.localdate()
        expired = certificate_expire_due(today=today)
        self.stdout.write(
            ngettext("%(count)d certificate expired.", "%(count)d certificates expired.", expired)
            % {"count": expired}
        )
        window = reevaluation_window(today=today)
        entering = list(
            certificates_entering_reevaluation(today=today, window=window).order_by(
                "valid_until", "number"
            )
        )
        self.stdout.write(
            ngettext(
                "%(count)d certificate is entering the re-evaluation window "
                "(%(start)d to %(end)d days before expiry).",
                "%(count)d certificates are entering the re-evaluation window "
                "(%(start)d to %(end)d days before expiry).",
                len(entering),
            )
            % {
                "count": len(entering),
                "start": window.from_days,
                "end": window.until_days,
            }
        )
        for certificate in entering:
            days_left = (certificate.valid_until - today).days
            self.stdout.write(
                _(
                    "%(number)s | %(product)s | %(holder)s | valid until %(valid_until)s | "
                    "%(days)d days left"
                )
                % {
                    "number": certificate.number,
                    "product": certificate.product.name,
                    "holder": certificate.product.holder.name,
                    "valid_until": certificate.valid_until.strftime("%d/%m/%Y"),
                    "days": days_left,
                }
            )
