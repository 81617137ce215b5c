"""Oscar's product page with the product read in one go (Oscar loads it with get_class).

Oscar's view fetches the bare product; its templates then ask for the product class, the
images (gallery and primary image separately), the stock record (three purchase-info tags)
and the option flags, each a query of its own. The queryset below loads what the page reads
with the product: the class joined, options annotated, stock records and images prefetched,
the same way every product card of the store is loaded, and the approved reviews counted in
the same query (Oscar's ``num_approved_reviews`` is a cached property: the annotation of that
name fills it, so the page's three uses of it cost no query of their own).

Oscar's ``product_viewed`` signal is sent by the page's recently viewed products, a page hole
(``shop.page_cache.storefront_holes``), not by the view. The view itself only reads, so it
runs outside the request-wide transaction (``ATOMIC_REQUESTS``): the BEGIN and COMMIT would be
two more round trips on the page shoppers open most. The one write a view of the page causes,
a member's own view records, is made in a transaction of its own
(``shop.apps.catalogue.receivers``).
"""

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.decorators import method_decorator
from oscar.apps.catalogue import views as oscar_views
from oscar.core.loading import get_model

from shop.apps.catalogue.selectors import product_cards_queryset

ProductReview = get_model("reviews", "ProductReview")


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ProductDetailView(oscar_views.ProductDetailView):
    # A visitor's or customer's product page comes from the page cache (shop.page_cache).
    page_cacheable = True

    def get_queryset(self):
        approved = (
            ProductReview.objects.approved()
            .filter(product=OuterRef("pk"))
            .order_by()
            .values("product")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return product_cards_queryset().annotate(
            num_approved_reviews=Coalesce(Subquery(approved), Value(0))
        )

    def send_signal(self, request, response, product):
        # The page's "recently viewed" hole sends ``product_viewed`` (the recently viewed
        # cookie, the view count), so that a page served from the cache records the view too.
        pass

    def get_alert_status(self):
        # The page's stock alert is a hole (``shop.page_cache.storefront_holes``) that reads
        # the customer's alert itself, cached page or not.
        return False
