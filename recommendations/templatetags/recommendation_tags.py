"""Template tags that drop a recommendation row into Oscar's templates.

Thin callers of ``recommendations.selectors``; the row itself is the page builder's product
list template, so recommended cards look exactly like every other product list.

The rows (product page, basket, "Recommended for you") are served from the cache: rendering four of Oscar's
product cards (prices, availability, thumbnails, add-to-basket forms) was a third of the
basket page's CPU. The cached HTML holds no per-request state: the add-to-basket forms'
CSRF token is the page cache's ``csrf_token`` hole, filled in for each request (or left for
the page's own serving when the whole page is being cached), and a request holding a failed
add-to-basket form in its session (Oscar shows that form's errors in the card) renders
afresh.
"""

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from loyalty.member_price import member_pricing_group
from recommendations import selectors
from recommendations.caching import ROW_TIMEOUT_SECONDS, row_cache_key
from recommendations.rows import BOUGHT_TOGETHER, BUY_IT_AGAIN, PERSONAL_ROW_TITLES
from shop.apps.catalogue.selectors import catalogue_version
from shop.page_cache.holes import page_hole_placeholder, page_holes_fill
from shop.page_cache.selectors import request_has_failed_basket_form

register = template.Library()

ROW_TEMPLATE = "recommendations/product_row.html"


def _row(*, request, placement: str, title, products, kind: str = "", reasons=()) -> dict:
    return {
        "request": request,
        "placement": placement,
        "kind": kind,
        "value": {"title": title},
        "products": products,
        "reasons": dict(reasons),
    }


def _cached_row(
    *,
    request,
    csrf_token,
    placement: str,
    title,
    candidate_ids: list[int],
    limit: int,
    kind: str = "",
    reasons: tuple[tuple[int, str], ...] = (),
) -> str:
    """The row's HTML; ``kind`` and ``reasons`` ("because you buy ...") only for a personal row.

    ``csrf_token`` is the add-to-basket forms' token when the row is rendered uncached.
    """

    def render(*, csrf_token) -> str:
        products = selectors.products_for_ids(
            product_ids=candidate_ids, request=request, limit=limit
        )
        row = _row(
            request=request,
            placement=placement,
            title=title,
            products=products,
            kind=kind,
            reasons=reasons,
        )
        # No ``request=``: context processors would put per-request values into the HTML.
        return render_to_string(ROW_TEMPLATE, {**row, "csrf_token": csrf_token})

    version = catalogue_version()
    # No version means the cache is unreachable (it fails open): render from the database.
    if request is None or version is None or request_has_failed_basket_form(request=request):
        return render(csrf_token=csrf_token)

    key = row_cache_key(
        placement=placement,
        candidate_ids=candidate_ids,
        variant=f"{kind}|{title}|{reasons!r}",
        limit=limit,
        pricing=member_pricing_group(request=request),
        language=translation.get_language() or "",
        catalogue_version=version,
        day=timezone.localdate().isoformat(),
    )
    html = cache.get(key)
    if html is None:
        html = render(csrf_token=page_hole_placeholder(name="csrf_token"))
        cache.set(key, html, ROW_TIMEOUT_SECONDS)
    # Our own template's output, escaped when rendered.
    return mark_safe(page_holes_fill(html=html, request=request))  # noqa: S308


def _viewer_id(request) -> int | None:
    return selectors.viewer_id(user=getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def also_bought(context, product, limit=4):
    return _cached_row(
        request=context.get("request"),
        csrf_token=context.get("csrf_token"),
        placement="also_bought",
        title=BOUGHT_TOGETHER,
        candidate_ids=selectors.also_bought_ids(product_id=product.pk),
        limit=limit,
    )


def _basket_product_ids(basket) -> list[int]:
    return [line.product_id for line in basket.all_lines()] if basket else []


@register.simple_tag(takes_context=True)
def basket_suggestions(context, basket, limit=4):
    return _cached_row(
        request=context.get("request"),
        csrf_token=context.get("csrf_token"),
        placement="basket",
        title=BOUGHT_TOGETHER,
        candidate_ids=selectors.basket_suggestion_ids(
            basket_product_ids=_basket_product_ids(basket)
        ),
        limit=limit,
    )


def buy_it_again_row(*, request, csrf_token, basket=None, limit: int = 4, title=None) -> str:
    """The member's own items, most due first, never what is already in ``basket``."""
    candidate_ids = selectors.buy_again_ids(
        user_id=_viewer_id(request), hide_ids=_basket_product_ids(basket)
    )
    if not candidate_ids:
        return ""
    return _cached_row(
        request=request,
        csrf_token=csrf_token,
        placement="buy_again",
        title=title or BUY_IT_AGAIN,
        candidate_ids=candidate_ids,
        limit=limit,
    )


def recommended_for_you_row(*, request, csrf_token, limit: int = 4, title=None) -> str:
    """The member's "new for you" list (what is popular right now for visitors and members
    without one), cached as HTML like the other rows.

    The key holds the list's ids, so a recomputed list (``recommendations_update_customer``,
    the nightly run, a rule change) is a new entry, and the viewer's pricing, so no member
    gets cards priced for another; two members with the same list and discount get the same
    HTML, which holds nothing else of theirs.
    """
    row = selectors.personal_row(user_id=_viewer_id(request))
    return _cached_row(
        request=request,
        csrf_token=csrf_token,
        placement="personal",
        title=title or PERSONAL_ROW_TITLES[row.kind],
        candidate_ids=list(row.product_ids),
        limit=limit,
        kind=row.kind,
        reasons=row.reasons,
    )


@register.simple_tag(takes_context=True)
def buy_it_again(context, basket=None, limit=4, title=None):
    return buy_it_again_row(
        request=context.get("request"),
        csrf_token=context.get("csrf_token"),
        basket=basket,
        limit=limit,
        title=title,
    )


@register.simple_tag(takes_context=True)
def recommended_for_you(context, limit=4, title=None):
    return recommended_for_you_row(
        request=context.get("request"),
        csrf_token=context.get("csrf_token"),
        limit=limit,
        title=title,
    )


@register.simple_tag
def recommendation_reason(reasons, product):
    """The title of the product that led to ``product`` ("because you buy ..."), if any."""
    return (reasons or {}).get(product.pk, "")
