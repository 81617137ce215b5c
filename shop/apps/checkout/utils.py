"""Oscar's checkout session data, plus what the shopper typed on the campus delivery form."""

from oscar.apps.checkout import utils


class CheckoutSessionData(utils.CheckoutSessionData):
    # Kept in the "shipping" namespace, so choosing pick-up (which resets it) forgets it too.
    def set_campus_delivery_fields(self, fields: dict) -> None:
        self._set("shipping", "campus_delivery_fields", fields)

    def campus_delivery_fields(self) -> dict:
        return dict(self._get("shipping", "campus_delivery_fields") or {})
