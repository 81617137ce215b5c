"""What marketing sees in /cms/: product and category choosers and block previews."""

import pytest
from django.contrib.auth.models import Group
from oscar.test.factories import UserFactory

from shop.pages.models import HomePage
from staff.roles import MARKETING_GROUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    editor = UserFactory(username="marketing", is_staff=False)
    editor.groups.add(Group.objects.get(name=MARKETING_GROUP))
    client.force_login(editor)
    return client


def test_product_chooser_lists_and_searches_standalone_products(editor_client, store):
    response = editor_client.get("/cms/product_chooser/")

    assert response.status_code == 200
    html = response.json()["html"]
    assert store.cheese.title in html
    assert store.bread.title in html

    searched = editor_client.get("/cms/product_chooser/results/", {"q": "chedd"})
    assert searched.status_code == 200
    assert store.cheese.title in searched.content.decode()
    assert store.bread.title not in searched.content.decode()


def test_category_chooser_lists_categories(editor_client, store):
    response = editor_client.get("/cms/category_chooser/")

    assert response.status_code == 200
    assert "Food &gt; Dairy" in response.json()["html"]


def test_product_list_block_preview_shows_real_product_cards(editor_client, store):
    block = HomePage.body.field.stream_block.child_blocks["product_list"]

    response = editor_client.get("/cms/block-preview/", {"id": block.definition_prefix})

    assert response.status_code == 200
    html = response.content.decode()
    assert "css/shop.css" in html
    assert store.cheese.title in html
    assert store.hidden.title not in html


def test_editor_can_open_the_home_page_in_the_page_editor(editor_client, home_page):
    response = editor_client.get(f"/cms/pages/{home_page.pk}/edit/")

    assert response.status_code == 200
    assert "Fresh food, fair prices, run by students" in response.content.decode()
