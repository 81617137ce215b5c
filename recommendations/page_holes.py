"""The member's own rows as page holes: a signed-in customer's cached page fills in theirs.

A customer's home page is cached for everyone of their pricing group, so "Buy it again" and
"New for you" (lists of their own) are holes; each is already cached HTML per list and
pricing, so filling one costs its list's read and one cache read.
"""

from django.http import HttpRequest
from django.middleware.csrf import get_token

from recommendations.templatetags.recommendation_tags import (
    buy_it_again_row,
    recommended_for_you_row,
)
from shop.page_cache.holes import page_hole_register


@page_hole_register("buy_it_again")
def buy_it_again(request: HttpRequest, *, limit: int, title: str) -> str:
    return buy_it_again_row(
        request=request, csrf_token=get_token(request), limit=limit, title=title
    )


@page_hole_register("recommended_for_you")
def recommended_for_you(request: HttpRequest, *, limit: int, title: str) -> str:
    return recommended_for_you_row(
        request=request, csrf_token=get_token(request), limit=limit, title=title
    )
