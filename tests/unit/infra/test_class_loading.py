"""Oscar's classes are found once per process and are the ones Oscar's own loader finds."""

from oscar.core.loading import default_class_loader, get_class, get_classes

from shop.class_loading import _classes_find


def test_get_class_answers_what_oscars_loader_answers_for_forked_and_unforked_apps():
    for module_label, classnames in (
        ("offer.applicator", ["Applicator"]),  # forked in shop/apps/offer
        ("basket.forms", ["BasketLineForm", "AddToBasketForm"]),  # Oscar's own
    ):
        assert get_classes(module_label, classnames) == default_class_loader(
            module_label, classnames, "oscar.apps"
        )
    assert get_class("offer.applicator", "Applicator").__module__ == "shop.apps.offer.applicator"


def test_a_class_is_looked_up_once():
    _classes_find.cache_clear()
    get_class("basket.forms", "BasketLineForm")
    get_class("basket.forms", "BasketLineForm")
    info = _classes_find.cache_info()
    assert (info.misses, info.hits) == (1, 1)
