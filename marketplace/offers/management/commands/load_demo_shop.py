from django.core.management.base import BaseCommand

from marketplace.offers.demo import demo_shop_load


class Command(BaseCommand):
    help = (
        "Make the demo catalogue buyable: demo producers with a certificate in force become "
        "active sellers with stock and published offers; the OCOP centre of Hạ Long resells a "
        "few. Run after load_demo. Safe to run again."
    )

    def handle(self, *args, **options):
        for line in demo_shop_load().lines():
            self.stdout.write(line)
