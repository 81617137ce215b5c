"""What each recommendation row is called.

Kept apart from the template tags and free of model imports, so any module can name a row
the way the store shows it.
"""

from django.utils.translation import gettext_lazy as _

BOUGHT_TOGETHER = _("Bought together")
BUY_IT_AGAIN = _("Buy it again")
PERSONAL_ROW_TITLES = {
    "new_for_you": _("New for you"),
    "trending": _("Popular right now"),
}
