"""SQL query budgets of the storefront's busiest pages.

Plain Oscar 4.2 is the yardstick: our pages must cost no more queries than its pages, with
member pricing and recommendations switched on. Each page is rendered through the test
client twice, for an anonymous visitor and for a member with an active card (the "Member
price" offer applies, a personal recommendation list exists, the product has "also bought"
neighbours), and the second, warm request is held to its budget: a change that adds a query
per product or per request fails here. Run with ``-s`` to print the counts.

Numbers and the plain Oscar comparison: docs/benchmarks.md, "Query budget per page".
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from recommendations.models import RecommendationList
from tests.factories.loyalty import member_card

pytestmark = pytest.mark.django_db

Kind = RecommendationList.Kind


@pytest.fixture(autouse=True)
def empty_cache():
    """The unit tests' local-memory cache outlives each test's database rollback: start empty
    so menus and recommendation lists cached by an earlier test are not served here."""
    cache.clear()


@dataclass(frozen=True)
class Budget:
    anonymous: int
    member: int


# Warm requests on the fixture below. Inside a test each request also pays a savepoint and its
# release (ATOMIC_REQUESTS inside the test's transaction): 2 queries a real request does not
# make; the product page runs outside that transaction and pays neither (a member's view
# records are written in a transaction of their own: a savepoint, two writes, its release).
# Plain Oscar 4.2 on the demo catalogue, for comparison (docs/benchmarks.md): home
# (its catalogue page) 150/159, category 152/161, product 18/34, search 22/28, basket 19/26.
# The member price on cards costs a member one query per request where nothing else read
# their discount yet (home, category, search: no offer is applied to an empty basket).
# The home page, like every Wagtail page, reads the active language's Locale to serve its
# version in that language (and one more query, that version, for a Chinese visitor).
BUDGETS = {
    "home": Budget(anonymous=14, member=23),
    "category": Budget(anonymous=10, member=19),
    "product": Budget(anonymous=7, member=25),
    "search": Budget(anonymous=6, member=16),
    "basket": Budget(anonymous=11, member=20),
}

# What each page must still show, so a budget is never met by dropping a feature.
MEMBER_PRICE = "Member price"
EXPECTED_TEXT = {
    "home": ["Campus cheddar"],
    "category": ["Campus cheddar"],
    "product": ["Bought together", "Sourdough loaf"],
    "search": ["Campus cheddar"],
    "basket": ["Bought together", "Green tea"],
}
# The rows only one of them is shown: a member's own two, the visitors' popular one.
EXPECTED_TEXT_FOR = {
    ("home", "anonymous"): ["Popular right now"],
    ("home", "member"): ["Buy it again", "New for you", "Because you buy Campus cheddar"],
    ("basket", "member"): ["Buy it again"],
}


@pytest.fixture
def recommendations(store, member):
    """Stored lists as the nightly job leaves them: every placement has something to show."""
    now = timezone.now()
    products = [store.cheese, store.bread, store.green_tea]
    for product in products:
        others = [other.pk for other in products if other != product]
        RecommendationList.objects.create(
            kind=Kind.ALSO_BOUGHT,
            owner_id=product.pk,
            product_ids=others,
            scores=[1.0] * len(others),
            computed_at=now,
        )
    RecommendationList.objects.create(
        kind=Kind.BEST_SELLERS,
        owner_id=RecommendationList.STORE_WIDE_OWNER,
        product_ids=[store.green_tea.pk, store.cheese.pk, store.bread.pk],
        computed_at=now,
    )
    RecommendationList.objects.create(
        kind=Kind.TRENDING,
        owner_id=RecommendationList.STORE_WIDE_OWNER,
        product_ids=[store.cheese.pk, store.green_tea.pk, store.bread.pk],
        computed_at=now,
    )
    RecommendationList.objects.create(
        kind=Kind.BUY_AGAIN,
        owner_id=member.pk,
        # The basket page's row leaves out the cheese and bread the test puts in the basket.
        product_ids=[store.cheese.pk, store.bread.pk, store.green_tea.pk],
        computed_at=now,
    )
    RecommendationList.objects.create(
        kind=Kind.NEW_FOR_YOU,
        owner_id=member.pk,
        product_ids=[store.green_tea.pk],
        reason_ids=[store.cheese.pk],
        computed_at=now,
    )


@pytest.fixture
def member(db):
    user = get_user_model().objects.create_user(
        username="member", email="member@example.com", password="not-used-here"
    )
    card = member_card(user=user)
    assert card.member_type.discount_percent > Decimal("0")
    return user


@pytest.fixture
def shopper(request, client, member):
    if request.param == "member":
        client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    return request.param, client


def _page_path(page, store):
    return {
        "home": "/",
        "category": store.dairy.get_absolute_url(),
        "product": store.cheese.get_absolute_url(),
        "search": "/search/?q=campus",
        "basket": reverse("basket:summary"),
    }[page]


@pytest.mark.parametrize("shopper", ["anonymous", "member"], indirect=True)
@pytest.mark.parametrize("page", list(BUDGETS))
def test_page_stays_within_its_query_budget(
    page, shopper, store, home_page, recommendations, django_assert_max_num_queries
):
    visitor, client = shopper
    if page == "basket":
        for product in (store.cheese, store.bread):
            added = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
            assert added.status_code == 302
    path = _page_path(page, store)

    client.get(path)  # fills per-process caches (site root, templates, thumbnails, menus)
    budget = getattr(BUDGETS[page], visitor)
    with django_assert_max_num_queries(budget) as queries:
        response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    for text in EXPECTED_TEXT[page]:
        assert text in html
    for text in EXPECTED_TEXT_FOR.get((page, visitor), []):
        assert text in html
    if page == "basket":
        # The offer line, not the cards: every card shows a member price (members their own).
        discounts = [d["name"] for d in response.wsgi_request.basket.offer_discounts]
        assert (MEMBER_PRICE in discounts) == (visitor == "member")
    else:
        # Cards show the member price, visitors what members pay.
        assert ("Your member price" in html) == (visitor == "member")
        assert 'class="member-price' in html
    print(f"\n{page} {visitor}: {len(queries)} queries (budget {budget})")
