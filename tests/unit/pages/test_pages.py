from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from oscar.templatetags.currency_filters import currency
from wagtail.blocks import StructBlockValidationError
from wagtail.models import GroupPagePermission, Page, Site

from shop.pages.blocks import ProductListBlock, PromoBlock
from shop.pages.models import ContentPage, HomePage
from shop.pages.selectors import ProductListSpec, product_lists_resolve
from shop.pages.services import site_pages_install
from staff.roles import MARKETING_GROUP

pytestmark = pytest.mark.django_db


def test_home_page_is_served_at_root_with_oscar_product_cards(client, store, home_page):
    response = client.get("/")

    assert response.status_code == 200
    assert "pages/home_page.html" in [t.name for t in response.templates]
    assert "oscar/catalogue/partials/product.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Fresh food, fair prices, run by students" in html
    assert store.cheese.title in html
    assert currency(Decimal("12.50"), "CNY") in html
    assert f'action="{reverse("basket:add", kwargs={"pk": store.cheese.pk})}"' in html


def test_product_list_hides_sold_out_hidden_and_unpriced_products(client, store, home_page):
    html = client.get("/").content.decode()

    for product in (store.sold_out, store.hidden, store.unpriced):
        assert product.title not in html
        assert reverse("basket:add", kwargs={"pk": product.pk}) not in html


def test_hand_picked_list_keeps_editor_order_and_drops_unbuyable(store, storefront_request):
    spec = ProductListSpec(
        product_ids=(store.green_tea.pk, store.sold_out.pk, store.hidden.pk, store.cheese.pk),
        limit=4,
    )

    resolved = product_lists_resolve(specs=[spec], request=storefront_request())

    assert resolved[spec] == [store.green_tea, store.cheese]


def test_category_list_includes_sub_categories_and_respects_the_limit(store, storefront_request):
    whole_food = ProductListSpec(category_id=store.food.pk, limit=4)
    one_of_food = ProductListSpec(category_id=store.food.pk, limit=1)
    drinks = ProductListSpec(category_id=store.drinks.pk, limit=4)

    resolved = product_lists_resolve(
        specs=[whole_food, one_of_food, drinks], request=storefront_request()
    )

    # Newest first; sold-out, hidden and unpriced dairy products are left out.
    assert resolved[whole_food] == [store.bread, store.cheese]
    assert resolved[one_of_food] == [store.bread]
    assert resolved[drinks] == [store.green_tea]


def test_product_list_block_renders_hand_picked_products(store, storefront_request):
    block = ProductListBlock()
    value = block.to_python(
        {"title": "Picks", "products": [store.bread.pk, store.sold_out.pk], "limit": 4}
    )

    html = block.render(value, context={"request": storefront_request()})

    assert "Picks" in html
    assert store.bread.title in html
    assert currency(Decimal("6.00"), "CNY") in html
    assert reverse("basket:add", kwargs={"pk": store.bread.pk}) in html
    assert store.sold_out.title not in html


def test_product_list_block_renders_a_category(store, storefront_request):
    block = ProductListBlock()
    value = block.to_python({"title": "Dairy", "category": store.dairy.pk, "limit": 4})

    html = block.render(value, context={"request": storefront_request()})

    assert store.cheese.title in html
    assert store.bread.title not in html
    assert store.dairy.get_absolute_url() in html


def test_product_list_block_needs_products_or_a_category_not_both(store):
    block = ProductListBlock()
    neither = {"title": "Nothing", "limit": 4}
    both = {"products": [store.cheese.pk], "category": store.dairy.pk, "limit": 4}

    for raw in (neither, both):
        with pytest.raises(StructBlockValidationError) as error:
            block.clean(block.to_python(raw))
        assert "one of the two" in str(error.value.non_block_errors)
    assert block.clean(block.to_python({"category": store.dairy.pk, "limit": 4}))


def test_promo_block_button_needs_a_safe_target_and_a_label():
    block = PromoBlock()

    with pytest.raises(StructBlockValidationError) as no_target:
        block.clean(block.to_python({"headline": "Sale", "button_label": "Go"}))
    assert "button_page" in no_target.value.block_errors
    with pytest.raises(StructBlockValidationError) as unsafe_url:
        block.clean(
            block.to_python(
                {"headline": "Sale", "button_label": "Go", "button_url": "javascript:alert(1)"}
            )
        )
    assert "button_url" in unsafe_url.value.block_errors

    value = block.clean(
        block.to_python({"headline": "Sale", "button_label": "Go", "button_url": "/offers/"})
    )
    assert value.button_href == "/offers/"


def test_content_pages_share_the_storefront_layout(client, home_page):
    about = ContentPage.objects.get(slug="about-us")

    page_response = client.get(about.url)
    oscar_response = client.get(reverse("basket:summary"))

    assert page_response.status_code == 200
    assert "A real shop, run by students" in page_response.content.decode()
    for response in (page_response, oscar_response):
        html = response.content.decode()
        assert "oscar/layout.html" in [t.name for t in response.templates]
        assert 'id="language_selector"' in html
        assert f'href="{about.url}"' in html
        assert 'href="/opening-hours/"' in html
        assert 'action="/search/"' in html


def test_site_pages_install_is_idempotent(store):
    featured = {"featured_product_ids": [store.cheese.pk], "featured_category_id": store.food.pk}
    welcome = Page.objects.get(depth=2)
    assert welcome.specific_class is Page

    first = site_pages_install(**featured)
    pages_after_first = list(Page.objects.order_by("path").values_list("pk", "title", "live"))
    second = site_pages_install(**featured)

    assert second.pk == first.pk
    assert list(Page.objects.order_by("path").values_list("pk", "title", "live")) == (
        pages_after_first
    )
    assert not Page.objects.filter(pk=welcome.pk).exists()
    assert (
        GroupPagePermission.objects.filter(
            group__name=MARKETING_GROUP, page=first, permission__codename="publish_page"
        ).count()
        == 1
    )
    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page_id == first.pk
    assert sorted(ContentPage.objects.child_of(first).values_list("slug", flat=True)) == [
        "about-us",
        "campus-delivery",
        "opening-hours",
    ]
    assert [block.block_type for block in first.body] == [
        "promo",
        "product_list",
        "rich_text",
        "buy_it_again",
        "recommended_for_you",
        "product_list",
        "promo",
    ]


def test_site_pages_install_leaves_edited_pages_alone(store, home_page):
    home_page.title = "Edited by marketing"
    home_page.save_revision().publish()
    ContentPage.objects.get(slug="opening-hours").delete()

    again = site_pages_install(featured_product_ids=[], featured_category_id=None)

    assert again.pk == home_page.pk
    assert HomePage.objects.get().title == "Edited by marketing"
    assert ContentPage.objects.filter(slug="opening-hours").count() == 1


def test_site_pages_install_refuses_unknown_products_and_changes_nothing(store):
    pages_before = Page.objects.count()

    with pytest.raises(ValidationError, match="do not exist: 999999"):
        site_pages_install(featured_product_ids=[999999], featured_category_id=None)

    assert Page.objects.count() == pages_before
    assert not HomePage.objects.exists()
