"""Marketing writes: the nightly segmentation, segments, consent, campaigns and their results.

HackSoft style: keyword-only, type-hinted, ``transaction.atomic``; Celery tasks, views,
receivers and commands only call these. Campaign sending is at-most-once per member: the
recipient row (unique on campaign + member) is drawn once, and each delivery locks its row
and moves it out of "pending" in the same transaction as the email, bonus points and voucher.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import random
import re
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Case, Count, DecimalField, F, Max, Min, Sum, Value, When
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from oscar.apps.voucher.utils import get_unused_code
from oscar.core.loading import get_model
from wagtail.rich_text import expand_db_html

from core.links import site_url
from loyalty.models import PointsTransaction
from loyalty.selectors import card_get_for_user
from loyalty.services.ledger import points_adjust
from marketing import links, segmentation, tasks
from marketing.models import (
    Campaign,
    CampaignMultiplierAward,
    CampaignRecipient,
    CustomerValue,
    Lifecycle,
    MarketingConsent,
    Segment,
    SegmentationRun,
    SegmentSizeSnapshot,
    ValueGroup,
)
from marketing.rules import RuleError
from marketing.selectors import segment_queryset, segment_user_ids
from recommendations.selectors import recommended_products
from shop.apps.order.selectors import orders_paid

logger = logging.getLogger(__name__)

User = get_user_model()
Order = get_model("order", "Order")
Line = get_model("order", "Line")
Voucher = get_model("voucher", "Voucher")

BULK_BATCH_SIZE = 1000
SEND_BATCH_SIZE = 100
MONEY = DecimalField(max_digits=14, decimal_places=2)


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the store's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


# --------------------------------------------------------------------------- segmentation


@dataclass(frozen=True)
class SegmentationSummary:
    as_of: dt.date
    customers: int
    retention_rate: Decimal
    seconds: float


BUILTIN_SEGMENTS: list[tuple[str, str, str]] = [
    *[(label, "value_group", value) for value, label in ValueGroup.choices],
    *[(label, "lifecycle", value) for value, label in Lifecycle.choices],
]
DORMANT_SEGMENT_NAME = "Dormant members (reactivation)"


def _builtin_segment_specs() -> list[tuple[str, list[dict]]]:
    specs = [
        (str(label), [{"field": field, "operator": "eq", "value": value}])
        for label, field, value in BUILTIN_SEGMENTS
    ]
    specs.append((DORMANT_SEGMENT_NAME, [{"field": "dormant", "operator": "eq", "value": "yes"}]))
    return specs


def _stream(rules: list[dict]) -> list[dict]:
    return [{"type": "condition", "value": dict(rule)} for rule in rules]


@transaction.atomic
def segments_builtin_ensure() -> int:
    """The value groups, lifecycle stages and dormant list as selectable segments."""
    created = 0
    for name, rules in _builtin_segment_specs():
        _segment, was_created = Segment.objects.get_or_create(
            name=name,
            defaults={"conditions": _stream(rules), "is_builtin": True},
        )
        created += was_created
    return created


def _customer_figures(*, until: dt.datetime) -> tuple[dict[int, dict], Decimal]:
    """Per customer, in two aggregate queries: orders, spend, first/last day, revenue, cost."""
    orders = orders_paid().filter(user__isnull=False, date_placed__lt=until)
    figures = {
        row["user_id"]: row
        for row in orders.values("user_id").annotate(
            frequency=Count("pk"),
            monetary=Sum("total_incl_tax"),
            first_at=Min("date_placed"),
            last_at=Max("date_placed"),
        )
    }
    has_cost = When(stockrecord__cost_price__isnull=False, then=F("line_price_excl_tax"))
    line_totals = (
        Line.objects.filter(order__in=orders)
        .values("order__user_id")
        .annotate(
            revenue=Sum("line_price_excl_tax"),
            costed_revenue=Sum(Case(has_cost, default=Value(Decimal("0")), output_field=MONEY)),
            cost=Sum(F("quantity") * F("stockrecord__cost_price"), output_field=MONEY),
        )
    )
    all_costed = all_cost = Decimal("0")
    for row in line_totals:
        figure = figures.get(row["order__user_id"])
        if figure is None:
            continue
        figure["revenue"] = row["revenue"] or Decimal("0")
        figure["costed_revenue"] = row["costed_revenue"] or Decimal("0")
        figure["cost"] = row["cost"] or Decimal("0")
        all_costed += figure["costed_revenue"]
        all_cost += figure["cost"]
    store_margin_rate = (all_costed - all_cost) / all_costed if all_costed else Decimal("0")
    return figures, store_margin_rate


def _store_retention(*, until: dt.datetime) -> Decimal:
    year = dt.timedelta(days=365)
    paid = orders_paid().filter(user__isnull=False)

    def buyers(start: dt.datetime, end: dt.datetime) -> set[int]:
        return set(
            paid.filter(date_placed__gte=start, date_placed__lt=end)
            .values_list("user_id", flat=True)
            .distinct()
        )

    return segmentation.retention_rate(
        previous_year_buyers=buyers(until - 2 * year, until - year),
        last_year_buyers=buyers(until - year, until),
    )


def segmentation_run(*, as_of: dt.date | None = None) -> SegmentationSummary:
    """Score every customer with a paid order before ``as_of`` (default: today).

    Idempotent: one ``CustomerValue`` row per customer is upserted, customers who no longer
    qualify are removed, and the day's snapshot rows are replaced.
    """
    started = time.perf_counter()
    as_of = as_of or timezone.localdate()
    until = day_start(as_of)
    with transaction.atomic():
        segments_builtin_ensure()
        figures, store_margin_rate = _customer_figures(until=until)
        retention = _store_retention(until=until)
        user_ids = sorted(figures)
        rows = [figures[user_id] for user_id in user_ids]
        recency = [
            segmentation.days_between(timezone.localtime(row["last_at"]).date(), as_of)
            for row in rows
        ]
        r_scores = segmentation.quintile_scores(recency, higher_is_better=False)
        f_scores = segmentation.quintile_scores([row["frequency"] for row in rows])
        m_scores = segmentation.quintile_scores([row["monetary"] for row in rows])
        values = []
        for index, row in enumerate(rows):
            first_days = segmentation.days_between(
                timezone.localtime(row["first_at"]).date(), as_of
            )
            stage = segmentation.lifecycle_stage(first_days=first_days, recency_days=recency[index])
            clv = segmentation.lifetime_value(
                revenue=row.get("revenue", Decimal("0")),
                costed_revenue=row.get("costed_revenue", Decimal("0")),
                cost=row.get("cost", Decimal("0")),
                frequency=row["frequency"],
                tenure_days=first_days,
                lifecycle=stage,
                store_margin_rate=store_margin_rate,
                retention=retention,
            )
            values.append(
                CustomerValue(
                    user_id=user_ids[index],
                    as_of=as_of,
                    first_order_at=row["first_at"],
                    last_order_at=row["last_at"],
                    recency_days=recency[index],
                    frequency=row["frequency"],
                    monetary=row["monetary"],
                    recency_score=r_scores[index],
                    frequency_score=f_scores[index],
                    monetary_score=m_scores[index],
                    value_group=segmentation.value_group(
                        recency_score=r_scores[index],
                        frequency_score=f_scores[index],
                        monetary_score=m_scores[index],
                    ),
                    lifecycle=stage,
                    is_dormant=segmentation.is_dormant(
                        recency_days=recency[index], frequency=row["frequency"]
                    ),
                    margin_rate=clv.margin_rate,
                    clv_historical=clv.historical,
                    clv_expected=clv.expected,
                    clv_total=clv.total,
                )
            )
        update_fields = [
            field.name
            for field in CustomerValue._meta.concrete_fields
            if field.name not in {"id", "user"}
        ]
        CustomerValue.objects.bulk_create(
            values,
            batch_size=BULK_BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=update_fields,
        )
        CustomerValue.objects.exclude(user_id__in=user_ids).delete()
        segment_sizes_snapshot(day=as_of)
        seconds = time.perf_counter() - started
        SegmentationRun.objects.update_or_create(
            as_of=as_of,
            defaults={"customers": len(values), "retention_rate": retention, "seconds": seconds},
        )
    return SegmentationSummary(
        as_of=as_of, customers=len(values), retention_rate=retention, seconds=seconds
    )


@transaction.atomic
def segment_sizes_snapshot(*, day: dt.date) -> int:
    """Today's size of every segment (built-in and rule), replacing the day's earlier rows."""
    rows = [
        SegmentSizeSnapshot(
            day=day,
            key="all",
            label=_("All scored customers"),
            size=CustomerValue.objects.count(),
        )
    ]
    for segment in Segment.objects.all():
        try:
            size = segment_queryset(segment=segment, as_of=day).count()
        except RuleError:
            # A rule that no longer compiles (its category was deleted) has no size today.
            logger.warning("Segment %s no longer compiles; no snapshot", segment.pk)
            continue
        rows.append(
            SegmentSizeSnapshot(day=day, key=f"segment:{segment.pk}", label=segment.name, size=size)
        )
    SegmentSizeSnapshot.objects.filter(day=day).delete()
    SegmentSizeSnapshot.objects.bulk_create(rows)
    return len(rows)


# --------------------------------------------------------------------------- segments


def _segment_validate(*, segment: Segment) -> None:
    # Segment.clean() compiles the rules: RuleError is a ValidationError with the message.
    segment.full_clean()


@transaction.atomic
def segment_create(
    *,
    name: str,
    rules: list[dict],
    match: str = Segment.Match.ALL,
    description: str = "",
    created_by=None,
) -> Segment:
    """Checks every condition first: a bad rule raises and nothing is saved."""
    segment = Segment(
        name=name.strip(),
        description=description,
        match=match,
        conditions=_stream(rules),
        created_by=created_by,
    )
    _segment_validate(segment=segment)
    segment.save()
    return segment


@transaction.atomic
def segment_update(*, segment_id: int, rules: list[dict], match: str | None = None) -> Segment:
    segment = Segment.objects.select_for_update().get(pk=segment_id)
    segment.conditions = _stream(rules)
    if match is not None:
        segment.match = match
    _segment_validate(segment=segment)
    segment.save()
    return segment


# --------------------------------------------------------------------------- consent


@transaction.atomic
def marketing_unsubscribe(*, user_id: int) -> MarketingConsent:
    consent, _created = MarketingConsent.objects.select_for_update().get_or_create(user_id=user_id)
    if not consent.email_opt_out:
        consent.email_opt_out = True
        consent.save(update_fields=["email_opt_out", "changed_at"])
    return consent


@transaction.atomic
def marketing_resubscribe(*, user_id: int) -> MarketingConsent:
    consent, _created = MarketingConsent.objects.select_for_update().get_or_create(user_id=user_id)
    if consent.email_opt_out:
        consent.email_opt_out = False
        consent.save(update_fields=["email_opt_out", "changed_at"])
    return consent


# --------------------------------------------------------------------------- campaigns


def control_group_draw(*, user_ids: list[int], percent: int, seed: str) -> set[int]:
    """The held-out members: a seeded shuffle of the sorted ids, so a re-draw is identical."""
    ordered = sorted(set(user_ids))
    rng = random.Random(seed)  # noqa: S311  (not security: a reproducible experiment split)
    rng.shuffle(ordered)
    size = round(len(ordered) * percent / 100)
    return set(ordered[:size])


def _eligible_user_ids(*, user_ids: list[int]) -> list[int]:
    return list(
        User.objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .exclude(marketing_consent__email_opt_out=True)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def campaign_schedule(*, campaign_id: int, send_at: dt.datetime, by) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED):
        raise ValidationError(_("This campaign was already sent."), code="already_sent")
    campaign.scheduled_at = send_at
    campaign.status = Campaign.Status.SCHEDULED
    campaign.created_by = campaign.created_by or by
    campaign.save(update_fields=["scheduled_at", "status", "created_by"])
    return campaign


@transaction.atomic
def campaign_schedule_sync(*, campaign_id: int, by) -> Campaign:
    """After an admin edit: a send time schedules the campaign, an empty one unschedules it."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status == Campaign.Status.DRAFT and campaign.scheduled_at:
        return campaign_schedule(campaign_id=campaign_id, send_at=campaign.scheduled_at, by=by)
    if campaign.status == Campaign.Status.SCHEDULED and not campaign.scheduled_at:
        campaign.status = Campaign.Status.DRAFT
        campaign.save(update_fields=["status"])
    if campaign.created_by_id is None:
        campaign.created_by = by
        campaign.save(update_fields=["created_by"])
    return campaign


