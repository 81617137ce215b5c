"""Storefront pages of pre-orders: the customer cancels before release, or pays again."""

from django.urls import path

from preorders import views

app_name = "preorders"

urlpatterns = [
    path("<int:pk>/cancel/", views.PreorderCancelView.as_view(), name="cancel"),
    path("pay/<str:token>/", views.PreorderPayAgainView.as_view(), name="pay-again"),
]
