from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page, Site
from wagtail.search import index
from wagtail.url_routing import RouteResult

from shop.pages.blocks import PageBodyBlock
from shop.pages.selectors import product_lists_resolve


class StreamPage(Page):
    """A page made of body blocks; resolves every product list it shows in one go."""

    body = StreamField(PageBodyBlock(), blank=True, verbose_name=_("Body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Every block that lists products (hand-picked, category, recommendations) says what
        # it lists, so one query loads the cards of the whole page.
        specs = [
            block.block.product_list_spec(block.value, request=request)
            for block in self.body
            if hasattr(block.block, "product_list_spec")
        ]
        context["product_lists"] = product_lists_resolve(specs=specs, request=request)
        return context


class HomePage(StreamPage):
    """The store's front page, served at ``/``.

    Each content language has its own home page (translations of one another, the site's
    root being the default language's) and Wagtail routes a request from the one in the
    active language. ``max_count`` counts them all, so a new one is made only by "Translate".
    """

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["pages.ContentPage"]

    def route(self, request, path_components):
        # Every version's URL serves the version in the active language: a path this
        # language's tree lacks (a page not translated yet, or whose translation has its own
        # slug) is looked up in the other languages' trees, the site's own first, and the page
        # found is served in its live version in the active language, else as it is.
        try:
            return super().route(request, path_components)
        except Http404:
            pass
        site = Site.find_for_request(request)
        homes = sorted(
            self.get_translations().live().specific(),
            key=lambda home: site is None or home.pk != site.root_page_id,
        )
        for home in homes:
            try:
                page, args, kwargs = super(HomePage, home).route(request, path_components)
            except Http404:
                continue
            return RouteResult(page.localized.specific, args, kwargs)
        raise Http404

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")


class ContentPage(StreamPage):
    """About us, opening hours, campus delivery and the like."""

    introduction = models.CharField(
        _("introduction"),
        max_length=255,
        blank=True,
        help_text=_("One sentence shown under the title."),
    )

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    parent_page_types = ["pages.HomePage", "pages.ContentPage"]
    subpage_types = ["pages.ContentPage"]

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")
