from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo_catalogue(django_db_setup, django_db_blocker):
    """The demo catalogue (``load_demo`` + ``load_demo_shop``), loaded once per module inside a
    transaction that is rolled back afterwards; tests run in savepoints within it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", stdout=StringIO())
            call_command("load_demo_shop", stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_catalogue, db):
    """Per test: the demo catalogue, with the test's own writes rolled back."""
