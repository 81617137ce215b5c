from django.urls import path

from wallet import views

app_name = "wallet"

urlpatterns = [
    path("", views.WalletStatementView.as_view(), name="wallet"),
    path("top-up/", views.WalletTopUpView.as_view(), name="wallet-top-up"),
    path("top-up/return/", views.WalletTopUpReturnView.as_view(), name="wallet-top-up-return"),
]
