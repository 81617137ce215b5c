"""The codes the store's shipping methods are stored under on an order (``shipping_code``).

Their own module, importing nothing: the selectors read orders by these codes, and the
method classes (``methods``) are built from the selectors' delivery rounds.
"""

PICK_UP_CODE = "pick-up"
CAMPUS_DELIVERY_CODE_PREFIX = "campus-delivery-"


def shipping_method_needs_address(*, code: str | None) -> bool:
    """Only campus delivery asks where to (building and room); pick-up asks nothing."""
    return bool(code) and code.startswith(CAMPUS_DELIVERY_CODE_PREFIX)
