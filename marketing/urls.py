"""Public links in campaign emails: open pixel, click redirect, unsubscribe."""

from django.urls import path

from marketing import views

app_name = "marketing"

urlpatterns = [
    path("o/<str:token>.gif", views.open_pixel, name="open"),
    path("c/", views.click_redirect, name="click"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
