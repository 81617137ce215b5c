"""Oscar's class loader, remembering what it found.

Oscar finds each ``get_class``/``get_classes`` answer by walking the installed apps and
importing modules, on every call; Oscar's own views, forms, templatetags and models call it
inside requests (the basket page alone about 35 times). The answer depends only on
``INSTALLED_APPS``, fixed once Django has started, so it is looked up once per process.
"""

from functools import lru_cache

from oscar.core.loading import default_class_loader


def cached_class_loader(module_label, classnames, module_prefix):
    return list(_classes_find(module_label, tuple(classnames), module_prefix))


@lru_cache(maxsize=1024)
def _classes_find(module_label: str, classnames: tuple[str, ...], module_prefix: str) -> tuple:
    return tuple(default_class_loader(module_label, list(classnames), module_prefix))
