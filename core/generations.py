"""Cache busting by generation: a cached value's key carries the generation of what it was
computed from, and a change bumps that generation, so every key made before it is unreachable
at once (and expires on its own). The office dashboard (``overview.selectors.dashboard``) and
the patrol list's count (``patrols.selectors.counts``) are dropped this way.

The generations live in Django's cache: with a shared one (``CACHE_URL``) a bump reaches every
process at once; with each process its own memory, only the process that made the change.
"""

from django.core.cache import cache
from django.utils import timezone


def bump(*keys: str) -> None:
    """Drop everything cached under these generations."""
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:
            # Not set yet, or evicted: any new value makes the old keys unreachable, and a
            # timestamp never repeats one the evicted counter had reached.
            cache.set(key, int(timezone.now().timestamp() * 1000), timeout=None)


def current(key: str) -> int:
    """The generation to put in a key now (0 until the first bump)."""
    return cache.get(key, 0)
