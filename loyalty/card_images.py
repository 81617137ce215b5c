"""The card number drawn as a QR code and a Code 128 barcode, as inline SVG.

Both encode the bare card number, so the till's scanner reads either the phone screen or
the plastic the same way.
"""

import io

import barcode
import qrcode
import qrcode.image.svg
from barcode.writer import SVGWriter


def card_qr_svg(*, number: str) -> str:
    image = qrcode.make(number, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def card_barcode_svg(*, number: str) -> str:
    out = io.BytesIO()
    barcode.get("code128", number, writer=SVGWriter()).write(
        out, options={"module_height": 12, "font_size": 8, "text_distance": 4}
    )
    svg = out.getvalue().decode()
    # Inline SVG in HTML takes no XML prolog or doctype.
    return svg[svg.index("<svg") :]
