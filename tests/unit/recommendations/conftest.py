import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Served lists and rows are cached, and the local-memory cache outlives each test's
    database: every test starts and leaves it empty."""
    cache.clear()
    yield
    cache.clear()
