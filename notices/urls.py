from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="read-all"),
    path("<int:pk>/read/", views.mark_read, name="read"),
]
