"""The one way our own Oscar dashboard apps guard their screens.

Every screen needs staff status *and* a model permission: partner users (Oscar staff without
our permissions) never see stock costs, credit files or the till, and a role such as the
cashier (staff.roles) is given exactly the permissions of the screens it may use.
"""

from importlib import import_module

from oscar.core.application import OscarDashboardConfig
from oscar.core.loading import get_class


class StaffPermissionDashboardConfig(OscarDashboardConfig):
    """An Oscar dashboard app whose `permissions_map` is built from `url_permissions`.

    `url_permissions` maps each URL name to the permission codenames it needs, written
    `"codename"` for one of `permission_app_label`'s models or `"app_label.codename"` for
    another app's. The app's views live in `<name>.views`.
    """

    default_permissions = ["is_staff"]
    permission_app_label: str = ""
    url_permissions: dict[str, tuple[str, ...]] = {}

    def staff_with(self, *permissions: str) -> tuple:
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        codenames = [
            permission if "." in permission else f"{self.permission_app_label}.{permission}"
            for permission in permissions
        ]
        required = list(DashboardPermission.staff)
        for codename in codenames:
            app_label, name = codename.split(".", 1)
            required += DashboardPermission.get(app_label, name)
        return (required,)

    def configure_permissions(self):
        self.permissions_map = {
            url_name: self.staff_with(*permissions)
            for url_name, permissions in self.url_permissions.items()
        }

    # pylint: disable=attribute-defined-outside-init
    def ready(self):
        self.views = import_module(f"{self.name}.views")
        self.configure_permissions()
