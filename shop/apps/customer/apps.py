import oscar.apps.customer.apps as apps
from django.contrib.auth.decorators import login_required
from django.urls import path


class CustomerConfig(apps.CustomerConfig):
    name = "shop.apps.customer"

    def ready(self):
        super().ready()
        from shop.apps.customer import receivers  # noqa: F401  (connects the login throttle)

    def get_urls(self):
        from loyalty.views import PointsView

        # The member's points, an account page beside Oscar's (customer:points).
        points = [path("points/", login_required(PointsView.as_view()), name="points")]
        return super().get_urls() + self.post_process_urls(points)
