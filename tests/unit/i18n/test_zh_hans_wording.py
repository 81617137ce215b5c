"""The Chinese a reader meets: every English message reads one way, whether its translation
comes from our catalogue or from Oscar's (ours wins for every message it has, see
``shop/oscar_messages.py``), wrong character forms appear nowhere, and words a member must
tell apart on one screen are worded apart."""

import ast
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import oscar
import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import till
from tests.factories.credit import credit_account, credit_staff
from tests.factories.payments import CheckoutDriver, shipping_country, shop_product
from till import services as till_services

OURS = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"
OSCARS = Path(oscar.__file__).parent / "locale/zh_Hans/LC_MESSAGES/django.po"
STRING_MODULE = Path(settings.BASE_DIR) / "shop/oscar_messages.py"

# Wrong or old-fashioned forms, and what to write instead. Customers are addressed as 您.
FORBIDDEN = {
    "登陆": "登录",
    "帐": "账",
    "你": "您",
    "购物篮": "购物车",
    "结帐": "结账",
}

# Lower-case twins of a message that mean something else and must read differently. Each is
# here because its template asks for it without a context; the comment says which one.
DIFFERENT_SENSES = {
    # templates/loyalty/card_lookup_result.html: points not spendable yet (待生效), whereas
    # the capitalised "Pending" without context is a refund's state (待处理).
    "pending",
}


def _catalogue(path: Path):
    with path.open("rb") as po:
        return read_po(po)


