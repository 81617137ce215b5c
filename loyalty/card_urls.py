from django.urls import path

from loyalty import card_views

app_name = "membercard"

urlpatterns = [
    path("", card_views.CardLookupView.as_view(), name="lookup"),
    path("history/", card_views.CardLookupResultView.as_view(), name="lookup-result"),
    path("end/", card_views.CardLookupEndView.as_view(), name="lookup-end"),
    path("claim/", card_views.CardClaimView.as_view(), name="claim"),
    path("points/", card_views.CheckoutPointsView.as_view(), name="checkout-points"),
    path("pin/", card_views.CardPinChangeView.as_view(), name="pin-change"),
    path("pin/forgotten/", card_views.CardPinResetRequestView.as_view(), name="pin-reset-request"),
    path("pin/reset/<str:token>/", card_views.CardPinResetView.as_view(), name="pin-reset"),
    path("settings/", card_views.MemberSettingsView.as_view(), name="settings"),
    path("invite/<str:code>/", card_views.InviteView.as_view(), name="invite"),
]
