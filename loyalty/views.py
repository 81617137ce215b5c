"""The member's points page in their account (a thin caller of the selectors)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.views import generic

from loyalty import selectors

POINTS_HISTORY_PAGE_SIZE = 20


class PointsView(LoginRequiredMixin, generic.TemplateView):
    """The member's points in their account: balance, pending, expiring soon, history.

    Only the signed-in member's own card's account is read; a customer without a card gets
    the page with a way to link one.
    """

    template_name = "loyalty/points.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        card = selectors.card_get_for_user(user=self.request.user)
        ctx["card"] = card
        if card is not None:
            ctx["summary"] = selectors.points_summary(account=card.account)
            ctx["history_page"] = Paginator(
                selectors.points_history(account_id=card.account_id),
                POINTS_HISTORY_PAGE_SIZE,
            ).get_page(self.request.GET.get("page"))
        return ctx
