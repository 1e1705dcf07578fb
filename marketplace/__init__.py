# The Celery app is created when Django starts, so ``shared_task`` binds to it (Celery's Django
# pattern) and tasks enqueued from web processes use the configured broker.
from marketplace.celery import app as celery_app

__all__ = ("celery_app",)
