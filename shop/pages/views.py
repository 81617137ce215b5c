from django.http import HttpRequest, HttpResponse
from wagtail import views as wagtail_views

from shop.page_cache.middleware import page_cacheable


@page_cacheable
def home_page_serve(request: HttpRequest) -> HttpResponse:
    """The site's Wagtail home page at "/", from the page cache for a visitor.

    Only the home page: Wagtail's other pages may be restricted by a password kept in the
    session, which a page shared by every visitor cannot honour.
    """
    return wagtail_views.serve(request, "")
