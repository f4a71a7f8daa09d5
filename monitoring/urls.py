from django.urls import path

from monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.river_quality_list, name="river-quality-list"),
    path("rivers/<int:pk>/", views.river_detail, name="river-detail"),
    path("points/", views.point_list, name="point-list"),
    path("points/<int:pk>/", views.point_detail, name="point-detail"),
    path("samples/<int:pk>/", views.sample_detail, name="sample-detail"),
    path("imports/", views.import_list, name="import-list"),
    path("imports/template.xlsx", views.import_template, name="import-template"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
]
