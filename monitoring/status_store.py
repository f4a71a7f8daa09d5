"""Stored river statuses: each river's month, quarter and year computed once, not per request.

``selectors.river_status`` reads a period's statuses from ``RiverPeriodStatus`` and computes
(and stores) only the rivers missing. A stored row is deleted as soon as anything it was
computed from may have changed, so a read never finds a stale one:

- a sample added, changed or deleted: the rows of its river whose period, or whose previous
  period (the trend), contains the sample's day (:func:`samples_changed`, called by the
  sample services and, for single saves and deletes, by the signals in ``monitoring.signals``);
- a point added, deleted, moved to another river, along the river (its order decides the
  black-odour runs) or retired, a river's target class or water type changed: every row of
  the river (:func:`rivers_changed`).

After the change commits, ``tasks.refresh_river_status`` computes the deleted rows again
(:func:`refresh`), so the pages find them stored; a nightly beat entry stores the recent
months of every monitored river (:func:`warm`).

A request that computed a row from data read before a change, and stores it after the change
deleted the rows, would store a stale row; the row then loses to the refresh, which started
after the change: a row is only ever replaced by one whose computation started later
(``computed_at``, see :func:`_upsert`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connections, router
from django.db.models import Count, Q
from django.utils import timezone

from core.lookups import IdArray
from monitoring import standards
from monitoring.models import MonitoringPoint, RiverPeriodStatus
from monitoring.periods import Period
from monitoring.standards import Odour

# Bump when the computation changes (monitoring.standards, selectors.compute_river_status):
# rows of an older basis are then not read, and are replaced as they are computed again.
VERSION = 1
CHUNK = 2000  # rivers a query (SQLite's variable limit; PostgreSQL's plan size)
WARM_MONTHS = 13  # the dashboard's twelve complete months and the current one


def basis() -> str:
    """The rules a status is computed under: the code's version and the DO Class I rule."""
    return f"{VERSION}/{standards.do_rule()}"


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- reading ------------------------------------------------------------------------------


def _stored(river_ids: list[int], period: Period):
    return RiverPeriodStatus.objects.filter(
        period_start=period.start, period_end=period.end, basis=basis(), river_id__any=river_ids
    )


def statuses(*, river_ids: Iterable[int], period: Period) -> dict:
    """Each river's status over ``period`` (a month, quarter or year): stored rows, and the
    missing ones computed and stored. One query when all are stored, four otherwise."""
    from monitoring.selectors import RiverStatus

    river_ids = list(dict.fromkeys(river_ids))
    out = {}
    for chunk in _chunks(river_ids):
        started = timezone.now()
        for river_id, detail in _stored(chunk, period).values_list("river_id", "detail"):
            out[river_id] = RiverStatus.from_dict(river_id, detail)
        missing = [i for i in chunk if i not in out]
        if missing:
            out.update(_compute_and_store(missing, period, started))
    return out


def _periods_q(periods: list[Period]) -> Q:
    q = Q(pk__in=[])
    for p in periods:
        q |= Q(period_start=p.start, period_end=p.end)
    return q


def ensure(*, river_ids: Iterable[int], periods: Iterable[Period]) -> int:
    """Store the statuses of the rivers over the periods that are not stored yet; returns how
    many were computed. One query when all are stored (whatever the number of periods)."""
    river_ids = list(dict.fromkeys(river_ids))
    periods = list(dict.fromkeys(periods))
    computed = 0
    for chunk in _chunks(river_ids):
        started = timezone.now()
        stored = dict.fromkeys(((p.start, p.end) for p in periods), 0)
        for start, end, n in (
            RiverPeriodStatus.objects.filter(
                _periods_q(periods), basis=basis(), river_id__any=IdArray(chunk)
            )
            .values_list("period_start", "period_end")
            .annotate(n=Count("id"))
            .order_by()
        ):
            stored[(start, end)] = n
        for period in periods:
            n = stored[(period.start, period.end)]
            if n >= len(chunk):
                continue
            have = set(_stored(chunk, period).values_list("river_id", flat=True)) if n else ()
            missing = [i for i in chunk if i not in have]
            if missing:
                computed += len(_compute_and_store(missing, period, started))
    return computed


@dataclass(frozen=True)
class Brief:
    """The two figures a map colours a river by (``RiverStatus``'s fields of the same name)."""

    water_class: int | None
    black_odour: Odour | None

    @property
    def class_label(self) -> str:
        return standards.class_label(self.water_class)


