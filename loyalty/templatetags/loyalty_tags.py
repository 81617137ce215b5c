"""The member card section of the account page (a thin caller of loyalty.selectors)."""

from django import template
from django.utils.safestring import mark_safe

from loyalty import selectors
from loyalty.card_images import card_barcode_svg, card_qr_svg
from loyalty.forms import CardPinForm

register = template.Library()


@register.inclusion_tag("loyalty/partials/member_card_panel.html", takes_context=True)
def member_card_panel(context):
    request = context.get("request")
    card = selectors.card_get_for_user(user=getattr(request, "user", None))
    panel = {"request": request, "card": card, "claim_form": CardPinForm()}
    if card is not None:
        panel.update(
            progress=selectors.tier_progress(account=card.account),
            card_reason=selectors.card_unusable_reason(card=card),
            # Both are SVG we generate from the digits of the card number, never user markup.
            qr_svg=mark_safe(card_qr_svg(number=card.number)),  # noqa: S308
            barcode_svg=mark_safe(card_barcode_svg(number=card.number)),  # noqa: S308
        )
    return panel
