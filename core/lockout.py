"""Login throttling: per account *and* address, a short delay that grows with each failure.

django-axes counts failures per (username, address) pair (settings.AXES_LOCKOUT_PARAMETERS),
so ten wrong passwords for one account do not lock out every colleague behind the office's
one public address. The delay is :func:`cool_off`.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

# The first lock lasts a minute; each further failure of the same pair within a day doubles
# it, up to a quarter of an hour: long enough to make guessing useless, short enough that a
# chief who mistyped is not shut out of a patrol.
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(minutes=15)
MEMORY = timedelta(days=1)


def _recent_failures(request) -> int:
    from axes.helpers import get_client_ip_address, get_client_username
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.filter(
        username=get_client_username(request),
        ip_address=getattr(request, "axes_ip_address", None) or get_client_ip_address(request),
        attempt_time__gte=timezone.now() - MEMORY,
    ).count()


def failure_limit(request, credentials=None) -> int:
    """Failures before a lock: ``LOGIN_FAILURE_LIMIT`` for a fresh pair, then one each time
    (a pair that was locked today is locked again by its next failure, for longer)."""
    limit = settings.LOGIN_FAILURE_LIMIT
    return 1 if _recent_failures(request) >= limit else limit


def cool_off(request=None) -> timedelta:
    """How long the (account, address) pair of ``request`` stays locked after its last failure."""
    if request is None:
        return LONGEST_DELAY
    beyond = max(0, _recent_failures(request) - settings.LOGIN_FAILURE_LIMIT)
    return min(FIRST_DELAY * 2 ** min(beyond, 10), LONGEST_DELAY)


def locked_logins_for(*, user):
    """Failed-login records of accounts in ``user``'s scope that are locked now."""
    from axes.models import AccessAttempt

    from core.models import User
    from core.scoping import EVERYWHERE, scope_code

    code = scope_code(user)
    if code is None:
        return AccessAttempt.objects.none()
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=1).order_by("-attempt_time")
    if code != EVERYWHERE:
        names = User.objects.filter(region__code__startswith=code).values("username")
        attempts = attempts.filter(username__in=names)
    return attempts
