from wagtail import hooks
from wagtail.admin.userbar import ContentCheckerItem

from shop.pages.viewsets import category_chooser_viewset, product_chooser_viewset


@hooks.register("register_admin_viewset")
def register_product_chooser_viewset():
    return product_chooser_viewset


@hooks.register("register_admin_viewset")
def register_category_chooser_viewset():
    return category_chooser_viewset


@hooks.register("construct_wagtail_userbar")
def userbar_content_checks_in_preview_only(request, items, page):
    """The content checks ("Checks" and its count on the bird) only in the editor's preview.

    On the live storefront they judge the whole page, Oscar's header, product cards and
    basket included, which editors cannot change: a standing count there teaches them to
    ignore it. In the page editor's preview panel the same checks run on the page being
    edited, where acting on them is the editor's job.
    """
    if getattr(request, "in_preview_panel", False):
        return
    items[:] = [item for item in items if not isinstance(item, ContentCheckerItem)]
