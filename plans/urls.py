from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("", views.programme_list, name="programme-list"),
    path("plan/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("measure/<int:pk>/", views.measure_update, name="measure-update"),
]
