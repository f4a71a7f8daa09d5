"""Statistics and archive of patrols (巡河记录统计归档): three grouped queries, any volume,
remembered while nothing in them changed."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core import generations
from core.choices import ChiefLevel
from core.models import Region, User
from core.rows import name_columns
from core.scoping import scope_code
from patrols.models import Finding, Patrol
from patrols.periods import local_range
from rivers.models import Chief

GROUPS = ("chief", "village", "level", "month")
# Level words for the yearly sentence ("91 town-level chiefs made 3,344 patrols in 2018").
LEVEL_WORDS = {
    ChiefLevel.DISTRICT: pgettext_lazy("adjective", "区级"),
    ChiefLevel.TOWN: pgettext_lazy("adjective", "镇级"),
    ChiefLevel.VILLAGE: pgettext_lazy("adjective", "村级"),
}
# What each group's rows are keyed by (and ordered by): the figures remembered are these keys
# and numbers only; the names a row shows are read fresh (a chief or a village renamed shows
# at once, and the words follow the page's language).
_KEYS = {
    "chief": ["chief_id", "level"],
    "village": ["region_id"],
    "level": ["level"],
    "month": ["month"],
}


@dataclass
class StatRow:
    key: object
    label: str
    patrols: int = 0
    chiefs: int = 0
    km: float = 0.0
    hours: float = 0.0
    findings: int = 0
    extra: str = ""


@dataclass
class Stats:
    year: int
    group: str
    rows: list[StatRow] = field(default_factory=list)
    total: StatRow | None = None
    sentences: list[str] = field(default_factory=list)


def _duration():
    return ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())


def _hours(value: timedelta | None) -> float:
    return round(value.total_seconds() / 3600, 1) if value else 0.0


def _figures(*, user: User, year: int, group: str, level: str | None, region_id: int | None):
    """The year's numbers: ``(rows, findings, by_level)``, plain values a cache can keep.

    ``rows``: (key, patrols, chiefs, metres, duration) per group, in the group's order;
    ``findings``: key -> findings of those patrols; ``by_level``: (level, patrols, chiefs) for
    the sentences. Three queries (two grouped by level)."""
    start, end = local_range(date(year, 1, 1), date(year, 12, 31))
    patrols = (
        Patrol.objects.visible_to(user).counting().filter(started_at__gte=start, started_at__lt=end)
    )
    if level:
        patrols = patrols.filter(level=level)
    if region_id:
        patrols = patrols.filter(region_id=region_id)
    tz = ZoneInfo(settings.TIME_ZONE)
    if group == "month":
        patrols = patrols.annotate(month=TruncMonth("started_at", tzinfo=tz))
    keys = _KEYS[group]

    def key_of(values: dict, prefix: str = "") -> object:
        found = tuple(values[f"{prefix}{k}"] for k in keys)
        return found if len(found) > 1 else found[0]

    rows = [
        (key_of(values), values["n"], values["chiefs"], values["metres"], values["time"])
        for values in patrols.values(*keys)
        .annotate(
            n=Count("id"),
            chiefs=Count("chief_id", distinct=True),
            metres=Sum("distance_m"),
            time=Sum(_duration()),
        )
        .order_by(*keys)
    ]

    found = Finding.objects.filter(patrol__in=patrols.values("pk"))
    if group == "month":
        found = found.annotate(month=TruncMonth("patrol__started_at", tzinfo=tz))
        fkeys, prefix = ["month"], ""
    else:
        fkeys, prefix = [f"patrol__{k}" for k in keys], "patrol__"
    findings = {
        key_of(values, prefix): values["n"]
        for values in found.values(*fkeys).annotate(n=Count("id")).order_by()
    }

    # Grouped by level (the page's default), the rows are the sentences' figures already.
    if group == "level":
        by_level = [(key, n, chiefs) for key, n, chiefs, _metres, _time in rows]
    else:
        by_level = list(
            patrols.values("level")
            .annotate(n=Count("id"), chiefs=Count("chief_id", distinct=True))
            .order_by("level")
            .values_list("level", "n", "chiefs")
        )
    return rows, findings, by_level


def _remembered_figures(**kwargs):
    """:func:`_figures`, remembered for ``settings.PATROL_STATS_CACHE_SECONDS`` in Django's
    cache while nothing in them changed, and exact:

    - a patrol or a finding added anywhere shows at the next read: the key holds the newest
      patrol and finding ids (one query of two index lookups);
    - a patrol or a finding saved or deleted (finished, reviewed, moved, a finding added to a
      patrol or taken off it) drops what every scope that sees it remembered, once its
      transaction commits (``patrols.signals``, by the scopes' generations of
      ``patrols.selectors.counts``): in every process with a shared cache (``CACHE_URL``), in
      the process that saved it otherwise, where the others follow within the timeout;
    - the key holds the viewer's scope and whether they see only their own patrols
      (``Patrol.objects.visibility_key``), the year and the filters.
    """
    from patrols.selectors.counts import generation_key

    user = kwargs["user"]
    code = scope_code(user)
    seconds = settings.PATROL_STATS_CACHE_SECONDS
    if seconds <= 0 or code is None:
        return _figures(**kwargs)
    with connections[Patrol.objects.db].cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {Patrol._meta.db_table}), "
            f"(SELECT MAX(id) FROM {Finding._meta.db_table})"
        )
        newest_patrol, newest_finding = cursor.fetchone()
    key = (
        f"patrols:stats:{generations.current(generation_key(code))}:{newest_patrol}:"
        f"{newest_finding}:{code}:{Patrol.objects.visibility_key(user)}:{kwargs['year']}:"
        f"{kwargs['group']}:{kwargs['level'] or ''}:{kwargs['region_id'] or ''}"
    )
    found = cache.get(key)
    if found is None:
        found = _figures(**kwargs)
        cache.set(key, found, timeout=seconds)
    return found


def _names(group: str, keys: list) -> dict:
    """What each row of a chief's or a village's group is called, read now."""
    if group == "chief":
        return {
            pk: f"{last}{first}".strip() or username
            for pk, last, first, username in Chief.objects.filter(
                pk__in={chief_id for chief_id, _level in keys}
            ).values_list("pk", *name_columns("user"))
        }
    if group == "village":
        return {
            pk: (name, code)
            for pk, name, code in Region.objects.filter(pk__in=keys).values_list(
                "pk", "name", "code"
            )
        }
    return {}


def _label(group: str, key, names: dict) -> tuple[object, str, str]:
    if group == "chief":
        # A person's name; the login name only when none is recorded (never an empty label).
        chief_id, level = key
        return chief_id, names[chief_id], ChiefLevel(level).label
    if group == "village":
        name, code = names[key]
        return key, name, code
    if group == "level":
        return key, str(ChiefLevel(key).label), ""
    return key.date() if hasattr(key, "date") else key, f"{key:%Y-%m}", ""


def patrol_stats(
    *,
    user: User,
    year: int,
    group: str = "level",
    level: str | None = None,
    region_id: int | None = None,
) -> Stats:
    """Counting patrols of ``year`` the user may see, grouped by chief, village, level or month.

    Patrols, kilometres, hours, distinct chiefs and findings per group, plus a total and one
    sentence per level in the reference report's form ("91 town-level chiefs made 3,344
    patrols in 2018"). Three queries whatever the number of patrols (two grouped by level),
    none while the figures are remembered (:func:`_remembered_figures`), and one for the
    names of the chiefs or villages.
    """
    if group not in GROUPS:
        group = "level"
    rows, findings, by_level = _remembered_figures(
        user=user, year=year, group=group, level=level, region_id=region_id
    )
    names = _names(group, [row[0] for row in rows])
    stats = Stats(year=year, group=group)
    for key, n, chiefs, metres, time in rows:
        key_shown, label, extra = _label(group, key, names)
        stats.rows.append(
            StatRow(
                key=key_shown,
                label=label,
                extra=extra,
                patrols=n,
                chiefs=chiefs,
                km=round((metres or 0) / 1000, 1),
                hours=_hours(time),
                findings=findings.get(key, 0),
            )
        )

    stats.total = StatRow(
        key=None,
        label=_("合计"),
        patrols=sum(r.patrols for r in stats.rows),
        km=round(sum(r.km for r in stats.rows), 1),
        hours=round(sum(r.hours for r in stats.rows), 1),
        findings=sum(r.findings for r in stats.rows),
    )
    for level_value, n, chiefs in by_level:
        stats.sentences.append(
            _("%(year)d年，%(chiefs)s名%(level)s河长共巡河 %(n)s 次（人均 %(avg)s 次）。")
            % {
                "year": year,
                "chiefs": f"{chiefs:,}",
                "level": LEVEL_WORDS[level_value],
                "n": f"{n:,}",
                "avg": f"{n / chiefs:.1f}",
            }
        )
    return stats
