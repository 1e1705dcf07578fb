import datetime

import pytest
from django.conf import settings

from catalog.models import Certificate


@pytest.fixture
def en_client(client):
    """A browser that has chosen English (what the language switch leaves behind)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def backdate(certificate: Certificate, *, valid_until: datetime.date) -> Certificate:
    """Move a certificate's validity into the past while leaving its status "active": the
    state between the end of validity and the daily expiry job."""
    valid_from = valid_until.replace(year=valid_until.year - 3)
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_from=valid_from, valid_until=valid_until
    )
    certificate.refresh_from_db()
    return certificate
