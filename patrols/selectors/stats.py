"""Statistics and archive of patrols (巡河记录统计归档): three grouped queries, any volume."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core.choices import ChiefLevel
from core.models import User
from patrols.models import Finding, Patrol
from patrols.periods import local_range

GROUPS = ("chief", "village", "level", "month")
# Level words for the yearly sentence ("91 town-level chiefs made 3,344 patrols in 2018").
LEVEL_WORDS = {
    ChiefLevel.DISTRICT: pgettext_lazy("adjective", "区级"),
    ChiefLevel.TOWN: pgettext_lazy("adjective", "镇级"),
    ChiefLevel.VILLAGE: pgettext_lazy("adjective", "村级"),
}
_KEYS = {
    "chief": [
        "chief_id",
        "chief__user__last_name",
        "chief__user__first_name",
        "chief__user__username",
        "level",
    ],
    "village": ["region_id", "region__name", "region__code"],
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


def _label(group: str, values: dict) -> tuple[object, str, str]:
    if group == "chief":
        # A person's name; the login name only when none is recorded (never an empty label).
        name = (
            f"{values['chief__user__last_name']}{values['chief__user__first_name']}".strip()
            or values["chief__user__username"]
        )
        return values["chief_id"], name, ChiefLevel(values["level"]).label
    if group == "village":
        return values["region_id"], values["region__name"], values["region__code"]
    if group == "level":
        return values["level"], str(ChiefLevel(values["level"]).label), ""
    month = values["month"]
    return month.date() if hasattr(month, "date") else month, f"{month:%Y-%m}", ""


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
    patrols in 2018"). Three queries whatever the number of patrols (two grouped by level).
    """
    if group not in GROUPS:
        group = "level"
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

    grouped = (
        patrols.values(*keys)
        .annotate(
            n=Count("id"),
            chiefs=Count("chief_id", distinct=True),
            metres=Sum("distance_m"),
            time=Sum(_duration()),
        )
        .order_by(*keys)
    )
    stats = Stats(year=year, group=group)
    index = {}
    grouped = list(grouped)
    for values in grouped:
        key, label, extra = _label(group, values)
        row = StatRow(
            key=key,
            label=label,
            extra=extra,
            patrols=values["n"],
            chiefs=values["chiefs"],
            km=round((values["metres"] or 0) / 1000, 1),
            hours=_hours(values["time"]),
        )
        stats.rows.append(row)
        index[key] = row

    findings = Finding.objects.filter(patrol__in=patrols.values("pk"))
    if group == "month":
        findings = findings.annotate(month=TruncMonth("patrol__started_at", tzinfo=tz))
        fkeys = ["month"]
    else:
        fkeys = [f"patrol__{k}" for k in keys]
    for values in findings.values(*fkeys).annotate(n=Count("id")).order_by():
        plain = {k.removeprefix("patrol__"): v for k, v in values.items()}
        key = _label(group, plain)[0]
        if key in index:
            index[key].findings = values["n"]

    stats.total = StatRow(
        key=None,
        label=_("合计"),
        patrols=sum(r.patrols for r in stats.rows),
        km=round(sum(r.km for r in stats.rows), 1),
        hours=round(sum(r.hours for r in stats.rows), 1),
        findings=sum(r.findings for r in stats.rows),
    )

    # Grouped by level (the page's default), the rows are the sentences' figures already.
    by_level = (
        grouped
        if keys == ["level"]
        else patrols.values("level")
        .annotate(n=Count("id"), chiefs=Count("chief_id", distinct=True))
        .order_by("level")
    )
    for values in by_level:
        stats.sentences.append(
            _("%(year)d年，%(chiefs)s名%(level)s河长共巡河 %(n)s 次（人均 %(avg)s 次）。")
            % {
                "year": year,
                "chiefs": f"{values['chiefs']:,}",
                "level": LEVEL_WORDS[values["level"]],
                "n": f"{values['n']:,}",
                "avg": f"{values['n'] / values['chiefs']:.1f}",
            }
        )
    return stats
