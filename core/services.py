"""Writes for users and API tokens."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import ApiToken, Region, User
from core.scoping import require_office


@transaction.atomic
def create_api_client(
    *,
    name: str,
    region: Region,
    scope: str,
    created_by: User | None = None,
    expires_at: datetime | None = None,
):
    """Create a district-client user scoped to ``region`` and its token; returns (token, key).

    The key is returned once and never stored (only its hash is). ``expires_at``: the token
    stops working then (None: until revoked). Its last use is kept in ``last_used_at``.
    """
    if created_by is not None:
        require_office(created_by)
    user, _ = User.objects.get_or_create(
        username=f"api-{region.code}-{name}"[:150],
        defaults={"role": User.Role.DISTRICT_CLIENT, "region": region, "last_name": name},
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=key[:8],
        key_hash=ApiToken.hash_key(key),
        expires_at=expires_at,
    )
    return token, key


def revoke_api_token(*, token: ApiToken) -> ApiToken:
    """Revoke at once in this process; other processes drop their cached copy within
    ``API_TOKEN_CACHE_SECONDS`` (core/authentication.py)."""
    from core.authentication import forget_token

    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    forget_token(token.key_hash)
    return token


def unlock_login(*, username: str, by: User) -> int:
    """Lift the login lock of ``username`` (every address); office staff, for their own users.

    Returns how many locked (account, address) records were removed.
    """
    from axes.utils import reset

    require_office(by)
    user = User.objects.filter(username=username).select_related("region").first()
    code = by.region.code if by.region_id else None
    if not by.is_superuser and (
        user is None
        or user.region_id is None
        or code is None
        or not user.region.code.startswith(code)
    ):
        raise PermissionDenied(_("该用户不在您的管辖范围内"))
    return reset(username=username)
