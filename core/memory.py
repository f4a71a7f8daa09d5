"""Handing memory back to the system after a large job, so a long-lived worker stays small."""

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None


def release() -> None:
    """Collect cycles, then ask glibc to return its free heap pages (``malloc_trim``).

    Python frees a job's objects when it ends, but glibc keeps the freed pages for reuse, so a
    worker that once read a 100,000-row file would keep that size for the rest of its life.
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
