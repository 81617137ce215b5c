from django.urls import reverse
from oscar.apps.search.context_processors import search_form as oscar_search_form


def search_form(request):
    """Oscar's storefront search form in every template, except the Wagtail CMS's.

    Wagtail's listings render a ``search_form`` from their context when they have one: a
    listing without search of its own (campaigns, recommendation rules) would otherwise show
    the storefront's product search and its "Relevancy / Customer rating" sort over the page.
    """
    if request.path.startswith(reverse("wagtailadmin_home")):
        return {}
    return oscar_search_form(request)
