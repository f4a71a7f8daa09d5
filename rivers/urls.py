from django.urls import path

from rivers import views

app_name = "rivers"

urlpatterns = [
    path("", views.river_list, name="river-list"),
    path("new/", views.river_create, name="river-create"),
    path("<int:pk>/", views.river_detail, name="river-detail"),
    path("<int:pk>/edit/", views.river_edit, name="river-edit"),
    path("<int:pk>/assign/", views.river_assign, name="river-assign"),
    path("<int:pk>/end-assignment/", views.assignment_end, name="assignment-end"),
    path("base-map.geojson", views.base_map, name="base-map"),
    path("vacancies/", views.vacancy_list, name="vacancy-list"),
    path("chiefs/", views.chief_list, name="chief-list"),
    path("chiefs/<int:pk>/", views.chief_detail, name="chief-detail"),
    path("import/", views.import_rivers, name="import"),
    path("import/confirm/", views.import_confirm, name="import-confirm"),
    path("import/template/", views.import_template, name="import-template"),
]
