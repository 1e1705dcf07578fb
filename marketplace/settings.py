"""One settings module for every environment, driven by environment variables.

With nothing set you get development: a SQLite file, DEBUG on, a development secret, the database
search backend. ``MARKETPLACE_ENV=production`` switches to production, which refuses to start
without a real ``SECRET_KEY`` and ``ALLOWED_HOSTS`` and passes ``manage.py check --deploy``.
Every variable read here is listed in README.md (a test keeps README and docker-compose.yml
true to it).
"""

import base64
import hashlib
import os
import re
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"


def env(name: str, default: str = "") -> str:
    # Set-but-empty counts as unset: CI runs the suite with `DATABASE_URL=` for SQLite, and
    # compose's `${X:-}` passes empty strings; neither should mean "an empty database URL".
    value = os.environ.get(name, "")
    return value if value.strip() else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


MARKETPLACE_ENV = env("MARKETPLACE_ENV", "development")
if MARKETPLACE_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"MARKETPLACE_ENV must be 'development' or 'production', not {MARKETPLACE_ENV!r}."
    )
PRODUCTION = MARKETPLACE_ENV == "production"

SECRET_KEY = env("SECRET_KEY", "" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
if PRODUCTION and (
    not SECRET_KEY
    or SECRET_KEY == DEVELOPMENT_SECRET_KEY
    or SECRET_KEY.startswith("django-insecure")
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "Production needs a real SECRET_KEY: at least 50 characters, not the development key. "
        "Set the SECRET_KEY environment variable."
    )

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public origin used in absolute links (QR stamps, emails, canonical URLs). Unset (development),
# links take the origin of the request being served (core.site.site_url).
SITE_URL = env("SITE_URL").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "graphene_django",
    "core",
    "sellers",
    "catalog",
    "marketplace",
    "marketplace.offers",
    "marketplace.places",
    "marketplace.storefront",
    "marketplace.orders",
    "marketplace.payments",
    "marketplace.ledger",
    "marketplace.fairs",
    "traceability",
    "search",
]

MIDDLEWARE = [
    # /healthz and /readyz, before host checks, the HTTPS redirect and sessions (core.health).
    "core.health.HealthCheckMiddleware",
    # One line per request with its id, status, duration and SQL count (core.request_log).
    "core.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.site.SiteOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.headers.PermissionsPolicyMiddleware",
]


def _inline_style_hash(template: Path) -> str:
    """The CSP source allowing the one inline <style> of ``template``: the 500 page keeps its
    style inline so that it renders even when static files are what broke."""
    css = re.search(r"<style>(.*?)</style>", template.read_text(encoding="utf-8"), re.S)[1]
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


# Content-Security-Policy (django-csp; Django 5.2 has none of its own). Scripts and styles come
# from this origin only: there is no inline script (the card page's is a static file), so no
# nonce is needed — a nonce could not survive the page cache anyway, which serves one rendering
# to every visitor. Stripe's Payment Element needs its script, frames and API; style attributes
# stay allowed for the widths of score bars. GraphiQL (DEBUG only) is exempt: its files are this
# site's own (templates/graphene/graphiql.html), but it is not checked against the policy.
# The /diem-ban/ map's tiles (Leaflet ships in the static files): OpenStreetMap's by default;
# POINTS_MAP_TILES_URL="" draws markers without tiles (tests, a kiosk without network). The
# tile server's origin is allowed in img-src.
POINTS_MAP_TILES_URL = os.environ.get(
    "POINTS_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
POINTS_MAP_ATTRIBUTION = env(
    "POINTS_MAP_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
_TILES_ORIGIN = re.match(r"https?://[^/{}]+", POINTS_MAP_TILES_URL)
STRIPE_CSP_SCRIPT = ["https://js.stripe.com", "https://*.js.stripe.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *STRIPE_CSP_SCRIPT],
        "style-src": [SELF, _inline_style_hash(BASE_DIR / "templates" / "500.html")],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [
            SELF,
            "data:",
            "https://*.stripe.com",
            *([_TILES_ORIGIN[0]] if _TILES_ORIGIN else []),
        ],
        "font-src": [SELF],
        "connect-src": [SELF, "https://api.stripe.com"],
        "frame-src": [*STRIPE_CSP_SCRIPT, "https://hooks.stripe.com"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "marketplace.orders.context_processors.cart",
                "marketplace.storefront.context_processors.shop",
            ],
        },
    }
]

DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "0")))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Import transactions write thousands of rows; give concurrent readers time instead of
    # failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles the plan of every query the planner thinks expensive: on the listing's
    # subqueries that was 145 ms of LLVM emission to save a few ms of execution. Short OLTP
    # queries never win from it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # Redis down must not mean the site down: the degrading backend answers misses and drops
    # writes (logged, counted), and the short timeouts keep a vanished server from stalling
    # every request (core/degradation.py). Sessions are in the database, not here.
    _REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    CACHES = {
        "default": {
            "BACKEND": "core.degradation.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": _REDIS_OPTIONS,
        },
        "catalogue": {
            "BACKEND": "core.degradation.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "catalogue",
            "OPTIONS": _REDIS_OPTIONS,
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "catalogue": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "catalogue",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }

# Public catalogue reads (storefront pages, anonymous GraphQL queries) are cached under a version
# that changes after every committed write to a table they could read (core.catalogue_cache).
# 0 turns the cache off. The timeout only bounds what a lost version change could leave behind.
CATALOGUE_CACHE_TIMEOUT = int(env("CATALOGUE_CACHE_TIMEOUT", "600"))
# Busy tables that no cached read looks at (tests/core/test_catalogue_cache.py checks that):
# writing to them leaves the cache alone. Every other table's writes change the version.
CATALOGUE_CACHE_IGNORED_MODELS = [
    "sessions.Session",
    "admin.LogEntry",
    "auth.User",
    "sellers.ApiToken",
    "orders.Cart",
    "orders.CartLine",
    "orders.CartDelivery",
    "orders.Reservation",
    "orders.Order",
    "orders.OrderLine",
    "orders.OrderEvent",
    "orders.Allocation",
    "payments.Payment",
    "payments.ProviderEvent",
    "payments.BankNotification",
    "ledger.LedgerEntry",
    "ledger.Payout",
    "traceability.Scan",
    "traceability.Stamp",
    "core.Job",
    "core.JobFile",
    "catalog.CertificateReminder",
]
# Sales and offer edits bump only the products and sellers they touch (core.catalogue_cache,
# "Fine-grained scopes"): the tables whose writes are announced row by row, and the tables
# rewritten from those announcements in the same transaction.
CATALOGUE_CACHE_SCOPED_MODELS = ["offers.Offer", "offers.Stock"]
CATALOGUE_CACHE_DERIVED_MODELS = [
    "search.SearchDocument",
    "search.SearchMatch",
    "search.SearchTerm",
    "search.SearchPrefix",
    "search.SearchOutbox",
    "search.SearchIndexState",
    "search_fts",
]
# Part of every cache key, with a digest of the code, templates and translations: set it to the
# image tag or commit to start a deploy with fresh keys whatever changed.
RELEASE = env("RELEASE", "")

# Behind a reverse proxy every request comes from the proxy: name the request.META key it fills
# with the client's address (e.g. HTTP_X_REAL_IP) so rate limits count clients, not the proxy.
RATELIMIT_CLIENT_IP_META = env("RATELIMIT_CLIENT_IP_META")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
# Each language is named in itself in the switch, so these stay untranslated.
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# core/static is the core app's own static directory, found by the app-directories finder;
# listing it again here made collectstatic see every file twice and, in a clean clone where the
# directory is still empty (git keeps no empty directories), failed `check --deploy` (W004).
STATICFILES_DIRS: list[Path] = []
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Open data snapshots (catalog/opendata.py), one directory per date, served at /du-lieu-mo/.
OPEN_DATA_ROOT = MEDIA_ROOT / "open-data"
# Django serves MEDIA_ROOT itself (core.media) in development; in production the proxy does.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
# Files of background jobs (core.JobFile: an uploaded registry list, a rendered stamp run). Kept
# outside MEDIA_ROOT because MEDIA_ROOT is public (the proxy serves it): these are handed out only
# by views that check who asks. Web and worker processes must share the directory (compose: a
# volume). Read when first used (core.storage), so tests can point it elsewhere.
JOB_FILES_ROOT = Path(env("JOB_FILES_ROOT", str(BASE_DIR / "private" / "jobs")))
# How long finished jobs (and their files) are kept before the daily cleanup deletes them
# (core.jobs.jobs_cleanup): a success is only a record; a failure is kept longer to be looked at.
JOBS_KEEP_DONE_DAYS = int(env("JOBS_KEEP_DONE_DAYS", "30"))
JOBS_KEEP_FAILED_DAYS = int(env("JOBS_KEEP_FAILED_DAYS", "90"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "jobs": {"BACKEND": "core.storage.JobFileStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "OCOP Marketplace <no-reply@ocop.local>")

# Background work (Celery, marketplace/celery.py; jobs recorded in core.Job). With a broker URL
# (compose: a Redis of its own; amqp://user:pass@host:5672// for RabbitMQ) tasks go to the
# worker and beat runs the schedule below. Without one (development, tests) tasks run eagerly in
# the process that enqueued them, once its transaction commits: `manage.py runserver` needs no
# other server, and each test sees a task's effect as soon as its transaction commits.
# "memory://" (the default) is kombu's in-process transport: nothing is sent anywhere.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://")
# A task that fails in eager mode is recorded on its job (core.jobs), never raised into the
# request that enqueued it (a checkout must not fail because a mail server is down).
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
# A worker process killed mid-task leaves its message to be delivered again (the job record
# makes the second run skip finished work).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# No result backend: outcomes are kept on core.Job rows, where the person who started them looks.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker logs through Django's LOGGING (JSON lines with the request id), not its own setup.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# What beat starts (times in Asia/Ho_Chi_Minh). Each entry goes through core.job_schedule, which
# records a core.Job, so every run shows in the admin; each task is idempotent.
CELERY_BEAT_SCHEDULE = {
    "certificates-daily": {
        # Expiry, then the re-evaluation and expiry reminders (catalog.reminders), each once.
        "task": "core.job_schedule",
        "schedule": crontab(hour=0, minute=15),
        "args": ["catalog.certificates_daily"],
    },
    "stock-windows-turn": {
        # A fair booth's units start (first day) and stop (the day after the last) counting as
        # in stock with the date alone: search documents and cached pages are told.
        "task": "core.job_schedule",
        "schedule": crontab(hour=0, minute=5),
        "args": ["offers.stock_windows_turn"],
    },
    "payments-expire-unpaid": {
        "task": "core.job_schedule",
        "schedule": crontab(minute=5),
        "args": ["payments.expire_unpaid"],
    },
    "fair-booth-fees-expire": {
        # Booth fees not paid by their day: the booth goes to the fair's waitlist.
        "task": "core.job_schedule",
        "schedule": crontab(hour=0, minute=25),
        "args": ["fairs.booth_fees_expire"],
    },
    "reservations-expire": {
        "task": "core.job_schedule",
        "schedule": crontab(minute=35),
        "args": ["orders.reservations_expire"],
    },
    "opendata-generate": {
        # /du-lieu-mo/: a new snapshot only when the published registry changed.
        "task": "core.job_schedule",
        "schedule": crontab(minute=45),
        "args": ["catalog.opendata_generate"],
    },
    "sessions-clear": {
        "task": "core.job_schedule",
        "schedule": crontab(hour=3, minute=30),
        "args": ["core.sessions_clear"],
    },
    "jobs-cleanup": {
        # Finished jobs past JOBS_KEEP_DONE_DAYS / JOBS_KEEP_FAILED_DAYS, with their files.
        "task": "core.job_schedule",
        "schedule": crontab(hour=3, minute=45),
        "args": ["core.jobs_cleanup"],
    },
    # Not a job itself: it republishes jobs the broker never took.
    "jobs-requeue": {"task": "core.jobs_requeue", "schedule": 600.0},
}
# Seconds before an unacknowledged message (its worker died) is delivered again (Redis broker).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600")),
}

# GraphQL: graphiql only while debugging; limits are enforced before any SQL runs.
GRAPHENE = {
    "SCHEMA": "api.schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": 100,
    "RELAY_CONNECTION_ENFORCE_FIRST_OR_LAST": False,
}
GRAPHQL_MAX_DEPTH = int(env("GRAPHQL_MAX_DEPTH", "12"))
GRAPHQL_MAX_ALIASES = int(env("GRAPHQL_MAX_ALIASES", "15"))
GRAPHQL_MAX_COST = int(env("GRAPHQL_MAX_COST", "50000"))
# Checked before graphql-core's validation, whose cost grows faster than the document
# (core/graphql/document.py). The largest query the clients send is ~160 tokens (introspection).
GRAPHQL_MAX_TOKENS = int(env("GRAPHQL_MAX_TOKENS", "2000"))
GRAPHQL_MAX_OPERATIONS = int(env("GRAPHQL_MAX_OPERATIONS", "10"))
GRAPHQL_MAX_FIELDS = int(env("GRAPHQL_MAX_FIELDS", "500"))
GRAPHQL_MAX_DIRECTIVES = int(env("GRAPHQL_MAX_DIRECTIVES", "50"))
GRAPHQL_MAX_SAME_NAMED_FIELDS = int(env("GRAPHQL_MAX_SAME_NAMED_FIELDS", "10"))
# __schema/__type queries: open while debugging, closed in production unless opened here.
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", DEBUG)

# QR stamps: signing keys "kid:secret,kid2:secret2" (one-character ids A–Z/2–7; the first signs
# new stamps, every listed key still verifies) and the pepper of scratch-off PIN hashes. Empty
# means keys derived from SECRET_KEY (traceability/signing.py).
STAMP_SIGNING_KEYS = env("STAMP_SIGNING_KEYS")
STAMP_PIN_PEPPER = env("STAMP_PIN_PEPPER")
# The key scratch-off PINs are derived from (HMAC of run and serial), so the job that draws a
# run's labels can print them again; the database holds only their hashes (under the pepper).
# Changing it keeps every PIN verifying but stops older runs' PINs being printed again.
STAMP_PIN_KEY = env("STAMP_PIN_KEY")

# Orders: the fee of a seller who set no delivery rule, and how long stock is held for a buyer
# whose payment is under way.
ORDERS_DEFAULT_SHIPPING_FEE = int(env("ORDERS_DEFAULT_SHIPPING_FEE", "30000"))
ORDERS_RESERVATION_MINUTES = int(env("ORDERS_RESERVATION_MINUTES", "15"))
# How long the signed order link in the buyer's e-mails opens the order page.
ORDERS_LINK_MAX_AGE_DAYS = int(env("ORDERS_LINK_MAX_AGE_DAYS", "30"))
# Cash on delivery without an account, per e-mail address or phone number in 24 hours: at most
# this many checkouts and this many đồng (marketplace/payments/cod.py).
ORDERS_ANONYMOUS_COD_PER_DAY = int(env("ORDERS_ANONYMOUS_COD_PER_DAY", "3"))
ORDERS_ANONYMOUS_COD_MAX_TOTAL = int(env("ORDERS_ANONYMOUS_COD_MAX_TOTAL", "5000000"))
# Commission in basis points (500 = 5 %) for sellers without a rate of their own.
LEDGER_DEFAULT_COMMISSION_BP = int(env("LEDGER_DEFAULT_COMMISSION_BP", "500"))

# Search (core.search): the backend by name; both keep the database documents current, the
# Elasticsearch one also sends them to ELASTICSEARCH_URL through an outbox.
SEARCH_BACKEND = env("SEARCH_BACKEND", "database")
SEARCH_BACKENDS = {
    "database": "search.backends.database.DatabaseBackend",
    "elasticsearch": "search.backends.elastic.ElasticsearchBackend",
}
if SEARCH_BACKEND not in SEARCH_BACKENDS:
    raise ImproperlyConfigured(
        f"SEARCH_BACKEND must be one of {', '.join(SEARCH_BACKENDS)}, not {SEARCH_BACKEND!r}."
    )
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL")
if SEARCH_BACKEND == "elasticsearch" and not ELASTICSEARCH_URL:
    raise ImproperlyConfigured("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL.")
# Name of the Elasticsearch alias; each rebuild fills a new index "<alias>-<timestamp>" behind it.
ELASTICSEARCH_INDEX = env("ELASTICSEARCH_INDEX", "ocop-search")

STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env("STRIPE_API_BASE")
# Seconds to wait for each Stripe API call (the library's default is 80).
STRIPE_TIMEOUT_SECONDS = float(env("STRIPE_TIMEOUT_SECONDS", "10"))
# VietQR bank transfers go to the marketplace's own account (it pays sellers from its ledger).
VIETQR_BANK_BIN = env("VIETQR_BANK_BIN", "970436")
VIETQR_ACCOUNT = env("VIETQR_ACCOUNT", "0011000000001")
VIETQR_ACCOUNT_NAME = env("VIETQR_ACCOUNT_NAME", "CHO OCOP")
VIETQR_SERVICE = env("VIETQR_SERVICE", "QRIBFTTA")
# Shared with the bank connector that posts incoming transfers; empty refuses every notification.
BANK_NOTIFY_SECRET = env("BANK_NOTIFY_SECRET")
# Hours a VietQR order waits for its transfer before payments_expire_unpaid cancels it.
PAYMENTS_VIETQR_HOURS = int(env("PAYMENTS_VIETQR_HOURS", "48"))
# The admin's registry upload is imported by a background job (catalog.registry_import), so the
# limits only bound what one upload may carry through the web worker (a 200,000-row CSV is about
# 40 MB). Larger lists go through `manage.py import_registry`.
REGISTRY_ADMIN_MAX_ROWS = int(env("REGISTRY_ADMIN_MAX_ROWS", "300000"))
REGISTRY_ADMIN_MAX_BYTES = int(env("REGISTRY_ADMIN_MAX_BYTES", str(64 * 1024 * 1024)))

# JSON lines in production (log collectors parse them), readable text in development; every
# record carries the request id (core.request_log).
LOG_FORMAT = env("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'text', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_log.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.request_log.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# Accounts
LOGIN_URL = "account:login"
LOGIN_REDIRECT_URL = "account:my_account"
LOGOUT_REDIRECT_URL = "/"

# Error reporting: only with a DSN, so development, tests and CI send nothing anywhere.
SENTRY_DSN = env("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=MARKETPLACE_ENV,
        release=RELEASE or None,
        # No user names, e-mails, cookies or addresses leave the site.
        send_default_pii=False,
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
