from django.urls import path

from loyalty import card_views

app_name = "membercard"

urlpatterns = [
    path("", card_views.CardLookupView.as_view(), name="lookup"),
    path("history/", card_views.CardLookupResultView.as_view(), name="lookup-result"),
    path("end/", card_views.CardLookupEndView.as_view(), name="lookup-end"),
    path("claim/", card_views.CardClaimView.as_view(), name="claim"),
]
