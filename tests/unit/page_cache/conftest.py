# The storefront's small test store and home page, shared with the pages tests.
from tests.unit.pages.conftest import Store, home_page, store  # noqa: F401
