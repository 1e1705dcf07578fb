import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
application = get_wsgi_application()

# Load what every worker needs anyway (the URLconf and its views, the GraphQL schema), then
# move everything alive now out of the garbage collector's sight. A full collection otherwise
# walks these ~120,000 long-lived objects again and again: on products(first: 100) that was a
# 60 ms pause every few requests (p90 140 ms, p99 400 ms for a 70 ms median; with the freeze,
# 88 and 95 ms). The objects stay alive and usable; they are only never scanned for cycles.
from django.urls import get_resolver  # noqa: E402
from graphene_django.settings import graphene_settings  # noqa: E402

get_resolver().url_patterns  # noqa: B018
graphene_settings.SCHEMA  # noqa: B018  (imports the schema GRAPHENE["SCHEMA"] names)

gc.freeze()

# A young collection runs every 700 container allocations by default: 13 a request for an
# uncached products(first: 100), each walking what the request has built so far (its rows and
# model instances survive until the answer is written). 50,000 makes it about one every seven
# such requests; cycles among the request's garbage are still found, a little later. CPU per
# uncached GraphQL request in-process (benchmarks/storefront_cpu.py): 36-38 -> 29-33 ms.
gc.set_threshold(50_000, 20, 10)
