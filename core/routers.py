"""One router for /api/v1/: each app's ``api.py`` registers its viewsets on it."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
