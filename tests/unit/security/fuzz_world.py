"""The rows the fuzz tests aim at: one of each thing a URL of ours takes an id or token of.

Each object is built on first use only (a test fuzzing the rota does not build a credit
account), inside the test's transaction, through the same services and factories the other
tests use. ``other_*`` objects belong to a second shopper: their ids are fed to the fuzzer as
hostile values ("someone else's order").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property

from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_product

from credit import services as credit_services
from crm.models import ListEntry, SurveyInvitation
from loyalty.models import (
    CategoryEarningMultiplier,
    EarningCampaign,
    MemberType,
    ProductEarningMultiplier,
    Tier,
)
from loyalty.services.cards import card_pin_reset_token_make
from loyalty.services.ledger import points_adjust
from marketing import links as marketing_links
from marketing.models import Campaign
from operations.models import PurchaseOrder
from preorders import services as preorder_services
from preorders.models import Preorder
from recommendations.models import ProductRule
from tests.factories.credit import credit_account
from tests.factories.crm import TicketCategoryFactory, ticket
from tests.factories.loyalty import CARD_PIN, member_card, paid_order
from tests.factories.marketing import rule_segment
from tests.factories.operations import CalendarPeriodFactory, SupplierFactory, stocked_product
from tests.factories.payments import funded_wallet
from tests.factories.preorders import preorder_product
from tests.factories.till import open_shift, register, rota_post
from tests.factories.till import product as till_product
from till import services as till_services

Category = get_model("catalogue", "Category")
User = get_user_model()


# force_login() takes the first backend unless told; the login throttle's backend comes first
# and logs nobody in, so name the one that does.
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def log_in(client, user) -> None:
    client.force_login(user, backend=LOGIN_BACKEND)


class FuzzWorld:
    PIN = CARD_PIN

    # ------------------------------------------------------------------ people

    @cached_property
    def staff(self):
        # A superuser reaches every screen, so the fuzzer tests input handling, not access
        # (ACCESS's permission matrix covers who may reach what).
        return User.objects.create_superuser(
            username="fuzz-admin", email="fuzz-admin@campus.example", password="fuzz-admin-pw"
        )

    @cached_property
    def shopper(self):
        user = UserFactory(email="fuzz-shopper@campus.example")
        card = member_card(user=user)
        points_adjust(
            account_id=card.account_id, points=2000, reason="fuzz points", created_by=self.staff
        )
        funded_wallet(user=user, amount="50.00")
        return user

    @cached_property
    def card(self):
        return self.shopper.member_cards.get()

    @cached_property
    def other_shopper(self):
        user = UserFactory(email="fuzz-other@campus.example")
        member_card(user=user)
        return user

    @cached_property
    def other_ids(self) -> tuple[str, ...]:
        """Ids and numbers of the other shopper's rows: the "someone else's" hostile values."""
        order = paid_order(user=self.other_shopper, price="10.00")
        other_ticket = ticket(customer=self.other_shopper)
        other_card = self.other_shopper.member_cards.get()
        return (
            str(order.pk),
            order.number,
            str(other_ticket.pk),
            str(other_card.pk),
            other_card.number,
            str(self.other_shopper.pk),
        )

    # ------------------------------------------------------------------ storefront rows

    @cached_property
    def order(self):
        return paid_order(user=self.shopper, price="30.00")

    @cached_property
    def ticket(self):
        return ticket(customer=self.shopper)

    @cached_property
    def pin_reset_token(self) -> str:
        return card_pin_reset_token_make(card=self.card)

    @cached_property
    def survey_token(self) -> str:
        from crm import services as crm_services

        invitation = SurveyInvitation.objects.create(
            customer=self.shopper, trigger=SurveyInvitation.Trigger.TICKET, ticket=self.ticket
        )
        return crm_services.survey_token(invitation_id=invitation.pk)

    @cached_property
    def unsubscribe_token(self) -> str:
        return (
            marketing_links.unsubscribe_url(user_id=self.shopper.pk).rstrip("/").rsplit("/", 1)[1]
        )

    @cached_property
    def preorder_settings(self):
        return preorder_product(cap=5)

    @cached_property
    def preorder(self):
        return preorder_services.preorder_reserve(
            settings_id=self.preorder_settings.pk,
            quantity=1,
            user=self.shopper,
            email=self.shopper.email,
            order_number="FUZZ-1",
            amount=Decimal("80.00"),
            currency="CNY",
        )

    @cached_property
    def preorder_pay_again_token(self) -> str:
        Preorder.objects.filter(pk=self.preorder.pk).update(
            status=Preorder.Status.PAYMENT_FAILED, pay_again_token="fuzz-pay-again-token"
        )
        return "fuzz-pay-again-token"

    # ------------------------------------------------------------------ back office rows

    @cached_property
    def product(self):
        return create_product(price=Decimal("10.00"), title="Fuzz rice", num_in_stock=50)

    @cached_property
    def stockrecord(self):
        return stocked_product(title="Fuzz noodles")[1]

    @cached_property
    def supplier(self):
        return SupplierFactory()

    @cached_property
    def purchase_order(self):
        return PurchaseOrder.objects.create(supplier=self.supplier)

    @cached_property
    def calendar_period(self):
        today = timezone.localdate()
        return CalendarPeriodFactory(starts_on=today, ends_on=today + dt.timedelta(days=7))

    @cached_property
    def credit_account(self):
        return credit_account(buyers=[self.shopper], limit_setter=self.staff)

    @cached_property
    def invoice(self):
        return credit_services.credit_invoice_issue(
            account_id=self.credit_account.pk,
            amount=Decimal("40.00"),
            issued_on=timezone.localdate(),
        )

    @cached_property
    def write_off(self):
        return credit_services.write_off_request(
            invoice_id=self.invoice.pk, amount=Decimal("5.00"), reason="fuzz", actor=self.staff
        )

    @cached_property
    def approval(self):
        from credit.models import OrderApproval

        return OrderApproval.objects.create(
            account=self.credit_account,
            order=paid_order(user=self.shopper, price="20.00"),
            amount=Decimal("20.00"),
            referral_reason="fuzz",
        )

    @cached_property
    def shift(self):
        return open_shift(user=self.staff, till=register("Fuzz till"))

    @cached_property
    def till_sale(self):
        """A cash sale rung up by the staff member on their shift: refunded by its own cashier
        or a supervisor, never by another cashier."""
        tea = till_product(title="Fuzz jasmine tea", price="6.00", stock=20)
        return till_services.till_sale_create(
            cashier=self.staff,
            shift_id=self.shift.pk,
            card_number="",
            lines=[till_services.TillLineInput(product_id=tea.pk, quantity=2)],
            payment_method="cash",
            cash_tendered=Decimal("20.00"),
        )

    @cached_property
    def rota_assignment(self):
        return till_services.rota_assignment_save(
            post_id=rota_post("Fuzz post").pk,
            staff=self.staff,
            day=timezone.localdate(),
            starts_at=dt.time(9),
            ends_at=dt.time(12),
        )

    # ------------------------------------------------------------------ /cms/ rows

    @cached_property
    def ticket_category(self):
        return TicketCategoryFactory()

    @cached_property
    def list_entry(self):
        return ListEntry.objects.create(
            customer=self.other_shopper, kind=ListEntry.Kind.choices[0][0], reason="fuzz"
        )

    @cached_property
    def segment(self):
        return rule_segment(
            name="Fuzz segment",
            rules=[{"field": "member_type", "operator": "eq", "value": "student"}],
        )

    @cached_property
    def campaign(self):
        return Campaign.objects.create(
            name="Fuzz campaign", segment=self.segment, subject="Hello", body="Hi"
        )

    @cached_property
    def product_rule(self):
        return ProductRule.objects.create(
            product=self.product,
            action=ProductRule.Action.choices[0][0],
            placement=ProductRule.Placement.choices[0][0],
        )

    @cached_property
    def member_type(self):
        return MemberType.objects.order_by("pk").first()

    @cached_property
    def tier(self):
        return Tier.objects.order_by("pk").first()

    @cached_property
    def category(self):
        return Category.add_root(name="Fuzz category")

    @cached_property
    def category_multiplier(self):
        return CategoryEarningMultiplier.objects.create(
            category=self.category, multiplier=Decimal("2")
        )

    @cached_property
    def product_multiplier(self):
        return ProductEarningMultiplier.objects.create(
            product=self.product, multiplier=Decimal("2")
        )

    @cached_property
    def earning_campaign(self):
        now = timezone.now()
        return EarningCampaign.objects.create(
            name="Fuzz double points",
            multiplier=Decimal("2"),
            starts_at=now,
            ends_at=now + dt.timedelta(days=1),
        )
