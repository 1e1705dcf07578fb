import datetime
from decimal import Decimal

import pytest

from catalog.models import CertificateStatus
from tests.factories import certified_product


@pytest.mark.django_db
def test_certified_product_gets_three_stars_for_three_years():
    _product, evaluation, certificate = certified_product(total="69.25")
    assert evaluation.total_score == Decimal("69.25")
    assert certificate.stars == 3
    assert certificate.valid_until == datetime.date(2029, 8, 5)
    assert certificate.status == CertificateStatus.ACTIVE
