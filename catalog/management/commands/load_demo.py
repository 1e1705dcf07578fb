from django.core.management.base import BaseCommand

from catalog.demo import demo_load


class Command(BaseCommand):
    help = (
        "Load the demo catalogue: Quảng Ninh's OCOP chains of 2017 (real names) with invented "
        "decisions, scores and certificates, all flagged as demo data. Safe to run again."
    )

    def handle(self, *args, **options):
        summary = demo_load()
        for line in summary.lines():
            self.stdout.write(line)
