"""The demo's staff are people with names, two of them cashiers, and load_demo and `make run`
print one and the same sign-in text."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from shop.demo.constants import DEMO_STAFF_ACCOUNTS
from shop.demo.selectors import demo_logins_lines, demo_member_sign_in_text
from staff import roles

pytestmark = pytest.mark.django_db

User = get_user_model()
HISTORY = """member_number,date,item
1001,2015-01-05,whole milk
1002,2015-01-06,yogurt
"""


@pytest.fixture
def output(tmp_path) -> str:
    path = tmp_path / "purchases.csv"
    path.write_text(HISTORY, encoding="utf-8")
    out = StringIO()
    call_command("load_demo", "--csv", str(path), stdout=out)
    return out.getvalue()


def test_every_demo_staff_account_has_a_name(output):
    for account in DEMO_STAFF_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.first_name and user.last_name, account.username
        assert user.get_full_name() == account.full_name


def test_a_name_someone_gave_since_is_kept(output, tmp_path):
    User.objects.filter(username="cashier").update(first_name="Meimei", last_name="Chen")
    path = tmp_path / "purchases.csv"
    call_command("load_demo", "--csv", str(path), "--quiet", stdout=StringIO())
    assert User.objects.get(username="cashier").get_full_name() == "Meimei Chen"


def test_two_cashiers_with_their_own_passwords_can_take_the_till(client, output):
    cashiers = [a for a in DEMO_STAFF_ACCOUNTS if a.staff_role == roles.CASHIER]
    assert len(cashiers) == 2
    assert len({a.password for a in cashiers}) == 2
    for account in cashiers:
        user = User.objects.get(username=account.username)
        assert user.has_perm("till.use_till") and not user.has_perm("order.change_order")
        assert client.login(username=account.username, password=account.password)
        assert account.username in output and account.password in output


def test_load_demo_ends_with_the_members_card_and_pin_sign_in(output):
    last = output.strip().splitlines()[-1]
    assert "/accounts/login/" in last and "PIN" in last
    assert "/member-card/" not in output
    for line in demo_logins_lines():
        assert line in output
    assert last.strip() == demo_member_sign_in_text()


def test_make_run_prints_the_same_lines_as_load_demo():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("define PRINT_DEMO_LOGINS", 1)[1].split("endef", 1)[0]
    assert "demo_logins_lines()" in recipe
    assert "/member-card/" not in recipe and "DEMO_STAFF_ACCOUNTS" not in recipe
