"""The patrol list's count: exact, and remembered while nothing it counts has changed.

A town's list counted its ~50,000 patrols (of a district's million) on every page from the
(region, started_at, id) index: the largest part of the page's time under load, for a number
that changes a few times an hour. The count is now remembered per scope and filters for
``settings.PATROL_COUNT_CACHE_SECONDS`` and stays exact:

- a patrol added anywhere shows at the next read, in every process whatever the cache: the
  key holds the newest patrol id (one index lookup, ``MAX(id)``), read with each count;
- a patrol saved or deleted (started, finished, reviewed, its flags refreshed) drops the
  counts of every scope that sees it once its transaction commits (``patrols.signals``):
  in every process with a shared cache (``CACHE_URL``), in the process that saved it
  otherwise, where the other processes' counts follow within the timeout;
- a bulk write (``QuerySet.update``, a bulk load) sends no signal: an addition still shows
  by the newest id, anything else within the timeout.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import QuerySet

from core import generations
from core.models import Region, User
from core.scoping import EVERYWHERE, scope_code
from patrols.models import Patrol


def generation_key(code: str) -> str:
    return f"patrols:count:generation:{code}"


def scopes_seeing(region_code: str) -> list[str]:
    """The scope codes whose lists hold a patrol of the region ``region_code``: the whole
    district's (``""``), its district's, its town's and its own."""
    lengths = sorted({*Region.CODE_LENGTH.values(), len(region_code)})
    return [EVERYWHERE, *(region_code[:n] for n in lengths if n <= len(region_code))]


def patrols_changed(*, region_code: str) -> None:
    """Drop the remembered counts of every scope that sees a patrol of this region."""
    generations.bump(*(generation_key(code) for code in scopes_seeing(region_code)))


def _filters_key(filters: dict) -> str:
    """The filters as they narrowed the list (a form's cleaned values), blanks left out, so a
    page number or an empty field does not make a list of its own."""
    chosen = sorted(
        (name, repr(getattr(value, "pk", value)))
        for name, value in filters.items()
        if value is not None and value != ""
    )
    return hashlib.md5(repr(chosen).encode(), usedforsecurity=False).hexdigest()


def patrol_count(queryset: QuerySet[Patrol], *, user: User, filters: dict) -> int:
    """The exact number of rows of ``queryset`` (``patrols_for(user)`` narrowed by
    ``filters``), remembered as the module says."""
    seconds = settings.PATROL_COUNT_CACHE_SECONDS
    code = scope_code(user)
    if seconds <= 0 or code is None:
        return queryset.count()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {Patrol._meta.db_table}")
        newest = cursor.fetchone()[0]
    key = (
        f"patrols:count:{generations.current(generation_key(code))}:{newest}:{code}:"
        f"{Patrol.objects.visibility_key(user)}:{_filters_key(filters)}"
    )
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, timeout=seconds)
    return count
