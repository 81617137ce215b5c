"""Stored lists from paid orders, served with rules and availability, updated per order."""

import datetime as dt

import pytest
from django.utils import timezone
from oscar.test.factories import OrderFactory, OrderLineFactory, UserFactory

from recommendations import selectors, services
from recommendations.blocks import RecommendedForYouBlock
from recommendations.models import ProductRule, RecommendationList
from recommendations.tasks import recommendations_update_for_order
from shop.apps.order.services import order_mark_paid
from tests.factories.recommendations import (
    RecommendationListFactory,
    paid_order_create,
    product_in_stock,
)

pytestmark = pytest.mark.django_db

Kind = RecommendationList.Kind


@pytest.fixture
def store():
    """Eight customers. Who buys the tent also buys tent pegs; everybody buys milk.

    The tent's buyers also bought a hidden product and a sold-out one: both are strong
    neighbours of the tent in the stored lists, and must still never be shown.
    """
    products = {
        name: product_in_stock(name)
        for name in ["tent", "tent pegs", "milk", "bread", "jam", "rice"]
    }
    products["hidden"] = product_in_stock("hidden", is_public=False)
    products["sold out"] = product_in_stock("sold out", num_in_stock=0)
    customers = [UserFactory() for _ in range(8)]
    day = timezone.localdate() - dt.timedelta(days=10)
    for number, customer in enumerate(customers):
        basket = [products["milk"], products["bread"] if number % 2 else products["jam"]]
        if number < 4:
            basket += [products["tent"], products["tent pegs"]]
        if number < 2:
            basket += [products["hidden"], products["sold out"]]
        paid_order_create(user=customer, products=basket, day=day)
    # A cancelled order never counts.
    paid_order_create(
        user=customers[7], products=[products["rice"]] * 3, day=day, status="Cancelled"
    )
    services.recommendations_recompute()
    return products, customers


def titles(products):
    return [product.title for product in products]


def test_recompute_stores_lists_from_paid_orders_only(store):
    products, customers = store
    also = RecommendationList.objects.get(kind=Kind.ALSO_BOUGHT, owner_id=products["tent"].pk)
    assert also.product_ids[0] == products["tent pegs"].pk
    assert len(also.scores) == len(also.product_ids)
    assert RecommendationList.objects.filter(kind=Kind.NEW_FOR_YOU).count() == len(customers)
    assert not RecommendationList.objects.filter(
        kind=Kind.ALSO_BOUGHT, owner_id=products["rice"].pk
    ).exists()
    best = RecommendationList.objects.get(kind=Kind.BEST_SELLERS)
    assert best.product_ids[0] == products["milk"].pk
    assert products["rice"].pk not in best.product_ids


def test_recompute_is_repeatable(store):
    def stored():
        rows = RecommendationList.objects.values_list("kind", "owner_id", "product_ids")
        return {(kind, owner, tuple(ids)) for kind, owner, ids in rows}

    before = stored()
    services.recommendations_recompute()
    assert stored() == before


def test_also_bought_finds_the_planted_pair_and_hides_unavailable_products(store):
    products, _customers = store
    stored = RecommendationList.objects.get(kind=Kind.ALSO_BOUGHT, owner_id=products["tent"].pk)
    assert {products["hidden"].pk, products["sold out"].pk} <= set(stored.product_ids)

    shown = selectors.also_bought_products(product_id=products["tent"].pk, request=None, limit=12)
    assert titles(shown)[0] == "tent pegs"
    assert "hidden" not in titles(shown)
    assert "sold out" not in titles(shown)
    assert "tent" not in titles(shown)


def test_a_member_without_rows_of_their_own_sees_the_visitors_row(store):
    new_customer = UserFactory()
    shown = titles(selectors.recommended_products(user=new_customer, request=None, limit=4))
    assert shown
    assert shown == titles(selectors.recommended_products(user=None, request=None, limit=4))
    assert not {"hidden", "sold out"} & set(shown)


