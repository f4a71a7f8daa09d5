"""Links to many rows of one page, reversed once.

``reverse`` (and ``{% url %}``) walks the URL patterns on every call: 0.1-0.2 ms each, paid
once per row by a list of 50 to 100 rows and once per feature by the town map. A route with
one integer argument is reversed once with a marker id and the other ids are written into
the same text. A route without arguments (the top bar's home, language and logout links) is
reversed once per process.
"""

from collections.abc import Callable

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = 987654321
_known: dict[tuple, tuple[str, str]] = {}
_routes: dict[tuple, str] = {}


def url_of(name: str, *rest: str) -> Callable[[int], str]:
    """``pk -> url`` for the route ``name`` with one integer argument (then the fixed
    arguments ``rest``, such as an action's slug), as ``reverse`` gives it (the script prefix
    and URLconf of the current request included)."""
    key = (name, rest, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    parts = _known.get(key)
    if parts is None:
        head, tail = reverse(name, args=[_MARKER, *rest]).split(str(_MARKER))
        parts = _known[key] = (head, tail)
    head, tail = parts
    return lambda pk: f"{head}{int(pk)}{tail}"


def route(name: str) -> str:
    """``reverse(name)`` of a route without arguments, reversed once per URLconf and script
    prefix (``NoReverseMatch`` as ``reverse`` raises it)."""
    key = (name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    url = _routes.get(key)
    if url is None:
        url = _routes[key] = reverse(name)
    return url
