import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from marketplace.payments.services import payments_expire_unpaid


class Command(BaseCommand):
    help = (
        "Cancel the orders of VietQR transfers that did not arrive in time (stock returned) and "
        "mark their payments failed. Run hourly."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=settings.PAYMENTS_VIETQR_HOURS)

    def handle(self, *args, **options):
        count = payments_expire_unpaid(older_than=datetime.timedelta(hours=options["hours"]))
        self.stdout.write(f"{count} unpaid bank transfers expired")
