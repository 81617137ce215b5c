"""Wagtail admin: marketing pins or excludes products from the recommendations.

The generic model views are kept, only their writes go through ``services`` so that every
change also refreshes the cached lists the storefront serves.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.views.generic import CreateView, DeleteView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from recommendations import services
from recommendations.models import ProductRule
from shop.pages.viewsets import product_chooser_viewset


class ProductRuleCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.product_rule_create(
            product_id=data["product"].pk,
            action=data["action"],
            placement=data["placement"],
            position=data["position"],
            note=data["note"],
            created_by_id=self.request.user.pk,
        )


class ProductRuleEditView(EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.product_rule_update(
            rule_id=self.object.pk,
            action=data["action"],
            placement=data["placement"],
            position=data["position"],
            note=data["note"],
        )


class ProductRuleDeleteView(DeleteView):
    def delete_action(self):
        services.product_rule_delete(rule_id=self.object.pk)


class ProductRuleViewSet(ModelViewSet):
    model = ProductRule
    icon = "pick"
    menu_label = _("Recommendation rules")
    add_to_admin_menu = True
    menu_order = 310
    add_view_class = ProductRuleCreateView
    edit_view_class = ProductRuleEditView
    delete_view_class = ProductRuleDeleteView
    list_display = ["product", "action", "placement", "position", "note"]
    list_filter = ["action", "placement"]
    panels = [
        FieldPanel("product", widget=product_chooser_viewset.widget_class),
        FieldPanel("action"),
        FieldPanel("placement"),
        FieldPanel("position"),
        FieldPanel("note"),
    ]


product_rule_viewset = ProductRuleViewSet("recommendation_rules")


@hooks.register("register_admin_viewset")
def register_product_rule_viewset():
    return product_rule_viewset
