"""Marketing in the Wagtail admin: segments (with a preview), campaigns, reports, profile panel.

Thin: every view calls marketing.services / marketing.selectors.
"""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem as AdminMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from marketing import admin_views, selectors, services
from marketing.models import Campaign, Segment


class SegmentPreviewMixin:
    """A "Preview" submit shows the live count and the first members; nothing is saved."""

    def form_valid(self, form):
        if "preview" not in self.request.POST:
            return super().form_valid(form)
        self.form = form
        preview = selectors.segment_preview(rules=form.instance.rules, match=form.instance.match)
        return self.render_to_response(self.get_context_data(form=form, segment_preview=preview))

    def post(self, request, *args, **kwargs):
        # Wagtail's StreamField reads its "<prefix>-count" and per-row keys with data[...]:
        # a hand-made POST without them raises KeyError/ValueError, which would be a 500.
        # The savepoint makes sure nothing half-saved survives the refusal.
        try:
            with transaction.atomic():
                return super().post(request, *args, **kwargs)
        except (KeyError, ValueError):
            return HttpResponseBadRequest(
                gettext("The rules arrived incomplete: reload the page and try again.")
            )

    def save_instance(self):
        instance = super().save_instance()
        if instance.created_by_id is None:
            Segment.objects.filter(pk=instance.pk).update(created_by=self.request.user)
        return instance


class SegmentCreateView(SegmentPreviewMixin, generic.CreateView):
    template_name = "marketing/admin/segment_create.html"


class SegmentEditView(SegmentPreviewMixin, generic.EditView):
    template_name = "marketing/admin/segment_edit.html"


class SegmentCopyView(SegmentPreviewMixin, generic.CopyView):
    template_name = "marketing/admin/segment_create.html"


class SegmentSizeColumn(Column):
    def get_value(self, instance):
        size = admin_views.segment_size_or_error(segment=instance)
        # A count reads with thousands grouped ("1,356"); a rule error reads as it is.
        return intcomma(size) if isinstance(size, int) else size


class SegmentViewSet(ModelViewSet):
    model = Segment
    icon = "group"
    menu_label = _("Segments")
    add_to_admin_menu = False
    form_fields = ["name", "description", "match", "conditions"]
    add_view_class = SegmentCreateView
    edit_view_class = SegmentEditView
    copy_view_class = SegmentCopyView
    list_display = [
        "name",
        SegmentSizeColumn("size", label=_("Members now")),
        BooleanColumn("is_builtin", label=Segment._meta.get_field("is_builtin").verbose_name),
        "updated_at",
    ]
    search_fields = ["name", "description"]


class CampaignScheduleMixin:
    def save_instance(self):
        instance = super().save_instance()
        services.campaign_schedule_sync(campaign_id=instance.pk, by=self.request.user)
        return instance


class CampaignCreateView(CampaignScheduleMixin, generic.CreateView):
    pass


class CampaignEditView(CampaignScheduleMixin, generic.EditView):
    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            Button(
                _("Send me a test"),
                url=reverse("marketing_campaigns:test", args=[self.object.pk]),
                icon_name="mail",
                priority=5,
            ),
        ]


class CampaignIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(
                _("Send me a test"),
                url=reverse("marketing_campaigns:test", args=[instance.pk]),
                icon_name="mail",
                priority=4,
            )
        )
        if instance.status in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED):
            buttons.append(
                MenuItem(
                    _("Send now"),
                    url=reverse("marketing_campaigns:send", args=[instance.pk]),
                    icon_name="mail",
                    priority=5,
                )
            )
        else:
            buttons.append(
                MenuItem(
                    _("Results"),
                    url=reverse("marketing_campaigns:results", args=[instance.pk]),
                    icon_name="table",
                    priority=5,
                )
            )
        return buttons


class CampaignViewSet(ModelViewSet):
    model = Campaign
    icon = "mail"
    menu_label = _("Campaigns")
    add_to_admin_menu = False
    index_view_class = CampaignIndexView
    add_view_class = CampaignCreateView
    edit_view_class = CampaignEditView
    form_fields = [
        "name",
        "segment",
        "subject",
        "body",
        "bonus_points",
        "points_multiplier",
        "multiplier_starts_at",
        "multiplier_ends_at",
        "voucher_mode",
        "voucher_offer",
        "voucher_valid_days",
        "control_percent",
        "scheduled_at",
    ]
    list_display = ["name", "segment", "status", "scheduled_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["name", "subject"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/send/", admin_views.campaign_send_view, name="send"),
            path("<int:pk>/test/", admin_views.campaign_test_send_view, name="test"),
            path("<int:pk>/results/", admin_views.campaign_results_view, name="results"),
        ]


class MarketingReportMenuItem(AdminMenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.VIEW_PERMISSION)


class ReportViewSet(ViewSet):
    """A report page of its own (HTML table + chart, ``?format=csv``, ``?format=json``)."""

    view = None
    menu_item_class = MarketingReportMenuItem

    def get_urlpatterns(self):
        return [path("", self.view, name="index")]


class SegmentSizesReportViewSet(ReportViewSet):
    name = "marketing_segment_sizes"
    url_prefix = "marketing/reports/segment-sizes"
    icon = "historical"
    menu_label = _("Segment sizes over time")
    view = staticmethod(admin_views.segment_sizes_report)


class CampaignResultsReportViewSet(ReportViewSet):
    name = "marketing_campaign_results"
    url_prefix = "marketing/reports/campaign-results"
    icon = "table"
    menu_label = _("Campaign results")
    view = staticmethod(admin_views.campaign_results_report)


class DormantMembersViewSet(ReportViewSet):
    name = "marketing_dormant"
    url_prefix = "marketing/dormant"
    icon = "time"
    menu_label = _("Dormant members")
    view = staticmethod(admin_views.dormant_members_report)


class MarketingViewSetGroup(ViewSetGroup):
    menu_label = _("Marketing")
    menu_icon = "mail"
    menu_order = 310
    items = (
        SegmentViewSet("marketing_segments", url_prefix="marketing/segments"),
        CampaignViewSet("marketing_campaigns", url_prefix="marketing/campaigns"),
        SegmentSizesReportViewSet(),
        CampaignResultsReportViewSet(),
        DormantMembersViewSet(),
    )


@hooks.register("register_admin_viewset")
def register_marketing_viewsets():
    return MarketingViewSetGroup()


class MarketingProfilePanel(Component):
    """The marketing section of CRM's 360° customer profile."""

    template_name = "marketing/admin/profile_panel.html"

    def __init__(self, *, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        return {
            "customer": self.user,
            "profile": selectors.customer_marketing_profile(user=self.user),
        }


@hooks.register("crm_profile_panels")
def marketing_profile_panel(request, user):
    if not request.user.has_perm("marketing.view_segment"):
        return None
    return MarketingProfilePanel(user=user)