@transaction.atomic
def campaign_send(*, campaign_id: int, by=None, now: dt.datetime | None = None) -> int:
    """Draw the recipients and the control group, then queue the deliveries after commit.

    Returns how many emails were queued. A second call on a campaign already sending or sent
    draws nobody new and queues nothing.
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status in (Campaign.Status.SENDING, Campaign.Status.SENT):
        return 0
    campaign.full_clean()
    campaign.created_by = campaign.created_by or by
    if campaign.created_by is None and (campaign.bonus_points or campaign.points_multiplier):
        raise ValidationError(_("Points need an author: send the campaign as a staff member."))
    now = now or timezone.now()
    eligible = _eligible_user_ids(user_ids=segment_user_ids(segment_id=campaign.segment_id))
    control = control_group_draw(
        user_ids=eligible,
        percent=campaign.control_percent,
        seed=f"{campaign.pk}:{campaign.control_seed}",
    )
    if campaign.voucher_mode == Campaign.VoucherMode.SHARED and campaign.shared_voucher is None:
        campaign.shared_voucher = _voucher_create(
            campaign=campaign, usage=Voucher.ONCE_PER_CUSTOMER, now=now
        )
    CampaignRecipient.objects.bulk_create(
        [
            CampaignRecipient(
                campaign=campaign,
                user_id=user_id,
                is_control=user_id in control,
                status=CampaignRecipient.Status.CONTROL
                if user_id in control
                else CampaignRecipient.Status.PENDING,
            )
            for user_id in sorted(eligible)
        ],
        batch_size=BULK_BATCH_SIZE,
        ignore_conflicts=True,
    )
    campaign.status = Campaign.Status.SENDING
    campaign.sent_at = now
    campaign.save(update_fields=["status", "sent_at", "created_by", "shared_voucher"])
    pending = list(
        campaign.recipients.filter(status=CampaignRecipient.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(pending), SEND_BATCH_SIZE):
        batch = pending[start : start + SEND_BATCH_SIZE]
        transaction.on_commit(
            lambda batch=batch: tasks.campaign_deliver_batch.delay(campaign_id, batch)
        )
    if not pending:
        transaction.on_commit(lambda: tasks.campaign_deliver_batch.delay(campaign_id, []))
    return len(pending)


def campaigns_send_due(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    due = Campaign.objects.filter(status=Campaign.Status.SCHEDULED, scheduled_at__lte=now)
    count = 0
    for campaign_id in due.values_list("pk", flat=True):
        campaign_send(campaign_id=campaign_id, now=now)
        count += 1
    return count


def _voucher_create(*, campaign: Campaign, usage: str, now: dt.datetime):
    code = get_unused_code(length=12)
    voucher = Voucher.objects.create(
        name=f"{campaign.name[:100]} {code}",
        code=code,
        usage=usage,
        start_datetime=now,
        end_datetime=now + dt.timedelta(days=campaign.voucher_valid_days),
    )
    voucher.offers.add(campaign.voucher_offer)
    return voucher


def _recommendation_lines(*, user) -> list[tuple[str, str]]:
    # The recipient's "new for you" row (what is popular right now for a member without one):
    # an email is for finding something, not for the staples they buy anyway.
    return [
        (product.get_title(), site_url(product.get_absolute_url()))
        for product in recommended_products(user=user, request=None, limit=3)
    ]


HREF = re.compile(r'href="([^"]+)"')


def _tracked(*, recipient_id: int, href: str) -> str:
    """Web links go through the click redirect (site-relative ones made absolute first, as
    a mail client has no base URL); mailto: and the like stay as they are."""
    if href.startswith("/") and not href.startswith("//"):
        href = site_url(href)
    if not href.startswith(("http://", "https://")):
        return href
    return links.click_url(recipient_id=recipient_id, target=href)


def _email_href(*, recipient_id: int | None, href: str) -> str:
    if recipient_id is not None:
        return _tracked(recipient_id=recipient_id, href=href)
    # A staff test has no recipient row to count a click against: plain absolute links.
    return site_url(href) if href.startswith("/") and not href.startswith("//") else href


# The recommendations are a list, and a list may not sit inside a <p>: the rich-text paragraph
# holding {recommendations} is split around it (and paragraphs left empty dropped).
PARAGRAPH_WITH_RECOMMENDATIONS = re.compile(
    r"<p((?:\s[^>]*)?)>((?:(?!</p>).)*?)\{recommendations\}(.*?)</p>", re.S
)
EMPTY_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(?:\s|&nbsp;|<br\s*/?>)*</p>")
NAME_PLACEHOLDER_WITH_SPACE = re.compile(r"[ \t\u00a0]*\{name\}")
# "{name}, we miss you" at the start of the subject or of a paragraph: without a name the
# comma goes too and the next word starts the sentence.
NAME_PLACEHOLDER_LEADING = re.compile(r"(^|<p(?:\s[^>]*)?>)[ \t\u00a0]*\{name\}\s*[,，:]?\s*(\w?)")
TEXT_LINK = re.compile(r'<a\b[^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.S | re.I)
TEXT_LINE_BREAK = re.compile(r"<br\s*/?>", re.I)
TEXT_BLOCK_END = re.compile(r"</(p|div|h[1-6]|ul|ol|blockquote|table|tr)>", re.I)
TEXT_LIST_ITEM = re.compile(r"<li\b[^>]*>", re.I)


def _recommendations_out_of_paragraphs(body: str) -> str:
    def split(match: re.Match) -> str:
        attributes, before, after = match.groups()
        return f"<p{attributes}>{before}</p>{{recommendations}}<p{attributes}>{after}</p>"

    return EMPTY_PARAGRAPH.sub("", PARAGRAPH_WITH_RECOMMENDATIONS.sub(split, body))


def _name_fill(text: str, *, name: str) -> str:
    """``{name}`` becomes the member's name; without one it goes with the space before it, so
    "Hello {name}," reads "Hello," rather than greeting a "member", and "{name}, we miss you"
    reads "We miss you"."""
    if name:
        return text.replace("{name}", name)
    text = NAME_PLACEHOLDER_LEADING.sub(lambda match: match.group(1) + match.group(2).upper(), text)
    return NAME_PLACEHOLDER_WITH_SPACE.sub("", text)


def _html_as_text(body: str) -> str:
    """The plain-text part: one line per paragraph, heading and list item, links spelled out,
    entities decoded once at the end (the text part is not HTML)."""
    text = TEXT_LINK.sub(
        lambda match: (
            f"{match.group(2).strip()} ({match.group(1)})"
            if strip_tags(match.group(2)).strip()
            else match.group(1)
        ),
        body,
    )
    text = TEXT_LINE_BREAK.sub("\n", text)
    text = TEXT_LIST_ITEM.sub("\n- ", text)
    text = TEXT_BLOCK_END.sub("\n\n", text)
    text = html.unescape(strip_tags(text))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _campaign_email_compose(
    *,
    campaign: Campaign,
    user,
    voucher,
    recipient_id: int | None,
    test_note: str = "",
    unsubscribe_user_id: int | None = None,
    greet_by_name: bool = True,
) -> tuple[str, str, str]:
    """Subject, text and HTML of the campaign as ``user`` gets it, placeholders filled.

    With a ``recipient_id`` its links are tracked and it carries the open pixel; without one
    (a staff test) nothing in it can record an open or a click. A test reads as ``user`` (a
    member of the segment) would get it, with ``test_note`` at the top, and its unsubscribe
    link is the staff member's (``unsubscribe_user_id``), so trying it leaves the member's
    consent alone.
    """
    card = card_get_for_user(user=user)
    recommendations = _recommendation_lines(user=user)
    recommendation_html = "".join(
        f'<li><a href="{html.escape(url)}">{html.escape(title)}</a></li>'
        for title, url in recommendations
    )
    name = user.get_full_name().strip() if greet_by_name else ""
    values = {
        "{points}": intcomma(card.account.balance if card else 0),
        "{recommendations}": f"<ul>{recommendation_html}</ul>" if recommendations else "",
        "{voucher_code}": html.escape(voucher.code) if voucher else "",
    }
    body = _name_fill(
        _recommendations_out_of_paragraphs(expand_db_html(campaign.body)), name=html.escape(name)
    )
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    body = EMPTY_PARAGRAPH.sub("", body)
    body = HREF.sub(
        lambda match: (
            f'href="{html.escape(_email_href(recipient_id=recipient_id, href=html.unescape(match.group(1))))}"'
        ),
        body,
    )
    context = {
        "campaign": campaign,
        "body": body,
        "voucher": voucher,
        "pixel_url": (
            links.open_pixel_url(recipient_id=recipient_id) if recipient_id is not None else ""
        ),
        "unsubscribe_url": links.unsubscribe_url(user_id=unsubscribe_user_id or user.pk),
        "test_note": test_note,
        "shop_url": _email_href(recipient_id=recipient_id, href="/"),
    }
    html_body = render_to_string("marketing/emails/campaign.html", context)
    text_body = render_to_string(
        "marketing/emails/campaign.txt", {**context, "text": _html_as_text(body)}
    )
    subject = _name_fill(campaign.subject, name=name)
    return subject, text_body, html_body


def campaign_email_render(*, recipient: CampaignRecipient) -> tuple[str, str, str]:
    """Subject, text and HTML of one recipient's email, placeholders filled, links tracked."""
    return _campaign_email_compose(
        campaign=recipient.campaign,
        user=recipient.user,
        voucher=recipient.voucher or recipient.campaign.shared_voucher,
        recipient_id=recipient.pk,
    )


