from django.core.management.base import BaseCommand

from marketplace.orders.services import reservations_expire


class Command(BaseCommand):
    help = "Delete expired stock reservations (they already count for nothing; run it hourly)."

    def handle(self, *args, **options):
        count = reservations_expire()
        self.stdout.write(f"{count} expired reservations deleted")