def briefs(*, river_ids: Iterable[int], period: Period) -> dict[int, Brief]:
    """Each river's class and black-odour level over ``period`` from the stored statuses (the
    missing ones computed and stored first), without reading their detail: the map colours
    thousands of rivers. Two queries when all are stored."""
    river_ids = list(dict.fromkeys(river_ids))
    ensure(river_ids=river_ids, periods=[period])
    out = {}
    for chunk in _chunks(river_ids):
        for river_id, water_class, odour in _stored(chunk, period).values_list(
            "river_id", "water_class", "black_odour"
        ):
            out[river_id] = Brief(water_class, None if odour is None else Odour(odour))
    return out


def class_counts(*, river_ids: Iterable[int], periods: list[Period]) -> dict[Period, dict]:
    """Per period: rivers by class (1..6) and black-odorous rivers, from the stored rows.

    What the dashboard's trend needs, counted by the database: two queries once every status
    is stored (one to check that they are, one to count).
    """
    river_ids = list(dict.fromkeys(river_ids))
    ensure(river_ids=river_ids, periods=periods)
    out = {p: {"by_class": dict.fromkeys(range(1, 7), 0), "black_odour": 0} for p in periods}
    by_start = {(p.start, p.end): p for p in periods}
    for chunk in _chunks(river_ids):
        rows = (
            RiverPeriodStatus.objects.filter(
                _periods_q(periods), basis=basis(), river_id__any=chunk
            )
            .values("period_start", "period_end", "water_class")
            .annotate(n=Count("id"), odorous=Count("id", filter=Q(black_odour__gt=0)))
            .order_by()
        )
        for row in rows:
            counts = out[by_start[(row["period_start"], row["period_end"])]]
            if row["water_class"]:
                counts["by_class"][row["water_class"]] += row["n"]
            counts["black_odour"] += row["odorous"]
    return out


# --- writing ------------------------------------------------------------------------------


def _compute_and_store(river_ids: list[int], period: Period, started: datetime) -> dict:
    from monitoring.selectors import compute_river_status

    computed = compute_river_status(
        river_ids=river_ids, period_start=period.start, period_end=period.end
    )
    _upsert(computed.values(), period, started)
    return computed


def _row(status, period: Period, computed_at: datetime, rules: str) -> RiverPeriodStatus:
    return RiverPeriodStatus(
        river_id=status.river_id,
        period_start=period.start,
        period_end=period.end,
        previous_start=period.previous().start,
        basis=rules,
        water_class=status.water_class,
        target_class=status.target_class,
        meets_target=status.meets_target,
        black_odour=status.black_odour,
        previous_class=status.previous_class,
        trend=status.trend,
        quality=status.quality,
        method=status.method,
        point_count=status.point_count,
        sample_count=status.sample_count,
        detail=status.to_dict(),
        computed_at=computed_at,
    )


UNIQUE = ("period_start", "period_end", "river_id")


def _upsert(statuses, period: Period, computed_at: datetime) -> None:
    """Insert the rows, or replace stored ones computed before ``computed_at`` (and only
    those: a computation that started earlier may have read data a later one saw changed).

    ``INSERT .. ON CONFLICT .. DO UPDATE .. WHERE``: the same statement on PostgreSQL and
    SQLite (3.24+); ``bulk_create(update_conflicts=True)`` has no such condition.
    """
    rules = basis()
    rows = [_row(s, period, computed_at, rules) for s in statuses]
    if not rows:
        return
    alias = router.db_for_write(RiverPeriodStatus)
    connection = connections[alias]
    meta = RiverPeriodStatus._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    updates = ", ".join(
        f"{qn(f.column)} = excluded.{qn(f.column)}" for f in fields if f.column not in UNIQUE
    )
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Each statement stands on its own (a row is right or replaced later): no transaction.
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 500):
            params = [
                f.get_db_prep_save(getattr(row, f.attname), connection)
                for row in chunk
                for f in fields
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))} "
                f"ON CONFLICT ({', '.join(qn(c) for c in UNIQUE)}) DO UPDATE SET {updates} "
                f"WHERE {table}.{qn('computed_at')} <= excluded.{qn('computed_at')}",
                params,
            )


# --- invalidation -------------------------------------------------------------------------


