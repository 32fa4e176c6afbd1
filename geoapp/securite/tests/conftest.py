import pytest


@pytest.fixture(autouse=True)
def _counts_cleared():
    """Counts live a window in Redis: a test starts from none (only this test run's key prefix)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
