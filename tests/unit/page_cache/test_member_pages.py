"""Signed-in customers' storefront pages from the page cache (shop/page_cache).

Customers with the same pricing group share one cached page; everything of their own in it
(account links and badge, basket, messages, CSRF token, their rows, wish lists, stock alert,
reviews) is a hole filled for each request. Different discounts, and customers and visitors,
never share a page; staff and Wagtail's editors always render.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from loyalty.services.cards import card_report_lost
from recommendations.caching import recommendations_cache_forget
from recommendations.models import RecommendationList
from tests.factories.loyalty import member_card

pytestmark = pytest.mark.django_db

Notification = get_model("communication", "Notification")
ProductAlert = get_model("customer", "ProductAlert")
ProductReview = get_model("reviews", "ProductReview")
WishList = get_model("wishlists", "WishList")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
Kind = RecommendationList.Kind


def _served_from_cache(response) -> bool:
    # The test client records the templates rendered; a hit renders only its holes' own.
    return "oscar/layout.html" not in [template.name for template in response.templates]


def _page(client, path) -> tuple[str, bool]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    html = response.content.decode()
    assert "page-hole" not in html, "a placeholder reached the customer"
    return html, _served_from_cache(response)


def _row(html: str, placement: str) -> str:
    """The HTML of one recommendation row (up to the next row or the page's end)."""
    start = html.find(f'data-recommendations="{placement}"')
    assert start != -1, f"no {placement} row"
    end = html.find("data-recommendations=", start + 1)
    return html[start : end if end != -1 else len(html)]


def _customer(username: str, *, member_type_code: str | None = "student"):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", first_name=username.title()
    )
    if member_type_code:
        member_card(user=user, member_type_code=member_type_code)
    client = Client()
    client.force_login(user)
    return user, client


def _lists_recomputed(*, user, buy_again: list[int], new_for_you: list[int]) -> None:
    # As ``recommendations_update_customer`` ends: the member's two rows, then forgotten.
    now = timezone.now()
    for kind, ids in ((Kind.BUY_AGAIN, buy_again), (Kind.NEW_FOR_YOU, new_for_you)):
        RecommendationList.objects.update_or_create(
            kind=kind,
            owner_id=user.pk,
            defaults={
                "product_ids": ids,
                "scores": [1.0] * len(ids),
                "reason_ids": [],
                "computed_at": now,
            },
        )
        recommendations_cache_forget(kind=kind, owner_id=user.pk)


def test_two_members_with_one_discount_share_a_home_page_each_with_their_own_parts(
    store, home_page
):
    aiko, aikos = _customer("aiko")
    bram, brams = _customer("bram")
    _lists_recomputed(user=aiko, buy_again=[store.bread.pk], new_for_you=[store.green_tea.pk])
    _lists_recomputed(user=bram, buy_again=[store.green_tea.pk], new_for_you=[store.bread.pk])
    Notification.objects.create(recipient=aiko, subject="Your order is ready")
    page, hit = _page(aikos, "/")
    assert not hit  # the page is stored
    added = aikos.post(
        reverse("basket:add", kwargs={"pk": store.cheese.pk}),
        {"quantity": 1, "csrfmiddlewaretoken": CSRF_INPUT.search(page).group(1)},
    )
    assert added.status_code == 302

    # Aiko's page comes from that entry with her basket, message and badge...
    aikos_page, hit = _page(aikos, "/")
    assert hit
    assert "has been added to your cart" in aikos_page
    assert "Campus cheddar</a></strong>" in aikos_page  # the basket drop-down
    assert 'badge badge-warning">1<' in aikos_page
    assert "Sourdough loaf" in _row(aikos_page, "buy_again")
    assert "Green tea" in _row(aikos_page, "personal")
    # ...and Bram's from the same entry, the view not running, with his own parts.
    brams_page, hit = _page(brams, "/")
    assert hit
    assert "has been added to your cart" not in brams_page
    assert "Campus cheddar</a></strong>" not in brams_page
    assert "Your cart is empty." in brams_page
    assert "badge-warning" not in brams_page
    assert "Green tea" in _row(brams_page, "buy_again")
    assert "Sourdough loaf" not in _row(brams_page, "buy_again")
    assert "Sourdough loaf" in _row(brams_page, "personal")
    assert "Logout" in brams_page
    assert "Aiko" not in brams_page and "Bram" not in brams_page  # no names in the page
    tokens = set(CSRF_INPUT.findall(brams_page))
    # (Each hole masks the token afresh: the rows' forms carry other masks of the same one.)
    assert tokens and tokens.isdisjoint(CSRF_INPUT.findall(aikos_page))
    # His token works on the cached page: he fills his own basket.
    added = brams.post(
        reverse("basket:add", kwargs={"pk": store.bread.pk}),
        {"quantity": 1, "csrfmiddlewaretoken": tokens.pop()},
    )
    assert added.status_code == 302
    brams_page, hit = _page(brams, "/")
    assert hit and "Sourdough loaf</a></strong>" in brams_page
    assert "Sourdough loaf</a></strong>" not in _page(aikos, "/")[0]


