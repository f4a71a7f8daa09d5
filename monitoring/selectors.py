"""Reads shared by the pages, the API, the Excel export and other apps (the monthly letters).

Every figure about a river's water comes from :func:`river_status`, so a letter, the office
list and the river page cannot disagree.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import connections, router
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from core.lookups import IdArray
from core.models import Region, User
from monitoring import standards
from monitoring.models import VALUE_FIELDS, ImportJob, MonitoringPoint, Sample
from monitoring.periods import Period
from monitoring.standards import Odour
from rivers.models import River

BETTER, WORSE, SAME = "better", "worse", "same"


@dataclass(frozen=True)
class RiverStatus:
    """A river's water over a period: mean of the period's samples per item at each point,
    then the assessment method of 环办〔2011〕22号 over its points (see standards.assess_river).
    """

    river_id: int
    water_class: int | None  # 1..5, 6 = worse than Class V, None = no samples in the period
    target_class: int
    meets_target: bool | None
    black_odour: Odour | None  # None when no black-odour indicator was measured
    deciding: list = field(default_factory=list)  # standards.ItemResult, worst first
    trend: str | None = None  # "better", "worse", "same" against the previous period
    previous_class: int | None = None
    quality: standards.Quality | None = None
    method: str | None = None  # "single", "mean" or "share"
    point_count: int = 0
    sample_count: int = 0
    means: dict = field(default_factory=dict)  # item means over the points (canonical units)
    exceedances: list = field(default_factory=list)  # items worse than the target
    odour: standards.WaterBodyOdour | None = None

    @property
    def class_label(self) -> str:
        return standards.class_label(self.water_class)

    @property
    def previous_label(self) -> str:
        return standards.class_label(self.previous_class)

    @property
    def is_worse_than_v(self) -> bool:
        return self.water_class == standards.WORSE_THAN_V

    def to_dict(self) -> dict:
        """Plain JSON: every field, so that ``from_dict(to_dict(s)) == s`` (floats round-trip
        exactly through JSON; the means keep their order, as a list of pairs)."""
        odour = self.odour
        return {
            "water_class": self.water_class,
            "target_class": self.target_class,
            "meets_target": self.meets_target,
            "black_odour": None if self.black_odour is None else int(self.black_odour),
            "deciding": [_item_dict(i) for i in self.deciding],
            "trend": self.trend,
            "previous_class": self.previous_class,
            "quality": None if self.quality is None else int(self.quality),
            "method": self.method,
            "point_count": self.point_count,
            "sample_count": self.sample_count,
            "means": [[code, value] for code, value in self.means.items()],
            "exceedances": [_item_dict(i) for i in self.exceedances],
            "odour": None
            if odour is None
            else {
                "level": None if odour.level is None else int(odour.level),
                "whole_severe": odour.whole_severe,
                "severe_stretches": [list(s) for s in odour.severe_stretches],
            },
        }

    @classmethod
    def from_dict(cls, river_id: int, data: dict) -> RiverStatus:
        odour = data["odour"]
        return cls(
            river_id=river_id,
            water_class=data["water_class"],
            target_class=data["target_class"],
            meets_target=data["meets_target"],
            black_odour=_odour(data["black_odour"]),
            deciding=[_item(i) for i in data["deciding"]],
            trend=data["trend"],
            previous_class=data["previous_class"],
            quality=None if data["quality"] is None else standards.Quality(data["quality"]),
            method=data["method"],
            point_count=data["point_count"],
            sample_count=data["sample_count"],
            means={code: value for code, value in data["means"]},
            exceedances=[_item(i) for i in data["exceedances"]],
            odour=None
            if odour is None
            else standards.WaterBodyOdour(
                _odour(odour["level"]),
                odour["whole_severe"],
                tuple(tuple(s) for s in odour["severe_stretches"]),
            ),
        )


def _odour(level: int | None) -> Odour | None:
    return None if level is None else Odour(level)


def _item_dict(item: standards.ItemResult) -> list:
    return [item.code, item.value, item.water_class, item.multiple, item.shortfall]


def _item(data: list) -> standards.ItemResult:
    return standards.ItemResult(*data)


def _samples(river_ids, at: datetime | None = None, region_code: str = ""):
    """Samples of the rivers' points as the records stood at ``at`` (entered before it), of
    the points inside ``region_code`` only when given (a town's letter reads its own points)."""
    qs = Sample.objects.filter(point__river_id__in=river_ids)
    if at is not None:
        qs = qs.filter(created_at__lt=at)
    if region_code:
        qs = qs.filter(point__region__code__startswith=region_code)
    return qs


def _period_means(river_ids, start, end, prev_start, at=None, region_code=""):
    """One query: per point and per period (1 = current, 0 = previous), each item's mean."""
    rows = (
        _samples(river_ids, at, region_code)
        .filter(sampled_at__gte=prev_start)
        .filter(sampled_at__lt=end)
        .annotate(
            bucket=Case(
                When(sampled_at__gte=start, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .values("point_id", "point__river_id", "point__position", "bucket")
        .annotate(n=Count("id"), **{f"avg_{code}": Avg(code) for code in VALUE_FIELDS})
        .order_by("point__river_id", "point__position", "point_id")
    )
    current: dict[int, list] = defaultdict(list)
    previous: dict[int, list] = defaultdict(list)
    for row in rows:
        means = {
            code: row[f"avg_{code}"] for code in VALUE_FIELDS if row[f"avg_{code}"] is not None
        }
        target = current if row["bucket"] == 1 else previous
        target[row["point__river_id"]].append((row["point_id"], row["n"], means))
    return current, previous


def _odour_by_point(
    river_ids, start, end, at=None, region_code=""
) -> tuple[dict[int, Odour | None], dict[int, list]]:
    """One query: each point's black-odour level from its samples in the period, and each
    river's points in their order along the water (``at``, ``region_code`` as ``_samples``).

    Every active point is listed (and a retired one that still has samples in the period): a
    point without data in the period keeps its place, so it breaks a run of consecutive severe
    points instead of vanishing from between them (standards.water_body_odour).
    """
    condition = Q(samples__sampled_at__gte=start, samples__sampled_at__lt=end)
    if at is not None:
        condition &= Q(samples__created_at__lt=at)
    in_period = FilteredRelation("samples", condition=condition)
    points = MonitoringPoint.objects.filter(river_id__in=river_ids)
    if region_code:
        points = points.filter(region__code__startswith=region_code)
    rows = (
        points.annotate(period_sample=in_period)
        .filter(Q(is_active=True) | Q(period_sample__isnull=False))
        .order_by("river_id", "position", "code", "id")
        .values_list(
            "river_id",
            "id",
            "period_sample__water_depth_cm",
            *[f"period_sample__{code}" for code in standards.ODOUR_INDICATORS],
        )
    )
    levels: dict[int, list] = {}
    order: dict[int, list] = defaultdict(list)
    for river_id, point_id, depth, *values in rows:
        if point_id not in levels:
            levels[point_id] = []
            order[river_id].append(point_id)
        measured = dict(zip(standards.ODOUR_INDICATORS, values, strict=True))
        if any(v is not None for v in measured.values()):
            levels[point_id].append(standards.odour_levels(measured, water_depth_cm=depth))
    odour = {point_id: standards.point_odour(samples) for point_id, samples in levels.items()}
    return odour, order


def river_status(
    *,
    river_ids,
    period_start: date,
    period_end: date,
    at: datetime | None = None,
    region_code: str = "",
) -> dict[int, RiverStatus]:
    """Status of each river over ``period_start``..``period_end`` (dates, both inclusive).

    The figures of :func:`compute_river_status`. A month, quarter or year as the records stand
    now is read from the stored statuses (``monitoring.status_store``), and only the rivers
    not stored yet are computed (and stored): two queries when every river is stored. A
    snapshot (``at``), one town's points (``region_code``) or a custom period is computed live.
    """
    period = Period.of(period_start, period_end)
    if at is None and not region_code and period.kind != "custom":
        from monitoring import status_store

        return status_store.statuses(river_ids=river_ids, period=period)
    return compute_river_status(
        river_ids=river_ids,
        period_start=period_start,
        period_end=period_end,
        at=at,
        region_code=region_code,
    )


def compute_river_status(
    *,
    river_ids,
    period_start: date,
    period_end: date,
    at: datetime | None = None,
    region_code: str = "",
) -> dict[int, RiverStatus]:
    """Status of each river over ``period_start``..``period_end`` computed from the samples.

    Class and target: per point, the mean of each item over the period's samples; then the
    river rule (fewer than 5 points: mean over the points; 5 or more: share of points per
    class). Black odour: each point's level from its samples (60 %/30 % rules), then the
    water-body rules over the points in their order along the river. Trend: the class against
    the previous period of the same kind (month, quarter, year; same length otherwise).
    Rivers without samples in the period get ``water_class=None``.
    ``at``: only samples entered before that moment count (a monthly letter's snapshot).
    ``region_code``: only the points inside that region count (a town's letter on a river
    that crosses into another town).

    Three queries whatever the number of rivers, points or samples.
    """
    river_ids = list(river_ids)
    period = Period.of(period_start, period_end)
    start, end = period.bounds()
    prev_start, _prev_end = period.previous().bounds()
    rivers = River.objects.filter(id__in=river_ids).values_list("id", "target_class", "water_type")
    current, previous = _period_means(river_ids, start, end, prev_start, at, region_code)
    odour, order = _odour_by_point(river_ids, start, end, at, region_code)

    result = {}
    for river_id, target, water_type in rivers:
        points = current.get(river_id, [])
        now = standards.assess_river(
            [means for _pid, _n, means in points], water_type=water_type, target_class=target
        )
        before = standards.assess_river(
            [means for _pid, _n, means in previous.get(river_id, [])], water_type=water_type
        )
        cls, prev_cls = now.water_class, before.water_class
        trend = None
        if cls is not None and prev_cls is not None:
            trend = BETTER if cls < prev_cls else WORSE if cls > prev_cls else SAME
        body = standards.water_body_odour([odour.get(pid) for pid in order.get(river_id, [])])
        result[river_id] = RiverStatus(
            river_id=river_id,
            water_class=cls,
            target_class=target,
            meets_target=now.assessment.meets_target,
            black_odour=body.level,
            deciding=now.assessment.deciding,
            trend=trend,
            previous_class=prev_cls,
            quality=now.quality,
            method=now.method if points else None,
            point_count=len(points),
            sample_count=sum(n for _pid, n, _m in points),
            means=standards.mean_values(m for _pid, _n, m in points),
            exceedances=now.assessment.exceedances,
            odour=body,
        )
    return result


# --- the office list ----------------------------------------------------------------------------


@dataclass
class RiverRow:
    river: River
    status: RiverStatus
    villages: list


def monitored_rivers(*, user: User, village: Region | None = None):
    """Rivers the user may see that have an active monitoring point (optionally in a village)."""
    rivers = River.objects.visible_to(user).filter(
        id__in=MonitoringPoint.objects.filter(is_active=True, river__isnull=False).values(
            "river_id"
        )
    )
    if village is not None:
        rivers = rivers.filter(Q(region=village) | Q(regions=village)).distinct()
    return rivers


def monitored_river_ids(*, user: User, village: Region | None = None) -> list[int]:
    """The ids of :func:`monitored_rivers`, read from the points' table alone.

    The same rivers (those with an active point, visible to the user, in ``village``); the
    scope is a filter on the points' ``river_id`` (``models.point_scope_q``'s river parts:
    owned by or crossing a region in scope), so the 78 MB river table is never scanned: a
    town's 525 monitored rivers among 50,000 in 3 ms instead of 38 ms (EXPLAIN ANALYZE,
    bench_big).
    """
    from core.scoping import scope_code

    code = scope_code(user)
    if code is None:
        return []
    sql, params = _monitored_sql(code, village)
    alias = router.db_for_read(MonitoringPoint)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        # Deduplicated here: DISTINCT would read the points in river order, by index, one
        # heap page at a time, instead of scanning the small table once.
        return sorted({row[0] for row in cursor.fetchall()})


def _monitored_sql(code: str, village: Region | None) -> tuple[str, list]:
    """``SELECT "river_id" FROM <points> WHERE ...``: the river of every active point in the
    scope ``code`` (and ``village``), a river once per point, as SQL and its parameters.

    One SQL string, not a queryset: the river-status list reads these ids on every request,
    and putting the filter together through the ORM cost a fifth of that request's Python.
    The scope's parts are the points' own (``river_scope_parts``), written once.
    """
    from core.scoping import EVERYWHERE
    from monitoring.models import river_scope_parts

    where, params = ['"river_id" IS NOT NULL', '"is_active" = %s'], [True]
    if code != EVERYWHERE:
        parts = river_scope_parts(code)
        where.append("(" + " OR ".join(f'"{c}" IN ({ids.sql})' for c, ids in parts) + ")")
        params += [p for _c, ids in parts for p in ids.params]
    if village is not None:
        # In the village: owned by it (``river__region``) or crossing it (``regions``).
        river, through = River._meta.db_table, River.regions.through._meta
        crossing = (
            f'SELECT "{through.get_field("river").column}" FROM "{through.db_table}" '
            f'WHERE "{through.get_field("region").column}" = %s'
        )
        where.append(
            f'("river_id" IN (SELECT "id" FROM "{river}" WHERE "region_id" = %s) '
            f'OR "river_id" IN ({crossing}))'
        )
        params += [village.pk, village.pk]
    table = MonitoringPoint._meta.db_table
    return f'SELECT "river_id" FROM "{table}" WHERE {" AND ".join(where)}', params


def river_quality_rows(
    *, user: User, period: Period, village: Region | None = None, only: str = ""
) -> list[RiverRow]:
    """The office list: every monitored river with its status, worse than Class V first.

    ``only`` narrows it: "worse_than_v", "off_target" or "black_odour". Five queries.
    """
    rivers = list(
        monitored_rivers(user=user, village=village)
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "regions",
                queryset=Region.objects.filter(kind=Region.Kind.VILLAGE),
                to_attr="village_list",
            )
        )
        .order_by("code")
    )
    statuses = river_status(
        river_ids=[r.id for r in rivers], period_start=period.start, period_end=period.end
    )
    rows = [RiverRow(r, statuses[r.id], r.village_list) for r in rivers]
    if only == "worse_than_v":
        rows = [r for r in rows if r.status.is_worse_than_v]
    elif only == "off_target":
        rows = [r for r in rows if r.status.meets_target is False]
    elif only == "black_odour":
        rows = [r for r in rows if r.status.black_odour]
    # Worse than Class V first, then by class (worst first); rivers without data last.
    rows.sort(
        key=lambda r: (
            r.status.water_class is None,
            -(r.status.water_class or 0),
            -(r.status.black_odour or 0),
            r.river.code,
        )
    )
    return rows


ONLY = {
    "worse_than_v": Q(water_class=standards.WORSE_THAN_V),
    "off_target": Q(meets_target=False),
    "black_odour": Q(black_odour__gt=0),
}


def _stored_status_set(*, user: User, period: Period, village: Region | None, only: str):
    """The period's stored statuses of the monitored rivers the user may see (``only``
    applied), the missing ones computed and stored first, unordered, and how many there are
    when that is known without counting (with ``only``: up to ``API_EXACT_COUNT_UP_TO``,
    when all were stored; None otherwise). One query when all are stored (the rivers with
    their stored status' id and figures)."""
    from monitoring import status_store

    # The ids once: the scope's subqueries cost more than the rows, read two or three times;
    # as one array literal (core.lookups.IdArray), made once for every query that sends it.
    # Read with each river's stored status (if any): the stored check of ``ensure`` in the
    # same query, for the rivers without one only.
    listed = _monitored_statuses(user=user, village=village, period=period)
    river_ids = IdArray(sorted(listed))
    missing = [river for river, row in listed.items() if row.status_id is None]
    if missing:
        status_store.ensure(river_ids=missing, periods=[period])
    rows = _statuses_of(river_ids, period)
    # Once ensured, each of these rivers has exactly one row of the period and rules (unique
    # by period and river): without ``only``, the rows are the rivers, and need no count.
    if only not in ONLY:
        return rows, len(river_ids)
    rows = rows.filter(ONLY[only])
    total = None
    if not missing:
        # The same rows counted from the statuses just read (``ONLY_ROW`` is ``ONLY``), given
        # as the paginator's count would give them: exactly up to its limit, past it left to
        # its estimate.
        n = sum(1 for row in listed.values() if ONLY_ROW[only](row))
        total = n if n <= settings.API_EXACT_COUNT_UP_TO else None
    return rows, total


def _monitored_statuses(
    *, user: User, village: Region | None, period: Period
) -> dict[int, ListedStatus]:
    """:func:`monitored_river_ids` (as keys, in no order), each with its stored status of
    ``period`` under the rules in force (``status_id`` None: none stored), in one query:
    the points' rivers in scope (``_monitored_sql``), each status by the unique (period,
    river) index."""
    from core.scoping import scope_code
    from monitoring import status_store
    from monitoring.models import RiverPeriodStatus

    code = scope_code(user)
    if code is None:
        return {}
    connection = connections[router.db_for_read(RiverPeriodStatus)]
    ids_sql, params = _monitored_sql(code, village)
    if connection.vendor == "postgresql":
        # As an array (an InitPlan the planner cannot see into, so a few rows): each status
        # then looked up by the unique index. Joined to the subquery itself, its 7,500
        # estimated rows had the planner hash every status of the period (10,000, 1,100
        # buffers) for a town's 525: 16-21 ms against 7-11 (EXPLAIN ANALYZE, bench_big).
        rivers = f'unnest(ARRAY({ids_sql})) AS m("river_id")'
    else:
        rivers = f"({ids_sql}) m"
    sql = (
        f'SELECT m."river_id", s."id", s."water_class", s."meets_target", s."black_odour" '
        f"FROM {rivers} "
        f'LEFT JOIN "{RiverPeriodStatus._meta.db_table}" s '
        f'ON (s."river_id" = m."river_id" AND s."period_start" = %s AND s."period_end" = %s '
        f'AND s."basis" = %s)'
    )
    ops = connection.ops
    tail = [
        ops.adapt_datefield_value(period.start),
        ops.adapt_datefield_value(period.end),
        status_store.basis(),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *tail])
        # A river once per point: kept once (the same status each time).
        return {
            river: ListedStatus(river, status, water, None if meets is None else bool(meets), odour)
            for river, status, water, meets, odour in cursor.fetchall()
        }


def _statuses_of(river_ids: IdArray, period: Period):
    from monitoring import status_store
    from monitoring.models import RiverPeriodStatus

    return RiverPeriodStatus.objects.filter(
        period_start=period.start,
        period_end=period.end,
        basis=status_store.basis(),
        river_id__any=river_ids,  # one array parameter (core/lookups.py)
    )


def _in_list_order(rows):
    """Worse than Class V first, then by class (worst first), rivers without data last; then
    by black odour and the river's code."""
    return rows.annotate(
        class_rank=Coalesce("water_class", 0),
        odour_rank=Coalesce("black_odour", 0),
        river_code=F("river__code"),
    ).order_by("-class_rank", "-odour_rank", "river_code", "pk")


def _stored_statuses(*, user: User, period: Period, village: Region | None, only: str):
    """:func:`_stored_status_set` in the list's order (:func:`_in_list_order`)."""
    rows, total = _stored_status_set(user=user, period=period, village=village, only=only)
    return _in_list_order(rows), total


def stored_status_rows(
    *, user: User, period: Period, village: Region | None = None, only: str = ""
):
    """The water-quality page's river list as a queryset of stored statuses, in the order of
    :func:`river_quality_rows` (worse than Class V first, rivers without data last, then by
    code), to be paginated: the statuses not stored yet are computed and stored first.

    Two queries before the page when every status is stored (the rivers, the stored check).
    Each row carries ``river`` (without its geometry), its region and ``river.village_list``;
    turn it into a :class:`RiverRow` with :func:`status_row`. The API reads the same rows as
    tuples (:func:`stored_status_values`); the page reads :func:`stored_status_list`.
    """
    rows, _total = _stored_statuses(user=user, period=period, village=village, only=only)
    return _with_river(rows)


def _with_river(rows):
    return (
        rows.select_related("river__region")
        .defer("river__geometry")
        .prefetch_related(
            Prefetch(
                "river__regions",
                queryset=Region.objects.filter(kind=Region.Kind.VILLAGE),
                to_attr="village_list",
            )
        )
    )


def stored_status_list(
    *, user: User, period: Period, village: Region | None = None, only: str = ""
) -> tuple[StatusList, dict]:
    """The water-quality page's list: every monitored river's stored status of ``period`` in
    the list's order (worse than Class V first, rivers without data last, then by code; as
    :func:`stored_status_rows`), to be read a page at a time (:meth:`StatusList.rows`), and
    the tiles' figures of them (:func:`_summary_of`).

    One query finds the rivers, their status' id and the columns the order, ``only`` and
    the tiles need (:func:`_listed_statuses`); the tiles are counted and ``only`` applied on
    those 525 short rows (a town's) in Python. Before, the rivers' ids, the count by class
    and the page's ids were three queries, each sending the 525 ids back as an array and
    looking each status up again. A river without a stored status (a period not read
    before) has it computed and stored first, then the list is read again.
    """
    from core.scoping import scope_code
    from monitoring import status_store

    code = scope_code(user)
    if code is None:
        return StatusList([]), _summary_of([])
    listed = _listed_statuses(code, village, period)
    missing = [row.river_id for row in listed if row.status_id is None]
    if missing:
        status_store.ensure(river_ids=missing, periods=[period])
        listed = [row for row in _listed_statuses(code, village, period) if row.status_id]
    if only in ONLY_ROW:
        listed = [row for row in listed if ONLY_ROW[only](row)]
    return StatusList([row.status_id for row in listed]), _summary_of(listed)


@dataclass(frozen=True)
class ListedStatus:
    """One monitored river of :func:`_listed_statuses` (``status_id`` None: not stored)."""

    river_id: int
    status_id: int | None
    water_class: int | None
    meets_target: bool | None
    black_odour: int | None


# ``ONLY`` on a ListedStatus.
ONLY_ROW = {
    "worse_than_v": lambda row: row.water_class == standards.WORSE_THAN_V,
    "off_target": lambda row: row.meets_target is False,
    "black_odour": lambda row: bool(row.black_odour and row.black_odour > 0),
}


def _listed_statuses(code: str, village: Region | None, period: Period) -> list[ListedStatus]:
    """Each river with an active point in the scope ``code`` (and ``village``), with its
    stored status of ``period`` if there is one, in the list's order (:func:`_in_list_order`).

    The rivers by their primary key from the points' river ids (``= ANY(ARRAY(...))`` on
    PostgreSQL: the points' filter, an OR of hashed subqueries, is estimated at 7,500 rows,
    and with ``IN`` the planner then joined every one of the 50,000 rivers against them),
    each one's status by the unique (period, river) index.
    """
    from monitoring import status_store
    from monitoring.models import RiverPeriodStatus

    connection = connections[router.db_for_read(RiverPeriodStatus)]
    ids_sql, params = _monitored_sql(code, village)
    if connection.vendor == "postgresql":
        in_scope = f"= ANY(ARRAY({ids_sql}))"
    else:
        in_scope = f"IN ({ids_sql})"
    sql = (
        f'SELECT r."id", s."id", s."water_class", s."meets_target", s."black_odour" '
        f'FROM "{River._meta.db_table}" r LEFT JOIN "{RiverPeriodStatus._meta.db_table}" s '
        f'ON (s."river_id" = r."id" AND s."period_start" = %s AND s."period_end" = %s '
        f'AND s."basis" = %s) '
        f'WHERE r."id" {in_scope} '
        f'ORDER BY COALESCE(s."water_class", 0) DESC, COALESCE(s."black_odour", 0) DESC, '
        f'r."code", s."id"'
    )
    ops = connection.ops
    head = [
        ops.adapt_datefield_value(period.start),
        ops.adapt_datefield_value(period.end),
        status_store.basis(),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*head, *params])
        return [
            # SQLite gives a boolean column back as 0 or 1.
            ListedStatus(river, status, water, None if meets is None else bool(meets), odour)
            for river, status, water, meets, odour in cursor.fetchall()
        ]


