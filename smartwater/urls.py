from django.urls import path

from smartwater import views

app_name = "smartwater"
urlpatterns = [
    path("", views.site_list, name="site-list"),
    path("export.xlsx", views.site_export, name="site-export"),
    path("import/", views.site_import, name="site-import"),
    path("<int:pk>/", views.site_edit, name="site-edit"),
    path("sites.geojson", views.sites_geojson, name="sites-geojson"),
]
