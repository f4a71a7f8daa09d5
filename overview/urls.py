from django.urls import path

from overview.views import dashboard

app_name = "overview"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
]