def _summary_of(rows: list[ListedStatus]) -> dict:
    """The tiles of the water-quality page: the rivers listed, how many have data, how many
    of each class, off target and black-odorous."""
    by_class = {c: 0 for c in range(1, 7)}
    off_target = black_odour = 0
    for row in rows:
        if row.water_class:
            by_class[row.water_class] += 1
        if row.meets_target is False:
            off_target += 1
        if row.black_odour and row.black_odour > 0:
            black_odour += 1
    return {
        "rivers": len(rows),
        "assessed": sum(by_class.values()),
        "by_class": [(standards.class_label(c), n) for c, n in by_class.items()],
        "worse_than_v": by_class[standards.WORSE_THAN_V],
        "off_target": off_target,
        "black_odour": black_odour,
    }


@dataclass(frozen=True)
class ListedRiver:
    """What a water-quality row prints of its river."""

    pk: int
    name: str
    code: str
    region_name: str


@dataclass
class StatusLine:
    """A row of the water-quality page: the river, its status and the names of the villages
    it crosses (in code order)."""

    river: ListedRiver
    status: RiverStatus
    villages: list[str]


@dataclass
class StatusList:
    """The stored statuses of :func:`stored_status_list`, in the list's order (their ids)."""

    ids: list[int]

    def rows(self, start: int, stop: int) -> list[StatusLine]:
        """Rows ``start`` to ``stop``, read by their ids: each status' detail with its river's
        name, code and region, then the names of the villages the page's rivers cross. Two
        plain queries, written out: no status, river and region models, no prefetch, and no
        ORM query put together per request (the two cost 3.5 ms of Python through the ORM).
        """
        from monitoring.models import RiverPeriodStatus

        ids = self.ids[start:stop]
        if not ids:
            return []
        connection = connections[router.db_for_read(RiverPeriodStatus)]
        in_ids, params = _ids_sql('s."id"', ids, connection)
        sql = (
            f'SELECT s."id", s."river_id", s."detail", r."name", r."code", g."name" '
            f'FROM "{RiverPeriodStatus._meta.db_table}" s '
            f'JOIN "{River._meta.db_table}" r ON r."id" = s."river_id" '
            f'JOIN "{Region._meta.db_table}" g ON g."id" = r."region_id" WHERE {in_ids}'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = {row[0]: row[1:] for row in cursor.fetchall()}
        villages = village_names([row[0] for row in found.values()], connection=connection)
        rows = []
        for pk in ids:
            if pk in found:
                river_id, detail, name, code, region_name = found[pk]
                if isinstance(detail, str):  # JSON as text (SQLite; Django's jsonb loader)
                    detail = json.loads(detail)
                rows.append(
                    StatusLine(
                        ListedRiver(river_id, name, code, region_name),
                        RiverStatus.from_dict(river_id, detail),
                        villages.get(river_id, []),
                    )
                )
        return rows


def _ids_sql(column: str, ids: list[int], connection) -> tuple[str, list]:
    """``<column>`` is one of ``ids``: one array parameter on PostgreSQL (as
    ``core.lookups.AnyOf`` sends it), an ``IN`` list elsewhere."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [IdArray(ids).text]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


# What an API row reads (:func:`stored_status_values`): the stored status' own columns and
# the deciding items of its detail, not the whole detail (means, exceedances, odour).
STATUS_ROW_FIELDS = (
    "pk",
    "class_rank",
    "odour_rank",
    "river_code",
    "river_id",
    "river__name",
    "river__water_type",
    "water_class",
    "target_class",
    "meets_target",
    "black_odour",
    "previous_class",
    "trend",
    "quality",
    "method",
    "point_count",
    "sample_count",
    "detail__deciding",
)


def stored_status_values(
    *, user: User, period: Period, village: Region | None = None, only: str = ""
):
    """:func:`stored_status_rows` as tuples of ``STATUS_ROW_FIELDS`` (with attributes, for
    the cursors), no model instances, and their number when it is known without a count
    query (see :func:`_stored_status_set`): ``(rows, total)``. The villages of a page's rivers come from
    :func:`village_codes`. One query for a page."""
    rows, total = _stored_statuses(user=user, period=period, village=village, only=only)
    return rows.values_list(*STATUS_ROW_FIELDS, named=True), total


def village_codes(river_ids: list[int]) -> dict[int, list[str]]:
    """The codes of the villages each river crosses, in code order (``river.village_list``
    of :func:`stored_status_rows`). One query."""
    return _village_column(river_ids, "code")


def village_names(river_ids: list[int], *, connection=None) -> dict[int, list[str]]:
    """The names of the villages each river crosses, in code order (``river.village_list``
    of :func:`stored_status_rows`, as names). One query, written out."""
    return _village_column(river_ids, "name", connection=connection)


def _village_column(river_ids: list[int], column: str, *, connection=None):
    """``column`` ("code", "name") of the villages each river crosses, in code order. One
    plain query: the river-status API reads it on every page, and the ORM's join put
    together per request cost more than its rows."""
    out: dict[int, list[str]] = defaultdict(list)
    if not river_ids:
        return out
    through = River.regions.through._meta
    connection = connection or connections[router.db_for_read(through.model)]
    in_rivers, params = _ids_sql(f't."{through.get_field("river").column}"', river_ids, connection)
    sql = (
        f'SELECT t."{through.get_field("river").column}", g."{column}" '
        f'FROM "{through.db_table}" t JOIN "{Region._meta.db_table}" g '
        f'ON g."id" = t."{through.get_field("region").column}" '
        f'WHERE g."kind" = %s AND {in_rivers} ORDER BY g."code"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Region.Kind.VILLAGE.value, *params])
        for river_id, name in cursor.fetchall():
            out[river_id].append(name)
    return out


def status_row(stored) -> RiverRow:
    """A stored status (from :func:`stored_status_rows`) as the office list's row."""
    river = stored.river
    return RiverRow(river, RiverStatus.from_dict(river.id, stored.detail), river.village_list)


# --- points and samples --------------------------------------------------------------------------


def points_for(*, user: User, river: River | None = None, sample_count: bool = True):
    """The points a user may see, with their river, gate and region joined in.

    ``sample_count`` annotates each with its number of samples (the pages show it); the API
    rows do not, and the count groups every sample of the scope before the first row.
    """
    points = MonitoringPoint.objects.visible_to(user).select_related(
        "river", "sluice_gate", "region"
    )
    if river is not None:
        points = points.filter(river=river)
    return points.annotate(sample_count=Count("samples")) if sample_count else points


def point_ids(*, user: User) -> list[int]:
    """The ids of the points the user may see, in the point list's order (their river's code,
    then position and code), in one query: the page counts them and takes its 50.

    A town's 525 among the district's 10,000: the scope (an OR of hashed subqueries over the
    small point table) is worked out once, where a count and a page of ids each did it again
    (13 and 14 ms before, on bench_big). Written out (``point_scope_parts``), not a queryset.
    """
    from core.scoping import EVERYWHERE, scope_code
    from monitoring.models import point_scope_parts

    code = scope_code(user)
    if code is None:
        return []
    where, params = "", []
    if code != EVERYWHERE:
        parts = point_scope_parts(code)
        where = "WHERE (" + " OR ".join(f'p."{c}" IN ({ids.sql})' for c, ids in parts) + ")"
        params = [p for _c, ids in parts for p in ids.params]
    sql = (
        f'SELECT p."id" FROM "{MonitoringPoint._meta.db_table}" p {where} '
        f'ORDER BY (SELECT r."code" FROM "{River._meta.db_table}" r WHERE r."id" = p."river_id"), '
        f'p."position", p."code"'
    )
    with connections[router.db_for_read(MonitoringPoint)].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# What a row of the point list prints (:func:`point_rows`).
POINT_ROW_FIELDS = (
    *("pk", "code", "name", "river_id", "position", "is_active", "latitude", "longitude"),
    *("responsible", "river__name", "sluice_gate__name", "region__name"),
)


def point_rows(*, ids: list[int]) -> list:
    """The points ``ids`` (the ids come through the scope already, :func:`point_ids`) in that
    order, as named tuples of ``POINT_ROW_FIELDS`` and ``sample_count``: the columns a list
    row prints, no point, river, gate and region models. One query.

    The count is a subquery per point, an index-only count of its samples, not a join of
    every sample grouped by all the row's columns (50 points: 3,005 -> ~350 buffers)."""
    if not ids:
        return []
    count = (
        Sample.objects.filter(point=OuterRef("pk"))
        .order_by()
        .values("point")
        .annotate(n=Count("*"))
        .values("n")
    )
    rows = (
        MonitoringPoint.objects.filter(pk__any=ids)
        .order_by()
        .annotate(sample_count=Coalesce(Subquery(count), 0))
        .values_list(*POINT_ROW_FIELDS, "sample_count", named=True)
    )
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def samples_for(
    *,
    user: User,
    river: River | None = None,
    point: MonitoringPoint | None = None,
    start=None,
    end=None,
):
    samples = Sample.objects.visible_to(user).select_related("point__river")
    if river is not None:
        samples = samples.filter(point__river=river)
    if point is not None:
        samples = samples.filter(point=point)
    if start is not None:
        samples = samples.filter(sampled_at__gte=start)
    if end is not None:
        samples = samples.filter(sampled_at__lt=end)
    return samples


# Items without a GB 3838 class are charted against the black-odour thresholds (2015 guideline).
ODOUR_CHART_LINES = {
    "transparency": [
        float(standards.TRANSPARENCY_LIGHT_CM),
        float(standards.TRANSPARENCY_SEVERE_CM),
    ],
    "orp": [float(standards.ORP_LIGHT), float(standards.ORP_SEVERE)],
}


def chart_series(*, river: River, start, end) -> dict:
    """Data for the river page's charts: each core item over time, per point, with limits.

    One query for the samples. Values are in canonical units; limits are GB 3838-2002 table 1
    for the river's water type (lakes: their own TP limits).
    """
    rows = (
        Sample.objects.filter(point__river=river, sampled_at__gte=start, sampled_at__lt=end)
        .order_by("sampled_at")
        .values_list("point_id", "sampled_at", *[p.code for p in standards.CORE_PARAMETERS])
    )
    series: dict[str, dict[int, list]] = {
        p.code: defaultdict(list) for p in standards.CORE_PARAMETERS
    }
    for point_id, sampled_at, *values in rows:
        stamp = int(sampled_at.timestamp() * 1000)
        for param, value in zip(standards.CORE_PARAMETERS, values, strict=True):
            if value is not None:
                series[param.code][point_id].append([stamp, value])
    charts = []
    for param in standards.CORE_PARAMETERS:
        limits = param.limits_for(river.water_type)
        odour_lines = ODOUR_CHART_LINES.get(param.code, [])
        charts.append(
            {
                "code": param.code,
                "name": param.label,
                "unit": param.unit,
                "sense": param.sense,
                "assessed": param.assessed_for(river.water_type),
                "limits": list(limits) if limits else [],
                "odour": odour_lines,
                "series": {str(pid): pts for pid, pts in series[param.code].items()},
            }
        )
    return {"charts": charts, "target_class": river.target_class}


def imports_for(*, user: User):
    """Import jobs of the office staff of the user's town (or of the user alone)."""
    from core.scoping import region_q

    return ImportJob.objects.select_related("created_by").filter(
        Q(created_by=user) | region_q(user, "created_by__region")
    )
