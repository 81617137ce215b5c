import pytest
from django.core.cache import cache

from preorders import selectors


@pytest.fixture(autouse=True)
def _fresh_preorder_cache():
    cache.delete(selectors.PREORDER_PRODUCT_IDS_CACHE_KEY)
    yield
    cache.delete(selectors.PREORDER_PRODUCT_IDS_CACHE_KEY)
