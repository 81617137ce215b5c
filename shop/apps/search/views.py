"""Catalogue browsing and product search straight from the database.

Oscar 4.2 lists products through haystack. Without a search server (haystack's
SimpleEngine) its structure filter matches nothing, so the catalogue shows no products; with
Whoosh or Solr every listing is a search round trip plus a query per card, and the index must
be kept in sync with stock and prices. A campus store sells a few hundred products: the
database answers a listing with one paginated query and two prefetches and is never stale.
Oscar's catalogue app loads these classes with ``get_class("search.views", ...)``, so the
catalogue, category and search URLs use them without any URL changes.
"""

from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.apps.search.signals import user_search
from oscar.core.loading import get_class, get_model

from shop.apps.catalogue.selectors import product_listing
from shop.page_cache.holes import page_cache_store_skip

ProductListingForm = get_class("search.forms", "ProductListingForm")
Category = get_model("catalogue", "Category")


class ProductListingView(ListView):
    paginate_by = settings.OSCAR_PRODUCTS_PER_PAGE
    # A visitor's listing comes from the page cache (shop.page_cache.middleware).
    page_cacheable = True
    context_object_name = "products"

    def get(self, request, *args, **kwargs):
        self.form = ProductListingForm(request.GET)
        self.criteria = self.form.cleaned_data if self.form.is_valid() else {}
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            if self.page_kwarg not in request.GET:
                raise
            # A stale or mistyped page number: back to the first page of the same listing.
            messages.error(request, _("The given page number was invalid."))
            query = request.GET.copy()
            del query[self.page_kwarg]
            return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)

    def listing_category(self):
        return None

    def get_queryset(self):
        return product_listing(
            category=self.listing_category(),
            query=self.criteria.get("q", ""),
            sort_by=self.criteria.get("sort_by", ""),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Oscar's templates read the form as ``form`` (sort box) and ``search_form`` (query).
        context["form"] = context["search_form"] = self.form
        context["query"] = self.criteria.get("q", "")
        context["page"] = context["page_obj"]
        return context


class CatalogueView(ProductListingView):
    template_name = "oscar/catalogue/browse.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = _("All products")
        return context


class ProductCategoryView(ProductListingView):
    template_name = "oscar/catalogue/category.html"
    # Categories are fetched by primary key so a renamed slug still resolves: redirect to it.
    enforce_paths = True

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=kwargs["pk"])
        # Staff may look at a hidden category to check its layout, as in Oscar.
        if not (self.category.is_public or request.user.is_staff):
            raise Http404()
        expected_path = self.category.get_absolute_url()
        if self.enforce_paths and unquote(expected_path) != unquote(request.path):
            return HttpResponsePermanentRedirect(expected_path)
        return super().get(request, *args, **kwargs)

    def listing_category(self):
        return self.category

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        return context


class FacetedSearchView(ProductListingView):
    """Oscar's search URL (``search:search``), answered by the database."""

    template_name = "oscar/search/results.html"
    context_object_name = "results"

    def get(self, request, *args, **kwargs):
        # Oscar's analytics app listens to this signal to count searches.
        user_search.send(
            sender=self, session=request.session, user=request.user, query=request.GET.get("q", "")
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Anyone can search for any words: only searches that found products are kept in the
        # page cache, so made-up words do not fill it.
        if not context["paginator"].count:
            page_cache_store_skip(request=self.request)
        return context
