"""Oscar's dashboard home, showing each member of staff what their role needs.

Oscar's home page shows every staff member the store's statistics (all-time revenue, orders,
customers). Those figures belong to the people who manage orders (``order.view_order``: the
store operators); a cashier is sent to the till, and any other member of staff sees a plain
home page whose menu lists the screens they may use.
"""

from django.shortcuts import redirect
from oscar.apps.dashboard.views import *  # noqa: F403  (Oscar's fork pattern: ours first)
from oscar.apps.dashboard.views import IndexView as CoreIndexView

STORE_FIGURES_PERMISSION = "order.view_order"
TILL_PERMISSION = "till.use_till"


class IndexView(CoreIndexView):
    def get(self, request, *args, **kwargs):
        user = request.user
        if user.is_staff and not user.has_perm(STORE_FIGURES_PERMISSION):
            if user.has_perm(TILL_PERMISSION):
                return redirect("till-sale")
            return self.render_to_response({"view": self})
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if self.request.user.is_staff and not self.request.user.has_perm(STORE_FIGURES_PERMISSION):
            return ["oscar/dashboard/index_staff.html"]
        return super().get_template_names()