def _singular(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _translations(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _shown():
    """Every translated message a zh-hans page can show: ours, and Oscar's where ours has no
    entry for the same message. Yields (context, msgid, translation, which catalogue)."""
    ours = {(m.context, _singular(m)): m for m in _catalogue(OURS) if m.id and m.string}
    for key, message in ours.items():
        yield (*key, _translations(message)[0], "ours")
    for message in _catalogue(OSCARS):
        key = (message.context, _singular(message))
        if message.id and key not in ours and any(_translations(message)):
            yield (*key, _translations(message)[0], "oscar")


def _same_english(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip().casefold()
    text = text.replace("log in", "login").replace("log out", "logout")
    return re.sub(r"(\.\.\.|[.:!?…])+$", "", text).strip()


def _same_chinese(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"[。：！？…:.!?]+$", "", text).strip()
    return text.removeprefix("请")


def test_no_english_message_reads_two_ways():
    readings = defaultdict(set)
    for context, msgid, msgstr, source in _shown():
        if context is None and msgid.strip() not in DIFFERENT_SENSES:
            readings[_same_english(msgid)].add((msgid, _same_chinese(msgstr), source))
    twice = {
        english: sorted(found)
        for english, found in readings.items()
        if len({chinese for _, chinese, _ in found}) > 1
    }
    assert twice == {}


@pytest.mark.parametrize(("wrong", "right"), FORBIDDEN.items())
def test_no_translation_on_our_pages_uses_a_wrong_form(wrong, right):
    offenders = [
        f"{source}: {msgid!r} => {msgstr!r}"
        for _, msgid, msgstr, source in _shown()
        if wrong in msgstr
    ]
    assert offenders == [], f"write {right} instead of {wrong}"


def _listed_in_string_module() -> set[str]:
    calls = (
        node
        for node in ast.walk(ast.parse(STRING_MODULE.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") in {"gettext_noop", "ngettext_lazy"}
    )
    return {call.args[0].value for call in calls}


def test_every_message_we_word_again_for_oscar_is_one_of_oscars_and_translated():
    # A typo in shop/oscar_messages.py would add a message nobody shows and leave Oscar's
    # wording on the page; a message added there without makemessages would not be ours yet.
    listed = _listed_in_string_module()
    oscars = {_singular(m) for m in _catalogue(OSCARS) if m.id}
    translated = {_singular(m) for m in _catalogue(OURS) if m.id and all(_translations(m))}
    assert listed
    assert listed - oscars == set()
    assert listed - translated == set()


@pytest.mark.parametrize(
    "words",
    [
        # the account's sign-in screens and the card's PIN screens sit side by side
        ("Change password", "Change PIN"),
        ("Password", "PIN"),
        # checkout and the account name three cards
        ("Member card", "Campus card", "Bank card"),
        # the till: a planned rota slot is not the shift a cashier works
        ("Shift", "Rota slot"),
        ("Shifts", "Rota slot"),
    ],
)
def test_words_on_one_screen_are_worded_apart(words):
    with translation.override("zh-hans"):
        chinese = [translation.gettext(word) for word in words]
    assert len(set(chinese)) == len(words), dict(zip(words, chinese, strict=True))


def test_pending_points_read_apart_from_a_pending_refund_in_every_spelling():
    with translation.override("zh-hans"):
        refund = translation.gettext("Pending")
        assert translation.gettext("pending") != refund
        assert translation.pgettext("points not spendable yet", "Pending") != refund


def test_the_sign_in_words_read_登录_in_every_catalogue():
    with translation.override("zh-hans"):
        assert translation.gettext("Login or register") == "登录或注册"
        assert translation.gettext("Log In") == "登录"
        assert translation.gettext("Products you recently viewed") == "您最近浏览过的商品"


@pytest.mark.django_db
def test_header_login_and_checkout_pages_never_show_登陆(client, django_user_model):
    client.cookies["django_language"] = "zh-hans"
    pages = {
        "home": client.get("/"),
        "login": client.get(reverse("customer:login")),
    }
    shipping_country()
    shopper = django_user_model.objects.create_user(
        username="reader", email="reader@campus.example", password="a-long-password-1"
    )
    client.force_login(shopper)
    checkout = CheckoutDriver(client)
    checkout.add_to_basket(shop_product(price="12.00"))
    pages["basket"] = client.get(reverse("basket:summary"))
    pages["delivery"] = client.get(reverse("checkout:shipping-method"))
    checkout.enter_shipping_address()
    pages["payment"] = client.get(reverse("checkout:payment-details"))
    pages["account"] = client.get(reverse("customer:summary"), follow=True)

    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert '<html lang="zh-hans"' in html, name
        assert "登陆" not in html, name
        assert "登录" in html or name != "login", name


@pytest.mark.parametrize(
    ("context", "english", "chinese"),
    [
        (None, "Change", "修改"),  # the checkout preview's link back to a step
        ("cash handed back", "Change", "找零"),
        ("stock quantity moved", "Change", "数量变动"),
        (None, "Collection", "取货"),  # a pre-order picked up in store
        ("invoice dunning stage", "Collection", "催收"),
        (None, "Opened", "已打开"),  # a campaign's emails
        ("till shift", "Opened", "开班时间"),
        ("till shift", "Closed", "结班时间"),
        (None, "Charged", "已计费"),  # charged to a credit account, invoiced
        ("pre-order card charged", "Charged", "已扣款"),
    ],
)
def test_a_word_with_two_senses_reads_as_its_context_says(context, english, chinese):
    with translation.override("zh-hans"):
        if context is None:
            assert translation.gettext(english) == chinese
        else:
            assert translation.pgettext(context, english) == chinese


@pytest.mark.django_db
def test_a_cash_receipt_and_the_shift_list_read_as_the_till(client):
    cashier = till.cashier()
    shift = till.open_shift(user=cashier)
    sale = till_services.till_sale_create(
        cashier=cashier,
        shift_id=shift.pk,
        card_number="",
        lines=[till_services.TillLineInput(product_id=till.product(price="12.30").pk, quantity=1)],
        payment_method="cash",
        cash_tendered=Decimal("20.00"),
    )
    client.force_login(cashier)
    client.cookies["django_language"] = "zh-hans"
    receipt = client.get(reverse("till-receipt", args=[sale.pk])).content.decode()
    assert "<td>找零</td>" in receipt
    assert "修改" not in receipt

    shifts = client.get(reverse("till-shift-list")).content.decode()
    assert "<th>开班时间</th><th>结班时间</th>" in shifts


@pytest.mark.django_db
def test_the_credit_invoice_list_names_its_dunning_column_催收(client):
    account = credit_account()
    client.force_login(credit_staff())
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("credit-account-detail", args=[account.pk])).content.decode()
    assert "<th>催收</th>" in page
    assert "取货" not in page


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


@pytest.mark.django_db
def test_sentences_joined_on_a_page_keep_chinese_punctuation(client, django_user_model):
    client.cookies["django_language"] = "zh-hans"
    shipping_country()
    shopper = django_user_model.objects.create_user(
        username="joiner", email="joiner@campus.example", password="a-long-password-1"
    )
    client.force_login(shopper)
    CheckoutDriver(client).add_to_basket(shop_product(price="12.00"))

    delivery = client.get(reverse("checkout:shipping-method"))
    assert delivery.context["next_delivery"] is not None
    card = delivery.content.decode().split('id="method_campus_delivery"', 1)[1]
    card = _text(card.split("</p>", 2)[1])
    assert "。" in card and "。 " not in card and ". " not in card

    delete = _text(client.get(reverse("customer:profile-delete")).content.decode())
    assert "删除 或取消" in delete and "取消." not in delete
