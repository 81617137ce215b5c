"""Forget the cached header menu and catalogue HTML whenever what they show may have changed.

Saves and deletes send Django's signals; treebeard moves and deletes whole subtrees with
queryset updates and sends its own signals for them. Oscar's stock allocation updates the
row with a queryset update too, but sends ``post_save`` itself.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from oscar.apps.analytics import receivers as oscar_analytics_receivers
from oscar.apps.catalogue.signals import product_viewed
from oscar.core.loading import get_model
from treebeard.mp_tree import nodes_deleted, path_updated

from loyalty.models import MemberType
from shop.apps.catalogue.selectors import catalogue_version_forget, menu_categories_forget
from shop.apps.catalogue.services import product_view_record

Category = get_model("catalogue", "Category")
UserRecord = get_model("analytics", "UserRecord")
UserProductView = get_model("analytics", "UserProductView")

# Every model a product card reads (title, image, price, member price, availability), and
# the offers and ranges, so that HTML cached under the catalogue version never outlives a
# change a shopper could see. The pre-order state is forgotten by preorders' receivers.
CATALOGUE_VERSION_SENDERS = [
    get_model("catalogue", "Product"),
    get_model("catalogue", "ProductClass"),
    get_model("catalogue", "ProductImage"),
    get_model("catalogue", "ProductCategory"),
    get_model("partner", "StockRecord"),
    get_model("offer", "ConditionalOffer"),
    get_model("offer", "Benefit"),
    get_model("offer", "Condition"),
    get_model("offer", "Range"),
    get_model("offer", "RangeProduct"),
    # The discounts a member price on a card is worked out from (loyalty.member_price).
    MemberType,
]


@receiver(
    [post_save, post_delete, path_updated, nodes_deleted],
    sender=Category,
    dispatch_uid="catalogue_menu_categories_forget",
)
def category_tree_changed(sender, **kwargs):
    menu_categories_forget()
    catalogue_version_forget()


def catalogue_changed(sender, **kwargs):
    catalogue_version_forget()


# A range's own product, class and category lists (Oscar's dashboard adds and removes
# excluded products through them) change its members without a save of the range.
Range = get_model("offer", "Range")
RANGE_MEMBERSHIP_LISTS = [
    Range.excluded_products.through,
    Range.classes.through,
    Range.included_categories.through,
    Range.excluded_categories.through,
]

for _sender in CATALOGUE_VERSION_SENDERS:
    for _signal in (post_save, post_delete):
        _signal.connect(
            catalogue_changed,
            sender=_sender,
            dispatch_uid=f"catalogue_version_forget_{_sender._meta.label_lower}",
        )

for _through in RANGE_MEMBERSHIP_LISTS:
    m2m_changed.connect(
        catalogue_changed,
        sender=_through,
        dispatch_uid=f"catalogue_version_forget_{_through._meta.label_lower}",
    )


# Oscar's analytics receiver updates the product's view counter row on every product page
# view (sent by the page's recently viewed hole, on cached pages too), a row every shopper of
# that product waits for; the store counts the view in the cache instead and adds the counts
# every few minutes (``shop.apps.catalogue.services``). A member's own view records (Oscar's
# ``UserRecord`` and ``UserProductView``, shown on the dashboard's customer page) stay as
# Oscar writes them: each is that member's row, which no other shopper waits for. The hole
# renders outside any request transaction, so they are written in one of their own.
product_viewed.disconnect(oscar_analytics_receivers.receive_product_view)


@receiver(product_viewed, dispatch_uid="catalogue_product_view_counted")
def product_view_counted(sender, product, user, **kwargs):
    if kwargs.get("raw", False):
        return
    product_view_record(product_id=product.pk)
    if user and user.is_authenticated:
        with transaction.atomic():
            oscar_analytics_receivers._update_counter(
                UserRecord, "num_product_views", {"user": user}
            )
            UserProductView.objects.create(product=product, user=user)