def test_exclusion_applies_to_its_placement_only(store):
    products, _customers = store
    services.product_rule_create(
        product_id=products["tent pegs"].pk,
        action=ProductRule.Action.EXCLUDE,
        placement=ProductRule.Placement.PRODUCT_PAGE,
    )
    on_product_page = selectors.also_bought_products(
        product_id=products["tent"].pk, request=None, limit=12
    )
    assert "tent pegs" not in titles(on_product_page)
    in_basket = selectors.basket_suggestion_products(
        basket_product_ids=[products["tent"].pk], request=None, limit=12
    )
    assert titles(in_basket)[0] == "tent pegs"


def test_exclusion_everywhere_and_pins_first(store):
    products, customers = store
    services.product_rule_create(product_id=products["milk"].pk, action=ProductRule.Action.EXCLUDE)
    services.product_rule_create(
        product_id=products["rice"].pk, action=ProductRule.Action.PIN, position=2
    )
    services.product_rule_create(
        product_id=products["jam"].pk, action=ProductRule.Action.PIN, position=1
    )
    for shown in (
        selectors.recommended_products(user=customers[0], request=None, limit=12),
        selectors.recommended_products(user=None, request=None, limit=12),
        selectors.also_bought_products(product_id=products["tent"].pk, request=None, limit=12),
    ):
        assert titles(shown)[:2] == ["jam", "rice"]
        assert "milk" not in titles(shown)


def test_pinned_product_that_is_unavailable_is_not_shown(store):
    products, customers = store
    services.product_rule_create(product_id=products["sold out"].pk, action=ProductRule.Action.PIN)
    shown = selectors.recommended_products(user=customers[0], request=None, limit=12)
    assert "sold out" not in titles(shown)


def test_rule_for_a_missing_product_is_refused(store):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.product_rule_create(product_id=999_999, action=ProductRule.Action.PIN)
    assert not ProductRule.objects.exists()


def test_basket_suggestions_add_up_neighbours_and_skip_what_is_in_the_basket(store):
    products, _customers = store
    shown = selectors.basket_suggestion_products(
        basket_product_ids=[products["tent"].pk, products["milk"].pk], request=None, limit=12
    )
    assert titles(shown)[0] == "tent pegs"
    assert not {"tent", "milk", "hidden", "sold out"} & set(titles(shown))
    assert selectors.basket_suggestion_products(basket_product_ids=[], request=None) == []


def test_a_warm_list_is_one_cache_hit_and_a_cold_one_two_indexed_queries(
    store, django_assert_num_queries
):
    products, _customers = store
    with django_assert_num_queries(2):  # the stored list + the marketing rules
        cold = selectors.also_bought_ids(product_id=products["tent"].pk)
    with django_assert_num_queries(0):
        warm = selectors.also_bought_ids(product_id=products["tent"].pk)
    assert cold == warm


