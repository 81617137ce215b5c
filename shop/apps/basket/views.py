"""Oscar's basket page, answered from the page cache for a visitor who has seen it before.

The page shows nothing of the visitor but their basket (its lines, offers, vouchers, the
delivery charge and the products bought with them), so a visitor's basket page is cached per
basket (``shop.page_cache``: ``page_cacheable = PER_BASKET``), under the basket's own version
besides the catalogue's, the recommendations' and the CMS's. Signed-in customers' basket
pages show their points, saved items and "Buy it again", and always render.

Showing the page only reads, so it runs outside the request-wide transaction
(``ATOMIC_REQUESTS``: a BEGIN and a COMMIT, two round trips); changing the basket's lines
(the form posted to it) writes in one.
"""

from django.db import transaction
from django.utils.decorators import method_decorator
from oscar.apps.basket import views as oscar_views

from shop.page_cache.middleware import PER_BASKET


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class BasketView(oscar_views.BasketView):
    page_cacheable = PER_BASKET

    @method_decorator(transaction.atomic)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
