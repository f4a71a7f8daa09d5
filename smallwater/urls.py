from django.urls import path

from smallwater import views

app_name = "smallwater"
urlpatterns = [
    path("", views.body_list, name="body-list"),
    path("<int:pk>/", views.body_detail, name="body-detail"),
    path("<int:pk>/measures/<int:measure_pk>/", views.measure_progress, name="measure-progress"),
]