# A unique-voucher campaign makes each recipient's code as it sends; a test shows this one in
# its place, on a voucher that is never saved (so it cannot be redeemed).
CAMPAIGN_TEST_VOUCHER_CODE = "TEST-VOUCHER"


def _campaign_test_member(*, campaign: Campaign):
    """A member the campaign would reach, to show the test with: one with a name if any, the
    lowest id first so every test of a campaign shows the same person; ``None`` when the
    segment reaches nobody (or its rules no longer compile)."""
    try:
        eligible = _eligible_user_ids(user_ids=segment_user_ids(segment_id=campaign.segment_id))
    except RuleError:
        return None
    members = User.objects.filter(pk__in=eligible)
    return members.exclude(first_name="", last_name="").order_by("pk").first() or (
        members.order_by("pk").first()
    )


def campaign_test_send(*, campaign_id: int, user, now: dt.datetime | None = None) -> str:
    """Email ``user`` the campaign as a member of its segment would get it, subject marked
    "[Test]"; returns the address.

    The placeholders (name, points, recommendations) are a sample member's, named at the top
    of the email; a staff account's own would read "You have 0 points". With nobody in the
    segment the email greets without a name, as a real send greets a member without one.
    Not a send: no recipient row, no bonus points, no voucher, no tracked open or click, and
    the campaign's status and results stay as they were. Refused with a clear message when
    the staff account has no email address.
    """
    email = (getattr(user, "email", "") or "").strip()
    if not email:
        raise ValidationError(
            _(
                "Your account has no email address, so there is nowhere to send the test. "
                "Add one under Account settings and try again."
            ),
            code="no_email",
        )
    campaign = Campaign.objects.select_related("shared_voucher").get(pk=campaign_id)
    voucher = campaign.shared_voucher
    if voucher is None and campaign.voucher_mode != Campaign.VoucherMode.NONE:
        now = now or timezone.now()
        voucher = Voucher(
            code=CAMPAIGN_TEST_VOUCHER_CODE,
            end_datetime=now + dt.timedelta(days=campaign.voucher_valid_days),
        )
    sample = _campaign_test_member(campaign=campaign)
    if sample is not None:
        full_name = sample.get_full_name().strip()
        test_note = _("Test: shown with the details of member %(member)s.") % {
            "member": f"{full_name} ({sample.email})" if full_name else sample.email
        }
    else:
        test_note = _(
            "Test: the segment has no member this campaign would reach, so it is shown as a "
            "member without a name would get it, with your own points and recommendations."
        )
    subject, text_body, html_body = _campaign_email_compose(
        campaign=campaign,
        user=sample or user,
        voucher=voucher,
        recipient_id=None,
        test_note=test_note,
        unsubscribe_user_id=user.pk,
        # The staff member is not the member being greeted: no name, as for a member without one.
        greet_by_name=sample is not None,
    )
    message = EmailMultiAlternatives(
        subject=_("[Test] %(subject)s") % {"subject": subject}, body=text_body, to=[email]
    )
    message.attach_alternative(html_body, "text/html")
    message.send()
    logger.info("Campaign %s: test sent to staff user %s", campaign.pk, user.pk)
    return email


