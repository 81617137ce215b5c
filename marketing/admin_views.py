"""Marketing's own admin pages (send, results, reports); thin callers of services/selectors.

Reports render as an HTML table with a chart, and the same data as ``?format=csv`` (export)
and ``?format=json`` (the chart's data endpoint).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.charts import chart_spec
from core.csv_export import csv_response
from core.messages import messages_add_errors
from marketing import selectors, services
from marketing.models import Campaign
from marketing.rules import RuleError

VIEW_PERMISSION = "marketing.view_segment"
SEND_PERMISSION = "marketing.change_campaign"
DORMANT_LIST_LIMIT = 500


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def segment_size_or_error(*, segment) -> str | int:
    try:
        return selectors.segment_queryset(segment=segment).count()
    except RuleError as error:
        return error.messages[0]


def campaign_send_view(request, pk: int):
    _require(request, SEND_PERMISSION)
    campaign = get_object_or_404(Campaign.objects.select_related("segment"), pk=pk)
    if request.method == "POST":
        try:
            queued = services.campaign_send(campaign_id=campaign.pk, by=request.user)
        except ValidationError as error:
            messages_add_errors(request, errors=error)
            return redirect("marketing_campaigns:edit", campaign.pk)
        messages.success(
            request,
            ngettext(
                "Campaign '%(name)s' is being sent to %(count)s member.",
                "Campaign '%(name)s' is being sent to %(count)s members.",
                queued,
            )
            % {"name": campaign.name, "count": queued},
        )
        return redirect("marketing_campaigns:results", campaign.pk)
    try:
        size = selectors.segment_queryset(segment=campaign.segment).count()
    except RuleError as error:
        size = None
        messages_add_errors(request, errors=error)
    return TemplateResponse(
        request,
        "marketing/admin/campaign_send.html",
        {"campaign": campaign, "segment_size": size, "header_title": _("Send campaign")},
    )


def campaign_test_send_view(request, pk: int):
    """ "Send me a test": the campaign as a recipient gets it, to the signed-in staff member."""
    _require(request, SEND_PERMISSION)
    campaign = get_object_or_404(Campaign, pk=pk)
    if request.method == "POST":
        try:
            email = services.campaign_test_send(campaign_id=campaign.pk, user=request.user)
        except ValidationError as error:
            messages_add_errors(request, errors=error)
            return redirect("marketing_campaigns:edit", campaign.pk)
        messages.success(
            request,
            _(
                "A test of '%(name)s' was sent to %(email)s. It is not a send: the campaign's "
                "recipients and results are unchanged."
            )
            % {"name": campaign.name, "email": email},
        )
        return redirect("marketing_campaigns:edit", campaign.pk)
    return TemplateResponse(
        request,
        "marketing/admin/campaign_test.html",
        {"campaign": campaign, "email": request.user.email, "header_title": _("Send me a test")},
    )


def campaign_results_view(request, pk: int):
    _require(request, VIEW_PERMISSION)
    campaign = get_object_or_404(Campaign, pk=pk)
    return TemplateResponse(
        request,
        "marketing/admin/campaign_results.html",
        {"results": [selectors.campaign_results(campaign=campaign)], "single": True},
    )


CAMPAIGN_HEADER = [
    "campaign", "sent_at", "targeted", "control", "sent", "skipped", "opened", "clicked",
    "redeemed", "open_rate_pct", "click_rate_pct", "recipient_revenue", "control_revenue",
    "revenue_per_recipient", "revenue_per_control", "uplift_per_member",
]  # fmt: skip


def _campaign_row(result) -> list:
    return [
        result.campaign.name,
        result.campaign.sent_at.isoformat() if result.campaign.sent_at else "",
        result.targeted,
        result.control,
        result.sent,
        result.skipped,
        result.opened,
        result.clicked,
        result.redeemed,
        result.open_rate,
        result.click_rate,
        result.recipient_revenue,
        result.control_revenue,
        result.revenue_per_recipient,
        result.revenue_per_control,
        result.uplift_per_member,
    ]


def campaign_results_report(request):
    _require(request, VIEW_PERMISSION)
    results = selectors.campaigns_results()
    output = request.GET.get("format")
    if output == "csv":
        return csv_response(
            filename="campaign-results.csv",
            header=CAMPAIGN_HEADER,
            rows=[_campaign_row(result) for result in results],
        )
    if output == "json":
        return JsonResponse(
            {"header": CAMPAIGN_HEADER, "rows": [_campaign_row(r) for r in results]},
            json_dumps_params={"default": str},
        )
    return TemplateResponse(
        request,
        "marketing/admin/campaign_results.html",
        {"results": results, "single": False, "chart": _campaign_chart(results)},
    )


def _campaign_chart(results) -> dict:
    return chart_spec(
        kind="bar",
        labels=[result.campaign.name for result in results],
        datasets=[
            (_("Revenue per recipient"), [result.revenue_per_recipient for result in results]),
            (_("Revenue per control member"), [result.revenue_per_control for result in results]),
        ],
    )


def segment_sizes_report(request):
    _require(request, VIEW_PERMISSION)
    data = selectors.segment_sizes_over_time()
    output = request.GET.get("format")
    if output == "csv":
        rows = [
            [day.isoformat(), entry["key"], entry["label"], size]
            for entry in data["series"]
            for day, size in zip(data["days"], entry["sizes"], strict=True)
            if size is not None
        ]
        return csv_response(
            filename="segment-sizes.csv", header=["day", "key", "segment", "customers"], rows=rows
        )
    days = [day.isoformat() for day in data["days"]]
    if output == "json":
        return JsonResponse({"days": days, "series": data["series"]})
    chart = chart_spec(
        kind="line",
        labels=days,
        datasets=[(entry["label"], entry["sizes"]) for entry in data["series"]],
    )
    return TemplateResponse(
        request, "marketing/admin/segment_sizes.html", {"data": data, "chart": chart}
    )


def dormant_members_report(request):
    _require(request, VIEW_PERMISSION)
    members = selectors.dormant_members()
    if request.GET.get("format") == "csv":
        return csv_response(
            filename="dormant-members.csv",
            header=["user_id", "email", "last_order", "days_since", "orders", "spend", "clv"],
            rows=(
                [
                    value.user_id,
                    value.user.email,
                    value.last_order_at.date().isoformat(),
                    value.recency_days,
                    value.frequency,
                    value.monetary,
                    value.clv_total,
                ]
                for value in members
            ),
        )
    return TemplateResponse(
        request,
        "marketing/admin/dormant_members.html",
        {"members": members[:DORMANT_LIST_LIMIT], "total": members.count()},
    )
