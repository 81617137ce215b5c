"""The storefront's holes: what a cached page fills in for each request.

Found by comparing two visitors' pages: the CSRF token of every form, the basket (header
summary with its drop-down, and the small screens' basket button), the messages, the URL the
language switcher returns to, and on a product page the recently viewed products (with the
view itself recorded). Then two signed-in customers' pages: the account links (notifications
badge, staff workplaces), and on a product page the wish lists, the stock alert and the
reviews (the "Write a review" button, the invitation to write one, the reader's own review
and votes). The personal
recommendation rows are holes of ``recommendations.page_holes``. Each renders a small
template without context processors, which would put per-request values of their own into it.
"""

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from oscar.apps.catalogue.signals import product_viewed
from oscar.core.loading import get_class, get_model

from shop.apps.basket.selectors import visitor_basket_id
from shop.apps.customer.selectors import notifications_unread_count
from shop.page_cache.holes import page_hole_cookie_set, page_hole_register
from shop.page_cache.selectors import (
    basket_summary_cache_key,
    page_cache_lookup,
    page_cache_store,
)
from shop.request_memo import request_memo_read
from staff.selectors import staff_workplaces

CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")
ProductAlertForm = get_class("customer.forms", "ProductAlertForm")
Product = get_model("catalogue", "Product")
ProductAlert = get_model("customer", "ProductAlert")


@page_hole_register("csrf_token")
def csrf_token(request: HttpRequest) -> str:
    # Also marks the CSRF cookie to be sent, as {% csrf_token %} would.
    return escape(get_token(request))


@page_hole_register("request_full_path")
def request_full_path(request: HttpRequest) -> str:
    return escape(request.get_full_path())


# A basket never saved (a visitor who has not added anything: most of a cached page's readers)
# looks the same to everyone in a language, so each worker renders it once per language.
_unsaved_basket_html: dict[tuple[str, str], str] = {}
_BASKET_SUMMARY_TEMPLATES = (
    "oscar/partials/mini_basket.html",
    "oscar/partials/navbar_basket.html",
)
# The summaries of this request's basket, read or rendered once for both holes.
_BASKET_SUMMARIES = "page_cache_basket_summaries"


def _basket_partial(*, request: HttpRequest, template_name: str) -> str:
    summaries = getattr(request, _BASKET_SUMMARIES, None)
    if summaries is None:
        summaries = _basket_summaries(request=request)
        setattr(request, _BASKET_SUMMARIES, summaries)
    return summaries[template_name]


def _basket_summaries(*, request: HttpRequest) -> dict[str, str]:
    """The header's basket summaries for this request, by template.

    A visitor's saved basket: from the cache (one round trip for both), rendered and kept
    on a miss; loading the basket applies its offers, several queries on every page a
    shopper with a full basket opens.
    """
    key = basket_summary_cache_key(request=request)
    entry, versions = page_cache_lookup(key=key) if key is not None else (None, None)
    if entry is not None:
        return entry["html"]
    summaries = {
        name: _basket_summary_render(request=request, template_name=name)
        for name in _BASKET_SUMMARY_TEMPLATES
    }
    # Kept only for the basket the cookie names (not one Oscar found closed and replaced).
    if versions is not None and request.basket.id == visitor_basket_id(request=request):
        page_cache_store(
            key=key,
            versions=versions,
            entry={"html": summaries},
            timeout=settings.PAGE_CACHE_TIMEOUT_SECONDS,
        )
    return summaries


def _basket_summary_render(*, request: HttpRequest, template_name: str) -> str:
    if request.basket.id is not None:
        return render_to_string(template_name, {"request": request})
    key = (template_name, translation.get_language() or "")
    html = _unsaved_basket_html.get(key)
    if html is None:
        html = _unsaved_basket_html[key] = render_to_string(template_name, {"request": request})
    return html


@page_hole_register("mini_basket")
def mini_basket(request: HttpRequest) -> str:
    return _basket_partial(request=request, template_name="oscar/partials/mini_basket.html")


@page_hole_register("navbar_basket")
def navbar_basket(request: HttpRequest) -> str:
    return _basket_partial(request=request, template_name="oscar/partials/navbar_basket.html")


@page_hole_register("messages")
def messages(request: HttpRequest) -> str:
    return render_to_string(
        "oscar/partials/messages_shown.html", {"messages": get_messages(request)}
    )


