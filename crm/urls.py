from django.urls import path

from crm import views

app_name = "crm-support"

urlpatterns = [
    path("", views.TicketListView.as_view(), name="ticket-list"),
    path("new/", views.TicketCreateView.as_view(), name="ticket-create"),
    path("<int:pk>/", views.TicketDetailView.as_view(), name="ticket"),
    path("<int:pk>/photo/", views.ticket_photo, name="ticket-photo"),
    path("survey/<str:token>/", views.SurveyAnswerView.as_view(), name="survey"),
]