def samples_changed(*, river_days: dict[int, set[date]], refresh_after: bool = True) -> int:
    """Delete the stored statuses that samples on these rivers and days may change, and have
    them computed again once the change commits. ``river_days``: river id -> local days of the
    samples (for a changed sample, its days and rivers before and after). Returns rows deleted.

    One statement a month of samples (an import: a handful): the rows of the month's rivers
    whose period, or previous period, holds a day between the month's first and last sample
    day, give or take a day (a period's bounds are local days; the extra day keeps a
    time-zone edge on the safe side).
    """
    months: dict[tuple[int, int], list] = {}
    for river_id, days in river_days.items():
        if river_id is None:
            continue
        for day in days:
            rivers, first, last = months.setdefault((day.year, day.month), [set(), day, day])
            rivers.add(river_id)
            months[(day.year, day.month)] = [rivers, min(first, day), max(last, day)]
    deleted = 0
    for rivers, first, last in months.values():
        window = Q(
            previous_start__lte=last + timedelta(days=1),
            period_end__gte=first - timedelta(days=1),
        )
        for chunk in _chunks(sorted(rivers)):
            deleted += RiverPeriodStatus.objects.filter(window, river_id__in=chunk).delete()[0]
    if refresh_after:
        _refresh_on_commit(river_days)
    return deleted


def rivers_changed(*, river_ids: Iterable[int]) -> int:
    """Delete every stored status of these rivers (a point or the river itself changed)."""
    river_ids = [i for i in set(river_ids) if i is not None]
    deleted = 0
    for chunk in _chunks(river_ids):
        deleted += RiverPeriodStatus.objects.filter(river_id__in=chunk).delete()[0]
    return deleted


def sample_days(samples: Iterable) -> dict[int, set[date]]:
    """River id -> local days of the samples (their ``point`` loaded, as a service has it)."""
    out: dict[int, set[date]] = defaultdict(set)
    for sample in samples:
        out[sample.point.river_id].add(timezone.localdate(sample.sampled_at))
    return out


def river_days_of(by_point: dict[int, set[date]]) -> dict[int, set[date]]:
    """Point id -> days, turned into river id -> days (one query)."""
    rivers = dict(
        MonitoringPoint.objects.filter(pk__in=list(by_point)).values_list("pk", "river_id")
    )
    out: dict[int, set[date]] = defaultdict(set)
    for point_id, days in by_point.items():
        if rivers.get(point_id) is not None:
            out[rivers[point_id]] |= days
    return out


# --- computing ahead ----------------------------------------------------------------------


def periods_touched(day: date) -> list[Period]:
    """The stored periods a sample on ``day`` changes: its month, quarter and year, and the
    next of each (whose trend compares with them)."""
    month = Period.month(day.year, day.month)
    quarter = Period.quarter(day.year, (day.month - 1) // 3 + 1)
    year = Period.year(day.year)
    nxt = month.end + timedelta(days=1)
    next_quarter_day = quarter.end + timedelta(days=1)
    return [
        month,
        Period.month(nxt.year, nxt.month),
        quarter,
        Period.quarter(next_quarter_day.year, (next_quarter_day.month - 1) // 3 + 1),
        year,
        Period.year(day.year + 1),
    ]


def _refresh_on_commit(river_days: dict[int, set[date]]) -> None:
    from monitoring.tasks import refresh_river_status

    by_period: dict[str, set[int]] = defaultdict(set)
    for river_id, days in river_days.items():
        for day in days:
            for period in periods_touched(day):
                by_period[period.key].add(river_id)
    if by_period:
        refresh_river_status.delay_on_commit(
            {key: sorted(rivers) for key, rivers in by_period.items()}
        )


def refresh(*, rivers_by_period: dict[str, list[int]], today: date | None = None) -> int:
    """Store the statuses of these rivers and periods (those not stored: a refresh after a
    change finds them deleted; a repeated task finds them stored and computes nothing).
    Periods that have not started are left out. Returns how many were computed."""
    today = today or timezone.localdate()
    computed = 0
    for key, river_ids in sorted(rivers_by_period.items()):
        period = Period.parse(key)
        if period.start <= today:
            computed += ensure(river_ids=river_ids, periods=[period])
    return computed


def monitored_river_ids() -> list[int]:
    return list(
        MonitoringPoint.objects.filter(is_active=True, river__isnull=False)
        .values_list("river_id", flat=True)
        .distinct()
        .order_by("river_id")
    )


def recent_months(*, months: int = WARM_MONTHS, today: date | None = None) -> list[str]:
    """The current month and the ones before it, newest first, as period keys."""
    period = Period.current("month", today=today or timezone.localdate())
    keys = []
    for _ in range(months):
        keys.append(period.key)
        period = period.previous()
    return keys


def warm(*, period: str) -> int:
    """Store ``period``'s statuses of every monitored river (beat, nightly, a task a month:
    the dashboard's twelve complete months and the current one). Returns how many were
    computed: none when they are all stored."""
    return ensure(river_ids=monitored_river_ids(), periods=[Period.parse(period)])
