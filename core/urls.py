from django.contrib.auth import views as auth_views
from django.urls import path

from core import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/locked/", views.locked_logins, name="locked-logins"),
    path("sw.js", views.service_worker, name="service-worker"),
    # Pages outside base.html (the admin, the API docs) get the icon where browsers look for it.
    path("favicon.ico", views.favicon),
    path("manifest.webmanifest", views.web_manifest, name="web-manifest"),
]