@transaction.atomic
def campaign_recipient_deliver(*, recipient_id: int, now: dt.datetime | None = None) -> bool:
    """Send one recipient their email (with bonus and voucher), at most once.

    The row is locked and must still be pending; the email, the bonus points, the voucher and
    the "sent" mark commit together, so a failure rolls everything back for the retry.
    """
    recipient = (
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins below.
        CampaignRecipient.objects.select_for_update(of=("self",))
        .select_related("campaign__shared_voucher", "campaign__voucher_offer", "user")
        .get(pk=recipient_id)
    )
    if recipient.status != CampaignRecipient.Status.PENDING:
        return False
    campaign, user = recipient.campaign, recipient.user
    now = now or timezone.now()
    opted_out = MarketingConsent.objects.filter(user=user, email_opt_out=True).exists()
    if opted_out or not user.email or not user.is_active:
        recipient.status = CampaignRecipient.Status.SKIPPED
        recipient.save(update_fields=["status"])
        return False
    if campaign.voucher_mode == Campaign.VoucherMode.UNIQUE and recipient.voucher is None:
        recipient.voucher = _voucher_create(campaign=campaign, usage=Voucher.SINGLE_USE, now=now)
    if campaign.bonus_points and recipient.bonus_transaction is None:
        card = card_get_for_user(user=user)
        if card is not None:
            recipient.bonus_transaction = points_adjust(
                account_id=card.account_id,
                points=campaign.bonus_points,
                reason=_("Campaign bonus: %(name)s") % {"name": campaign.name},
                created_by=campaign.created_by,
            )
    subject, text_body, html_body = campaign_email_render(recipient=recipient)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{links.unsubscribe_url(user_id=user.pk)}>"},
    )
    message.attach_alternative(html_body, "text/html")
    message.send()
    recipient.status = CampaignRecipient.Status.SENT
    recipient.sent_at = now
    recipient.save(update_fields=["status", "sent_at", "voucher", "bonus_transaction"])
    return True