def test_recompute_and_rules_invalidate_cached_lists(store, django_capture_on_commit_callbacks):
    products, _customers = store
    selectors.also_bought_ids(product_id=products["tent"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.product_rule_create(
            product_id=products["tent pegs"].pk, action=ProductRule.Action.EXCLUDE
        )
    assert products["tent pegs"].pk not in selectors.also_bought_ids(product_id=products["tent"].pk)


def test_paying_an_order_updates_that_members_rows_at_once(
    store, django_capture_on_commit_callbacks
):
    products, _customers = store
    customer = UserFactory()
    assert not RecommendationList.objects.filter(owner_id=customer.pk).exists()

    order = OrderFactory(user=customer, status="Pending", date_placed=timezone.now())
    OrderLineFactory(order=order, product=products["tent pegs"])
    with django_capture_on_commit_callbacks(execute=True):
        assert order_mark_paid(order_id=order.pk)

    again = RecommendationList.objects.get(kind=Kind.BUY_AGAIN, owner_id=customer.pk)
    assert again.product_ids == [products["tent pegs"].pk]
    new = RecommendationList.objects.get(kind=Kind.NEW_FOR_YOU, owner_id=customer.pk)
    assert products["tent pegs"].pk not in new.product_ids
    # The tent is the pegs' companion: it overtakes equally popular products, because of them.
    tent = new.product_ids.index(products["tent"].pk)
    assert tent < new.product_ids.index(products["jam"].pk)
    assert new.reason_ids[tent] == products["tent pegs"].pk

    # The task is idempotent: running it again writes the same rows.
    assert recommendations_update_for_order(order.pk)
    assert RecommendationList.objects.get(pk=again.pk).product_ids == again.product_ids
    rerun = RecommendationList.objects.get(pk=new.pk)
    assert (rerun.product_ids, rerun.reason_ids) == (new.product_ids, new.reason_ids)


def test_update_task_ignores_unpaid_and_guest_orders(store):
    products, _customers = store
    pending = OrderFactory(user=UserFactory(), status="Pending")
    OrderLineFactory(order=pending, product=products["tent"])
    guest = OrderFactory(user=None, status="Complete")
    assert recommendations_update_for_order(pending.pk) is False
    assert recommendations_update_for_order(guest.pk) is False
    assert recommendations_update_for_order(987_654) is False


def test_update_before_any_nightly_run_does_nothing():
    customer = UserFactory()
    paid_order_create(user=customer, products=[product_in_stock("milk")], day=timezone.localdate())
    assert services.recommendations_update_customer(user_id=customer.pk) is False
    assert not RecommendationList.objects.exists()


def test_recompute_without_orders_stores_nothing():
    summary = services.recommendations_recompute()
    assert summary.lists_written == 0
    assert selectors.recommended_products(user=None, request=None) == []


def test_recommended_for_you_block_renders_product_cards(store, client):
    products, _customers = store
    member = UserFactory()  # no history: the nightly run stored no list for them
    RecommendationListFactory(
        kind=Kind.NEW_FOR_YOU,
        owner_id=member.pk,
        product_ids=[products["tent pegs"].pk],
        reason_ids=[products["milk"].pk],
    )
    client.force_login(member)
    # A request that went through the storefront's middleware (session, basket, strategy).
    request = client.get("/basket/").wsgi_request
    html = RecommendedForYouBlock().render(
        RecommendedForYouBlock().to_python({"title": "", "limit": 4}), context={"request": request}
    )
    assert "New for you" in html
    assert 'data-recommendations="personal"' in html
    assert "tent pegs" in html
    assert "Because you buy milk" in html
    assert "product_pod" in html  # the catalogue's own card partial


def test_product_page_and_basket_show_recommendations(store, client):
    products, _customers = store
    page = client.get(products["tent"].get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    assert "Bought together" in content
    assert "tent pegs" in content

    client.force_login(UserFactory())  # no history: no rows of their own
    client.post(f"/basket/add/{products['tent'].pk}/", {"quantity": 1})
    basket = client.get("/basket/").content.decode()
    assert "Bought together" in basket
    assert 'data-recommendations="basket"' in basket

    profile = client.get("/accounts/profile/").content.decode()
    assert "Popular right now" in profile  # no list of their own yet


def test_recompute_writes_each_members_rows_by_their_rules(store):
    products, customers = store
    first = customers[0]  # milk, jam, tent, tent pegs, hidden, sold out
    bought = {products[n].pk for n in ["milk", "jam", "tent", "tent pegs", "hidden", "sold out"]}
    again = RecommendationList.objects.get(kind=Kind.BUY_AGAIN, owner_id=first.pk)
    assert set(again.product_ids) == bought
    assert len(again.scores) == len(again.product_ids)
    new = RecommendationList.objects.get(kind=Kind.NEW_FOR_YOU, owner_id=first.pk)
    assert new.product_ids
    assert bought.isdisjoint(new.product_ids)
    assert len(new.reason_ids) == len(new.product_ids)
    assert {reason for reason in new.reason_ids if reason is not None} <= bought
    assert RecommendationList.objects.filter(kind=Kind.TRENDING, owner_id=0).exists()


def test_the_update_after_an_order_finds_what_the_nightly_run_found(store):
    _products, customers = store

    def rows(customer):
        return {
            row.kind: (row.product_ids, row.reason_ids)
            for row in RecommendationList.objects.filter(
                kind__in=[Kind.BUY_AGAIN, Kind.NEW_FOR_YOU], owner_id=customer.pk
            )
        }

    nightly = {customer.pk: rows(customer) for customer in customers}
    for customer in customers:
        assert services.recommendations_update_customer(user_id=customer.pk)
        assert rows(customer) == nightly[customer.pk]
