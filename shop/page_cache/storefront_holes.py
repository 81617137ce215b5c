"""The storefront's holes: what a visitor's cached page fills in for each request.

Found by comparing two visitors' pages: the CSRF token of every form, the basket (header
summary with its drop-down, and the small screens' basket button), the messages, the URL the
language switcher returns to, and on a product page the recently viewed products (with the
view itself recorded). Each renders a small template without context processors, which would
put per-request values of their own into it.
"""

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape
from oscar.apps.catalogue.signals import product_viewed
from oscar.core.loading import get_class, get_model

from shop.page_cache.holes import page_hole_cookie_set, page_hole_register

CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")
Product = get_model("catalogue", "Product")


@page_hole_register("csrf_token")
def csrf_token(request: HttpRequest) -> str:
    # Also marks the CSRF cookie to be sent, as {% csrf_token %} would.
    return escape(get_token(request))


@page_hole_register("request_full_path")
def request_full_path(request: HttpRequest) -> str:
    return escape(request.get_full_path())


@page_hole_register("mini_basket")
def mini_basket(request: HttpRequest) -> str:
    return render_to_string("oscar/partials/mini_basket.html", {"request": request})


@page_hole_register("navbar_basket")
def navbar_basket(request: HttpRequest) -> str:
    return render_to_string("oscar/partials/navbar_basket.html", {"request": request})


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
    viewed = [
        product for product in CustomerHistoryManager.get(request) if product.pk != product_id
    ]
    html = render_to_string(
        "oscar/customer/history/recently_viewed_products.html",
        {"products": viewed, "request": request, "csrf_token": get_token(request)},
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
