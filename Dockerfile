# OCOP Marketplace: the web process (gunicorn) used by docker-compose.yml. Static files are
# collected at build time and served by whitenoise; uploaded media go to the /app/media volume.
# No gunicorn access log: the application writes one structured line per request itself.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # gunicorn itself reads WEB_CONCURRENCY as its worker count; docker-compose.yml overrides it.
    WEB_CONCURRENCY=3

WORKDIR /app
COPY . .

RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin ocop \
    && mkdir -p /app/staticfiles /app/media /app/private/jobs \
    # Collect with the production storage (hashed names and the manifest production looks up).
    # Settings refuse production without a key and hosts: these throwaway values live only in
    # this build step; the running container gets real ones from its environment.
    && MARKETPLACE_ENV=production \
       SECRET_KEY=build-only-collectstatic-key-never-used-at-runtime-0123456789abcdef \
       ALLOWED_HOSTS=build.invalid \
       DATABASE_URL=sqlite:////tmp/build.sqlite3 \
       python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3 \
    && chown -R ocop:ocop /app/media /app/private

USER ocop
EXPOSE 8000

CMD ["gunicorn", "marketplace.wsgi:application", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--timeout", "60", "--error-logfile", "-"]
