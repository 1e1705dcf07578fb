"""``manage.py certificates_daily [--date YYYY-MM-DD]``: run once a day (cron or a scheduler).

Does what beat's daily ``catalog.certificates_daily`` job does — one home,
``catalog.reminders.certificates_daily_run``: records the certificates whose validity ran out and
e-mails their holders and the holders of certificates entering the re-evaluation window, each
certificate once (a second run, by hand or by beat, sends nothing). Then lists the certificates in
the window for the registry's own follow-up.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.reminders import certificates_daily_run
from catalog.selectors import (
    certificates_entering_reevaluation,
    reevaluation_window,
)


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("--date: %(value)s is not a date (YYYY-MM-DD).") % {"value": value}
        ) from exc


class Command(BaseCommand):
    help = (
        "Record expired OCOP certificates, remind their holders and those of certificates "
        "entering the re-evaluation window (the current framework's, e.g. 180 to 120 days before "
        "expiry) by e-mail, each once, and list the window. What beat runs daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", default="", help="the day to run for, YYYY-MM-DD (default: today)"
        )

    def handle(self, *args, **options):
        today = _date(options["date"]) if options["date"] else timezone.localdate()
        counts = certificates_daily_run(today=today)
        expired = counts["expired"]
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
        self.stdout.write(
            _(
                "Holders reminded by e-mail (each certificate once): %(reevaluation)d "
                "re-evaluation, %(expired)d expired."
            )
            % {
                "reevaluation": counts["reminded_reevaluation"],
                "expired": counts["reminded_expired"],
            }
        )
