"""A shorter middleware stack for token-authenticated API requests (district systems).

A request to ``/api/`` carrying ``Authorization: Token <key>`` is authenticated by the token
alone (``core.authentication.ApiTokenAuthentication`` accepts it or answers 401; the browser
session is never consulted), and every API view is a DRF view, exempt from Django's CSRF
middleware (DRF checks CSRF itself, for session-authenticated requests only). Such a request
has no use for the session, the session user, messages, htmx, the login lockout or static
files, which cost a district client's page more than its SQL. :class:`TokenApiMiddleware`
sends it through ``settings.API_TOKEN_MIDDLEWARE`` instead of the rest of ``MIDDLEWARE``.
Everything above it in ``MIDDLEWARE`` (security headers, HTTPS redirect, CSP) still applies.

Browser requests to the API (the office's session, with its CSRF check) take the full stack.

The short stack also remembers where a path leads (:meth:`_Stack.resolve_request`): Django
tries the URL patterns one after the other on every request, and the API router's 136
patterns cost a request 70 to 250 µs to resolve, as much as its authentication.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch
from django.utils.module_loading import import_string

API_PREFIX = "/api/"

# Where recent paths led, by (URLconf, path): the view and its arguments (a ResolverMatch,
# which nothing changes once made). Bounded: a detail path per row would grow it forever.
_resolved: dict[tuple[str, str], ResolverMatch] = {}
_RESOLVED_MAX = 2000


@receiver(setting_changed)
def _forget_paths(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _resolved.clear()


def is_token_request(request: HttpRequest) -> bool:
    """``Authorization: Token …`` on an API path (the keyword is case-insensitive, as DRF's)."""
    if not request.path_info.startswith(API_PREFIX):
        return False
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return header[:6].lower() == "token "


class _Stack(BaseHandler):
    """A middleware chain of its own around Django's view handling (synchronous, as WSGI)."""

    def __init__(self, paths: list[str]):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(paths):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        """Django's, remembered per path (a path that resolves to nothing is not kept)."""
        if hasattr(request, "urlconf"):  # a middleware chose another URLconf
            return super().resolve_request(request)
        key = (settings.ROOT_URLCONF, request.path_info)
        match = _resolved.get(key)
        if match is None:
            match = super().resolve_request(request)
            if len(_resolved) >= _RESOLVED_MAX:
                _resolved.clear()
            _resolved[key] = match
        request.resolver_match = match
        return match


class TokenApiMiddleware:
    def __init__(self, get_response: Callable):
        self.get_response = get_response
        self.token_stack = _Stack(settings.API_TOKEN_MIDDLEWARE)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_token_request(request):
            return self.token_stack._middleware_chain(request)
        return self.get_response(request)
