"""API throttling: a budget per token, per logged-in user and per anonymous address.

The rates live in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (env ``API_THROTTLE_*``).
A token's budget is its own, so one busy district system cannot use up another's.

DRF's throttles keep the time of every request of the last period in one cached list, read
and written back whole (pickled) on every request: at 1,200 a minute that is 1,200 floats twice
a request, and under a load test with a high budget tens of thousands (about a millisecond a
request, as much as the rest of an empty list). Here each budget is two counters instead, one
per period-long window, and a request is allowed while the "sliding window" estimate

    (requests this window) + (requests last window) x (share of last window still in the period)

is under the rate: two small cache operations a request, whatever the rate. Rejected requests
are not counted, as in DRF.
"""

from rest_framework.throttling import AnonRateThrottle as DrfAnonRateThrottle
from rest_framework.throttling import SimpleRateThrottle

from core.models import ApiToken


class WindowCounterThrottle(SimpleRateThrottle):
    """DRF's ``SimpleRateThrottle`` counted per window (see the module's docstring)."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window, into = divmod(now, self.duration)
        current_key = f"{key}:{int(window)}"
        previous_key = f"{key}:{int(window) - 1}"
        counts = self.cache.get_many([current_key, previous_key])
        self._current = counts.get(current_key, 0)
        self._previous = counts.get(previous_key, 0)
        self._into = into
        estimate = self._current + self._previous * (1 - into / self.duration)
        if estimate >= self.num_requests:
            return False
        # Kept two windows: the next window reads this one as its "last window".
        if self._current == 0 and self.cache.add(current_key, 1, 2 * self.duration):
            return True
        try:
            self.cache.incr(current_key)
        except ValueError:  # expired since it was read
            self.cache.add(current_key, 1, 2 * self.duration)
        return True

    def wait(self) -> float:
        """Seconds until a request would be allowed again (the ``Retry-After`` header)."""
        limit, duration = self.num_requests, self.duration
        current, previous, into = self._current, self._previous, self._into
        if current < limit and previous:
            # Last window's share shrinks as time passes, until the estimate is under the rate.
            return max(0.0, duration * (1 - (limit - current) / previous) - into)
        # This window alone is full: it becomes "last window" when it ends, and its share
        # then shrinks as above (with nothing yet counted in the new window).
        return duration - into + (duration * (1 - limit / current) if current else 0.0)


class TokenRateThrottle(WindowCounterThrottle):
    """Requests per API token (``Authorization: Token``)."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class SessionRateThrottle(WindowCounterThrottle):
    """Requests per logged-in user of the browser (session), tokens excluded."""

    scope = "user"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(WindowCounterThrottle, DrfAnonRateThrottle):
    """Requests per address of anonymous callers (DRF's key: the client's address)."""


__all__ = ["AnonRateThrottle", "SessionRateThrottle", "TokenRateThrottle"]