@transaction.atomic
def campaign_finish_if_done(*, campaign_id: int) -> bool:
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != Campaign.Status.SENDING:
        return False
    if campaign.recipients.filter(status=CampaignRecipient.Status.PENDING).exists():
        return False
    campaign.status = Campaign.Status.SENT
    campaign.save(update_fields=["status"])
    return True


def campaign_deliver(
    *, campaign_id: int, recipient_ids: list[int], now: dt.datetime | None = None
) -> int:
    """One batch: each recipient in its own transaction, so a retry redoes only the unsent."""
    delivered = 0
    for recipient_id in recipient_ids:
        delivered += campaign_recipient_deliver(recipient_id=recipient_id, now=now)
    campaign_finish_if_done(campaign_id=campaign_id)
    return delivered


# --------------------------------------------------------------------------- tracking


@transaction.atomic
def campaign_open_record(*, recipient_id: int, now: dt.datetime | None = None) -> bool:
    """First open only; later pixel loads change nothing."""
    return bool(
        CampaignRecipient.objects.filter(
            pk=recipient_id, status=CampaignRecipient.Status.SENT, opened_at__isnull=True
        ).update(opened_at=now or timezone.now())
    )


@transaction.atomic
def campaign_click_record(*, recipient_id: int, now: dt.datetime | None = None) -> bool:
    """First click only; a click proves the email was opened even if images were blocked."""
    now = now or timezone.now()
    campaign_open_record(recipient_id=recipient_id, now=now)
    return bool(
        CampaignRecipient.objects.filter(
            pk=recipient_id, status=CampaignRecipient.Status.SENT, clicked_at__isnull=True
        ).update(clicked_at=now)
    )