def test_two_members_with_one_discount_share_a_product_page_with_their_own_lists(store):
    aiko, aikos = _customer("aiko")
    bram, brams = _customer("bram")
    product = store.sold_out  # out of stock: the page offers a stock alert
    WishList.objects.create(owner=aiko, name="Aiko's picnic")
    ProductAlert.objects.create(product=product, user=aiko, status=ProductAlert.ACTIVE)
    ProductReview.objects.create(
        product=product,
        user=aiko,
        title="Creamy",
        body="Good",
        score=5,
        status=ProductReview.FOR_MODERATION,
    )
    path = product.get_absolute_url()

    aikos_page, hit = _page(aikos, path)
    assert not hit
    assert "Aiko&#x27;s picnic" in aikos_page
    assert "You have an active stock alert for this product." in aikos_page
    assert "be the first to write one" not in aikos_page  # she wrote one (not approved yet)
    assert 'id="write_review"' not in aikos_page
    brams_page, hit = _page(brams, path)
    assert hit
    assert "picnic" not in brams_page
    assert "You have an active stock alert" not in brams_page
    assert 'id="alert_form"' in brams_page
    assert "be the first to write one" in brams_page
    assert 'id="write_review"' in brams_page


def test_different_discounts_and_visitors_never_share_a_page(store):
    path = store.cheese.get_absolute_url()  # 12.50
    _, student = _customer("student", member_type_code="student")  # 5 %: 11.88
    _, alumnus = _customer("alumnus", member_type_code="alumni")  # 3 %: 12.13 (12.125 up)
    _, no_card = _customer("nocard", member_type_code=None)
    viewers = {"student": student, "alumnus": alumnus, "no card": no_card, "visitor": Client()}

    first = {name: _page(client, path) for name, client in viewers.items()}
    assert not any(hit for _, hit in first.values()), "a viewer got another group's page"
    again = {name: _page(client, path) for name, client in viewers.items()}
    assert all(hit for _, hit in again.values())
    for pages in (first, again):
        assert "Your member price" in pages["student"][0] and "11.88" in pages["student"][0]
        assert "Your member price" in pages["alumnus"][0] and "12.13" in pages["alumnus"][0]
        assert "11.88" not in pages["alumnus"][0]
        for name in ("no card", "visitor"):
            assert "Your member price" not in pages[name][0] and "11.88" in pages[name][0]
        assert "Logout" in pages["no card"][0] and "Logout" not in pages["visitor"][0]


def test_a_frozen_card_shows_on_the_members_next_request(store):
    user, client = _customer("aiko")
    path = store.cheese.get_absolute_url()
    assert "Your member price" in _page(client, path)[0]
    assert _page(client, path)[1]

    card_report_lost(card_id=user.member_cards.get().pk)

    html, _ = _page(client, path)
    assert "Your member price" not in html and "Logout" in html


def test_a_recompute_of_the_members_rows_shows_on_the_next_request(store, home_page):
    user, client = _customer("aiko")
    _lists_recomputed(user=user, buy_again=[store.bread.pk], new_for_you=[store.bread.pk])
    _page(client, "/")
    html, hit = _page(client, "/")
    assert hit and "Sourdough loaf" in _row(html, "buy_again")

    _lists_recomputed(user=user, buy_again=[store.green_tea.pk], new_for_you=[store.cheese.pk])

    html, hit = _page(client, "/")
    assert hit, "the page is shared; only the rows, its holes, change"
    assert "Green tea" in _row(html, "buy_again") and "Sourdough" not in _row(html, "buy_again")
    assert "Campus cheddar" in _row(html, "personal")


def test_staff_and_editors_are_never_served_from_the_cache_and_members_get_no_user_bar(
    store, home_page
):
    staff = get_user_model().objects.create_user(username="clerk", is_staff=True)
    editor = get_user_model().objects.create_user(username="editor")
    editors = Group.objects.create(name="Page editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(editors)
    _, member = _customer("aiko")
    for user in (staff, editor):
        client = Client()
        client.force_login(user)
        for _attempt in range(2):
            html, hit = _page(client, "/")
            assert not hit
            assert ("wagtail-userbar" in html) == (user == editor)
    for _attempt in range(2):
        html, _ = _page(member, "/")
        assert "wagtail-userbar" not in html
    assert _page(member, "/")[1]
