from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core.media import serve_media
from core.routers import router
from overview.views.home import home

DOMAIN_APPS = [
    "core",
    "notices",
    "rivers",
    "patrols",
    "directives",
    "monitoring",
    "plans",
    "letters",
    "overview",
]

# Each app's api.py registers its viewsets on the shared router (and may add extra urlpatterns).
api_extra = []
for app in settings.LOCAL_APPS:
    if find_spec(f"{app}.api"):
        api_extra += getattr(import_module(f"{app}.api"), "urlpatterns", [])

# The admin in the application's own name ("Django 管理" otherwise).
admin.site.site_header = _("河长制办公系统管理")
admin.site.site_title = _("河长制办公系统管理")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include([*api_extra, *router.urls])),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    # One home URL, a page per role (the dashboard for the office and the inspector).
    path("", home, name="home"),
    path("", include("core.urls")),
]
for app in settings.LOCAL_APPS[1:]:
    if find_spec(f"{app}.urls"):
        urlpatterns.append(path(f"{app}/", include(f"{app}.urls")))

# Uploads are private: one view checks the owning record's scope (core/media.py).
urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", serve_media, name="media")]
