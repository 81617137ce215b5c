"""Oscar's basket page, answered from the page cache for a visitor who has seen it before.

The page shows nothing of the visitor but their basket (its lines, offers, vouchers, the
delivery charge and the products bought with them), so a visitor's basket page is cached per
basket (``shop.page_cache``: ``page_cacheable = "basket"``), under the basket's own version
besides the catalogue's, the recommendations' and the CMS's. Signed-in customers' basket
pages show their points, saved items and "Buy it again", and always render.
"""

from oscar.apps.basket import views as oscar_views


class BasketView(oscar_views.BasketView):
    page_cacheable = "basket"
