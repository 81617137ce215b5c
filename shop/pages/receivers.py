"""Forget the cached header/footer menu whenever a page or site change could alter it, and
start a new CMS version (the key of visitors' cached pages) on every change the storefront
could show: a page published, unpublished, renamed, moved or deleted, a site, a setting, a
snippet or an image saved or deleted.

A page enters or leaves the menu, or changes its title or URL, only by being published,
unpublished, renamed (slug), moved or deleted; a site change can give the host another home page.

After every ``migrate`` Django's Site record names the store and its host from settings, and
every content language has its Wagtail Locale. A home page made in another language (by
"Translate") is one marketing may publish, as the site's own.
"""

from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.images.models import AbstractImage
from wagtail.models import Page, Site
from wagtail.signals import (
    copy_for_translation_done,
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
)
from wagtail.snippets.models import get_snippet_models

from shop.pages.models import HomePage
from shop.pages.selectors import cms_version_forget, menu_pages_forget
from shop.pages.services import editors_publish_grant, locales_install, site_record_sync


@receiver(
    [page_published, page_unpublished, page_slug_changed, post_page_move],
    dispatch_uid="pages_menu_forget",
)
@receiver(post_delete, sender=Page, dispatch_uid="pages_menu_forget_page_deleted")
@receiver([post_save, post_delete], sender=Site, dispatch_uid="pages_menu_forget_site")
def menu_may_have_changed(sender, **kwargs):
    menu_pages_forget()
    cms_version_forget()


# Settings, snippets and images have no signal of their own; a rendition is left out, since
# rendering a page creates them.
_CMS_MODEL_BASES = (BaseGenericSetting, BaseSiteSetting, AbstractImage)


@receiver([post_save, post_delete], dispatch_uid="pages_cms_version_forget_cms_objects")
def cms_object_changed(sender, raw=False, **kwargs):
    if raw:
        return
    if issubclass(sender, _CMS_MODEL_BASES) or sender in get_snippet_models():
        cms_version_forget()


@receiver(post_migrate, dispatch_uid="pages_site_record_sync")
def site_record_sync_after_migrate(sender, *, using="default", **kwargs):
    # Sent once per app; django.contrib.sites creates the record on its own turn, before ours.
    if sender.name != "shop.pages":
        return
    site_record_sync(using=using)
    locales_install(using=using)


@receiver(copy_for_translation_done, dispatch_uid="pages_translated_home_publishable")
def translated_home_publishable(sender, *, source_obj, target_obj, **kwargs):
    if isinstance(target_obj.specific, HomePage):
        editors_publish_grant(home=target_obj)
