"""Marketing's screens write amounts with the store's currency format, never a typed symbol."""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "marketing"


def test_no_marketing_template_types_a_currency_symbol():
    typed = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "¥" in path.read_text(encoding="utf-8")
    ]
    assert typed == []


class _Value:
    recency_days = 12
    frequency = 3
    monetary = Decimal("1234.5")
    clv_total = Decimal("80.1")
    clv_historical = Decimal("50")
    clv_expected = Decimal("30.1")
    is_dormant = False

    def get_value_group_display(self):
        return "High"

    def get_lifecycle_display(self):
        return "Active"


def test_profile_panel_formats_spend_and_lifetime_value_as_money():
    with translation.override("en"):
        html = render_to_string(
            "marketing/admin/profile_panel.html",
            {"profile": {"value": _Value(), "segments": [], "receipts": []}},
        )
    assert "¥1,234.50" in html and "¥80.10" in html
    assert "¥50.00 margin so far + ¥30.10 expected" in html