@page_hole_register("product_viewed")
def product_viewed_recorded(request: HttpRequest, *, product_id: int | None) -> str:
    """The products this visitor viewed before, then the view of this one recorded.

    Oscar's ``product_viewed`` receivers keep the recently viewed cookie and count the view
    (analytics); they are sent here instead of by the view so that a page served from the
    cache records the view too. They set the cookie on a response of their own, which the
    page-cache middleware copies onto the real one.
    """
    # Most readers have no history yet (no cookie): nothing to read and nothing to show.
    earlier_ids = [
        viewed_id
        for viewed_id in CustomerHistoryManager.extract(request)
        if viewed_id != product_id
    ]
    viewed = (
        [product for product in CustomerHistoryManager.get(request) if product.pk != product_id]
        if earlier_ids
        else []
    )
    html = (
        render_to_string(
            "oscar/customer/history/recently_viewed_products.html",
            {"products": viewed, "request": request, "csrf_token": get_token(request)},
        )
        if viewed
        else ""
    )
    if product_id is None:
        return html
    cookie_holder = HttpResponse()
    product_viewed.send(
        sender=Product,
        product=Product(pk=product_id),
        user=request.user,
        request=request,
        response=cookie_holder,
    )
    for key, morsel in cookie_holder.cookies.items():
        page_hole_cookie_set(request=request, key=key, morsel=morsel)
    return html


@page_hole_register("account_links")
def account_links(request: HttpRequest) -> str:
    user = request.user
    return render_to_string(
        "oscar/partials/nav_account_links.html",
        {
            "num_unread_notifications": notifications_unread_count(user=user),
            "workplaces": staff_workplaces(user=user),
        },
    )


@page_hole_register("wish_lists")
def wish_lists(request: HttpRequest, *, product_id: int) -> str:
    """The "Add to wish list" menu: the signed-in customer's own lists."""
    return render_to_string(
        "oscar/catalogue/partials/add_to_wishlist.html",
        {"user": request.user, "product": Product(pk=product_id), "csrf_token": get_token(request)},
    )


@page_hole_register("stock_alert")
def stock_alert(request: HttpRequest, *, product_id: int) -> str:
    """For a product out of stock: the customer's active alert, or the form to ask for one."""
    product = Product(pk=product_id)
    user = request.user
    has_active_alert = (
        user.is_authenticated
        and ProductAlert.objects.filter(
            product_id=product_id, user=user, status=ProductAlert.ACTIVE
        ).exists()
    )
    return render_to_string(
        "oscar/catalogue/partials/stock_alert.html",
        {
            "product": product,
            "has_active_alert": has_active_alert,
            "alert_form": ProductAlertForm(user=user, product=product),
            "csrf_token": get_token(request),
        },
    )


def _review_permitted(*, request: HttpRequest, product_id: int) -> bool:
    """Whether the reader may review the product (not yet reviewed it): one query a page."""
    return request_memo_read(
        key=f"catalogue:review-permitted:{product_id}",
        load=lambda: Product(pk=product_id).is_review_permitted(request.user),
    )


@page_hole_register("review_write_link")
def review_write_link(request: HttpRequest, *, product_id: int, slug: str) -> str:
    """The "Write a review" button, for a reader who has not reviewed the product yet."""
    return render_to_string(
        "oscar/catalogue/reviews/partials/review_write_link.html",
        {
            "product": Product(pk=product_id, slug=slug),
            "review_permitted": _review_permitted(request=request, product_id=product_id),
        },
    )


@page_hole_register("product_reviews")
def product_reviews(request: HttpRequest, *, product_id: int, slug: str, approved: int) -> str:
    """The product's reviews as this reader sees them: their votes, an invitation to write one.

    ``approved``: how many approved reviews the product has; without any, the hole reads only
    whether the reader wrote one.
    """
    product = Product(pk=product_id, slug=slug)
    reviews = list(product.reviews.approved()[:3]) if approved else []
    return render_to_string(
        "oscar/catalogue/partials/product_reviews.html",
        {
            "product": product,
            "approved": approved,
            "reviews": reviews,
            "review_permitted": _review_permitted(request=request, product_id=product_id),
            "user": request.user,
            "csrf_token": get_token(request),
        },
    )
