"""The Elasticsearch outbox: how many changes wait to be sent (and since when, and the last
error); ``--drain`` sends them now. Schedule ``search_outbox --drain`` every minute where
Elasticsearch is used, so changes left behind while it was down go out once it is back."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Max, Min

from core.search import search_backend
from search.models import SearchOutbox


class Command(BaseCommand):
    help = "Show the Elasticsearch outbox backlog; --drain sends it."

    def add_arguments(self, parser):
        parser.add_argument("--drain", action="store_true", help="Send waiting changes now.")

    def handle(self, *args, drain, **options):
        if drain:
            if not settings.ELASTICSEARCH_URL:
                raise CommandError("ELASTICSEARCH_URL is not set.")
            from search.backends.elastic import outbox_drain

            result = outbox_drain(client=search_backend("elasticsearch").client)
            self.stdout.write(f"sent: {result['sent']}")
            if result["error"]:
                self.stderr.write(f"stopped: {result['error']}")
        backlog = SearchOutbox.objects.aggregate(
            n=Count("id"), oldest=Min("created_at"), attempts=Max("attempts")
        )
        self.stdout.write(f"backlog: {backlog['n']}")
        if backlog["n"]:
            last = SearchOutbox.objects.exclude(last_error="").order_by("-id").first()
            self.stdout.write(f"oldest: {backlog['oldest']:%Y-%m-%d %H:%M:%S %Z}")
            self.stdout.write(f"attempts: {backlog['attempts']}")
            if last:
                self.stdout.write(f"last error: {last.last_error}")
        if drain and SearchOutbox.objects.exists():
            raise CommandError("Changes are still waiting (see the error above).")
