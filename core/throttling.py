"""API throttling: a budget per token, per logged-in user and per anonymous address.

The rates live in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (env ``API_THROTTLE_*``).
A token's budget is its own, so one busy district system cannot use up another's.
"""

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from core.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per API token (``Authorization: Token``)."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class SessionRateThrottle(SimpleRateThrottle):
    """Requests per logged-in user of the browser (session), tokens excluded."""

    scope = "user"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


__all__ = ["AnonRateThrottle", "SessionRateThrottle", "TokenRateThrottle"]
