from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="read-all"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("deliveries/", views.alert_deliveries, name="alert-deliveries"),
    path("deliveries/resend/", views.alert_deliveries_resend, name="alert-deliveries-resend"),
]
