"""What each recommendation row is called and what its template is given.

Shared by the template tags (account, basket and product pages) and the page blocks, which
render the same rows; kept free of model imports so the blocks can load with the page models.
"""

from django.utils.translation import gettext_lazy as _

BOUGHT_TOGETHER = _("Bought together")
BUY_IT_AGAIN = _("Buy it again")
PERSONAL_ROW_TITLES = {
    "new_for_you": _("New for you"),
    "trending": _("Popular right now"),
}


def personal_row_context(*, request, row, products, title=None) -> dict:
    """The context of a "Recommended for you" row: its products, each new one's reason, and
    the title of what it is for this viewer ("New for you", or "Popular right now")."""
    return {
        "request": request,
        "placement": "personal",
        "kind": row.kind,
        "value": {"title": title or PERSONAL_ROW_TITLES[row.kind]},
        "products": products,
        "reasons": row.reason_by_product_id,
    }
