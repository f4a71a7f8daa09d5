"""The patrol list's count and page ids: exact, and remembered while nothing in them changed.

A town's list counted its ~50,000 patrols (of a district's million) on every page from the
(region, started_at, id) index, and a deep page merged the town's villages' newest 9,000 to
skip them: most of the page's database time under load, for answers that change a few times
an hour. Both are now remembered per scope and filters (and page) for
``settings.PATROL_COUNT_CACHE_SECONDS`` in each web process, and stay exact:

- a patrol added anywhere shows at the next read, in every process whatever the cache: the
  key holds the newest patrol id (one index lookup, ``MAX(id)``), read once a request;
- a patrol saved or deleted (started, finished, reviewed, its flags refreshed, moved in the
  admin) drops what every scope that sees it remembered, once its transaction commits
  (``patrols.signals``, by the scopes' generations in Django's cache): in every process with
  a shared cache (``CACHE_URL``), in the process that saved it otherwise, where the other
  processes follow within the timeout;
- a bulk write (``QuerySet.update``, a bulk load) sends no signal: an addition still shows
  by the newest id, anything else within the timeout.

The rows themselves are always read fresh (``IdsFirstPaginator``): only which ids a page
holds, and how many there are, is remembered.
"""

import hashlib
import time
from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet

from core import generations
from core.models import Region, User
from core.scoping import EVERYWHERE, scope_code
from patrols.models import Patrol

# What the lists remembered in this process: key -> (monotonic deadline, value). Kept here,
# not in Django's cache: a user paging through a town's 1,600 pages would otherwise push the
# throttles' counters and the dashboards out of a memory cache of 300 entries.
_remembered: dict[str, tuple[float, object]] = {}
KEEP_AT_MOST = 2000


def forget() -> None:
    """Drop everything this process remembered (tests)."""
    _remembered.clear()


def generation_key(code: str) -> str:
    return f"patrols:list:generation:{code}"


def scopes_seeing(region_code: str) -> list[str]:
    """The scope codes whose lists hold a patrol of the region ``region_code``: the whole
    district's (``""``), its district's, its town's and its own."""
    lengths = sorted({*Region.CODE_LENGTH.values(), len(region_code)})
    return [EVERYWHERE, *(region_code[:n] for n in lengths if n <= len(region_code))]


def patrols_changed(*region_codes: str) -> None:
    """Drop what every scope that sees a patrol of these regions remembered."""
    scopes = dict.fromkeys(code for region in region_codes for code in scopes_seeing(region))
    generations.bump(*(generation_key(code) for code in scopes))


def _filters_key(filters: dict) -> str:
    """The filters as they narrowed the list (a form's cleaned values), blanks left out, so a
    page number or an empty field does not make a list of its own."""
    chosen = sorted(
        (name, repr(getattr(value, "pk", value)))
        for name, value in filters.items()
        if value is not None and value != ""
    )
    return hashlib.md5(repr(chosen).encode(), usedforsecurity=False).hexdigest()


class RememberedList:
    """What one request's list (``patrols_for(user)`` narrowed by ``filters``) may take from
    what was remembered, as the module says."""

    def __init__(self, queryset: QuerySet[Patrol], *, user: User, filters: dict):
        self.queryset = queryset
        self.user = user
        self.filters = filters

    @cached_property
    def key(self) -> str | None:
        """The list's version: None when nothing is remembered (tests, no scope)."""
        code = scope_code(self.user)
        if settings.PATROL_COUNT_CACHE_SECONDS <= 0 or code is None:
            return None
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {Patrol._meta.db_table}")
            newest = cursor.fetchone()[0]
        return (
            f"{generations.current(generation_key(code))}:{newest}:{code}:"
            f"{Patrol.objects.visibility_key(self.user)}:{_filters_key(self.filters)}"
        )

    def get(self, what: str, compute: Callable[[], object]):
        """``compute()``, or what it gave for this list and ``what`` while nothing changed."""
        if self.key is None:
            return compute()
        key = f"{self.key}:{what}"
        now = time.monotonic()
        found = _remembered.get(key)
        if found is not None and found[0] > now:
            return found[1]
        value = compute()
        if len(_remembered) >= KEEP_AT_MOST:
            _remembered.clear()
        _remembered[key] = (now + settings.PATROL_COUNT_CACHE_SECONDS, value)
        return value

    def count(self) -> int:
        return self.get("count", self.queryset.count)
