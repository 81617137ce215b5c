from wagtail import hooks

from shop.pages.viewsets import category_chooser_viewset, product_chooser_viewset


@hooks.register("register_admin_viewset")
def register_product_chooser_viewset():
    return product_chooser_viewset


@hooks.register("register_admin_viewset")
def register_category_chooser_viewset():
    return category_chooser_viewset
