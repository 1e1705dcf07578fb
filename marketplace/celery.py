"""The Celery application: `celery -A marketplace worker` and `celery -A marketplace beat`.

Configuration is read from Django's settings (every ``CELERY_*`` name, see settings.py); tasks
are found in each installed app's ``tasks`` module. Tasks are declared with ``shared_task`` and
the job base class in ``core.jobs``, so no package imports this module.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

app = Celery("marketplace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
