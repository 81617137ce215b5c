"""Oscar's product page with the product read in one go (Oscar loads it with get_class).

Oscar's view fetches the bare product; its templates then ask for the product class, the
images (gallery and primary image separately), the stock record (three purchase-info tags)
and the option flags, each a query of its own. The queryset below loads what the page reads
with the product: the class joined, options annotated, stock records and images prefetched,
the same way every product card of the store is loaded.

Oscar's ``product_viewed`` signal is sent by the page's recently viewed products, a page hole
(``shop.page_cache.storefront_holes``), not by the view.
"""

from oscar.apps.catalogue import views as oscar_views

from shop.apps.catalogue.selectors import product_cards_queryset


class ProductDetailView(oscar_views.ProductDetailView):
    # A visitor's product page comes from the page cache (shop.page_cache.middleware).
    page_cacheable = True

    def get_queryset(self):
        return product_cards_queryset()

    def send_signal(self, request, response, product):
        # The page's "recently viewed" hole sends ``product_viewed`` (the recently viewed
        # cookie, the view count), so that a page served from the cache records the view too.
        pass
