import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the (process-wide, in-memory) cache: each test starts clean.
    cache.clear()
    yield
    cache.clear()
