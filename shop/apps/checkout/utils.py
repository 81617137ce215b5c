"""Oscar's checkout session data, plus what the shopper typed on the campus delivery form."""

from oscar.apps.checkout import utils


class CheckoutSessionData(utils.CheckoutSessionData):
    # Kept in the "shipping" namespace, so choosing pick-up (which resets it) forgets it too.
    def set_campus_delivery_fields(self, fields: dict) -> None:
        self._set("shipping", "campus_delivery_fields", fields)

    def campus_delivery_fields(self) -> dict:
        return dict(self._get("shipping", "campus_delivery_fields") or {})

    # How the shopper chose to pay on the payment details page: the preview is a page of its
    # own (reloaded, or reached again from a later step), and must show and take the same
    # choice, as the points chosen on that page are kept with the basket. Only what the form
    # posts: whether to use the wallet, the credit account, and Stripe's id of the card
    # (never the card itself, which only Stripe sees).
    def set_payment_choice(self, choice: dict) -> None:
        self._set("payment", "choice", choice)

    def payment_choice(self) -> dict | None:
        return self._get("payment", "choice")
