"""API plumbing shared by every app: token auth, scoped permission, pagination."""

import copy
import time

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions
from rest_framework.authentication import TokenAuthentication

from core.models import ApiToken, User
from core.pagination import Pagination  # noqa: F401 - its former home, kept importable

# Tokens recently found, by key hash: (monotonic deadline, token with its user and region).
# A district system sends many requests a second with one token; each would otherwise cost a
# query. Each process keeps its own, for ``API_TOKEN_CACHE_SECONDS``: a token revoked, expired
# or whose user is deactivated elsewhere stops working within that time (at once in the
# process that revoked it, see ``forget_token``). Expiry is checked on every request.
_recent: dict[str, tuple[float, ApiToken]] = {}
_RECENT_MAX = 1000


def forget_token(key_hash: str) -> None:
    """Drop a token from this process's cache (it was revoked here)."""
    _recent.pop(key_hash, None)


def _find_token(key_hash: str) -> ApiToken | None:
    seconds = settings.API_TOKEN_CACHE_SECONDS
    found = _recent.get(key_hash) if seconds > 0 else None
    if found is not None and found[0] > time.monotonic():
        token = found[1]
    else:
        token = (
            ApiToken.objects.select_related("user", "user__region")
            .filter(key_hash=key_hash, revoked_at__isnull=True)
            .first()
        )
        if seconds > 0:
            if len(_recent) >= _RECENT_MAX:
                _recent.clear()
            if token is None:
                _recent.pop(key_hash, None)  # an unknown key is never cached
            else:
                _recent[key_hash] = (time.monotonic() + seconds, token)
    if token is None:
        return None
    # Each request gets its own copies: nothing a view sets on them reaches the next request.
    user = _copy(token.user)
    token = _copy(token)
    token.user = user
    return token


def _copy(instance):
    """``copy.copy`` of a model instance (its fields, its own ``_state`` and cache of related
    rows, those rows shared), without going through pickling's ``__reduce_ex__`` (half of a
    remembered token's cost)."""
    clone = instance.__class__.__new__(instance.__class__)
    values = instance.__dict__.copy()
    state = values["_state"] = copy.copy(instance._state)
    state.fields_cache = instance._state.fields_cache.copy()
    clone.__dict__.update(values)
    return clone


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; the key is looked up by its SHA-256 hash."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        key_hash = ApiToken.hash_key(key)
        token = _find_token(key_hash)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已吊销"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该用户已停用"))
        now = timezone.now()
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(_("令牌已过期"))
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            cached = _recent.get(key_hash)
            if cached is not None:
                cached[1].last_used_at = now  # written: not again for a minute
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
