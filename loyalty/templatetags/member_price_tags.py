"""The member price beside a product's regular price (a thin caller of loyalty.member_price)."""

from django import template

from loyalty.member_price import member_pricing_for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def member_price(context, product, price):
    """The ``MemberPrice`` to show for ``product`` at ``price`` (Oscar's price object), or None."""
    request = context.get("request")
    if request is None or price is None or not price.exists:
        return None
    amount = price.incl_tax if price.is_tax_known else price.excl_tax
    return member_pricing_for_request(request=request).for_product(product=product, price=amount)