# --------------------------------------------------------------------------- multiplier


@transaction.atomic
def campaign_multiplier_award_for_order(*, order_id: int) -> int:
    """Extra points for a recipient's order inside their campaign's multiplier window.

    Runs after loyalty earned the order's points (same order_paid transaction) and adds
    ``earned x (multiplier - 1)``; the unique (recipient, order) row makes it once per order.
    """
    order = Order.objects.filter(pk=order_id).values("user_id", "date_placed").first()
    if order is None or order["user_id"] is None:
        return 0
    earn = PointsTransaction.objects.filter(order_id=order_id, kind="earn").first()
    if earn is None:
        return 0
    recipients = CampaignRecipient.objects.filter(
        user_id=order["user_id"],
        status=CampaignRecipient.Status.SENT,
        campaign__points_multiplier__isnull=False,
        campaign__multiplier_starts_at__lte=order["date_placed"],
        campaign__multiplier_ends_at__gt=order["date_placed"],
    ).select_related("campaign")
    awarded = 0
    for recipient in recipients:
        if CampaignMultiplierAward.objects.filter(recipient=recipient, order_id=order_id).exists():
            continue
        extra = int(earn.points * (recipient.campaign.points_multiplier - 1))
        if extra <= 0 or recipient.campaign.created_by is None:
            continue
        points = points_adjust(
            account_id=earn.account_id,
            points=extra,
            reason=_("Campaign multiplier: %(name)s") % {"name": recipient.campaign.name},
            created_by=recipient.campaign.created_by,
        )
        CampaignMultiplierAward.objects.create(
            recipient=recipient, order_id=order_id, transaction=points
        )
        awarded += extra
    return awarded
