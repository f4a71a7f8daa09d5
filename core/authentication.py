"""API plumbing shared by every app: token auth, scoped permission, pagination."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions
from rest_framework.authentication import TokenAuthentication

from core.models import ApiToken, User
from core.pagination import Pagination  # noqa: F401 - its former home, kept importable


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; the key is looked up by its SHA-256 hash."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user", "user__region").get(
                key_hash=ApiToken.hash_key(key), revoked_at__isnull=True
            )
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("令牌无效或已吊销")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该用户已停用"))
        now = timezone.now()
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(_("令牌已过期"))
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key>",
        }


class ScopedPermission(permissions.BasePermission):
    """Authenticated; writes need a write-scoped token (API clients) or a browser session.

    Which rows a user may touch is decided by each queryset's ``visible_to`` and by the
    services, not here.
    """

    message = _("令牌只有只读权限")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if isinstance(request.auth, ApiToken):
            return request.auth.can_write
        return request.user.role != User.Role.DISTRICT_CLIENT or request.user.is_superuser
