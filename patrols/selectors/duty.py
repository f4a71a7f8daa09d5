"""Patrol duty: done versus required for each chief and month.

The duty page, its Excel export and the monthly letters all call :func:`duty_for`, so their
figures cannot disagree. It runs a constant number of queries for any number of chiefs.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Max, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.choices import ChiefLevel
from core.models import Region
from patrols.models import DutyRule, Patrol
from patrols.periods import Span, local_day, local_range, month_bounds, spans_for_month
from rivers.models import Chief, ChiefAssignment


@dataclass
class PeriodDuty:
    span: Span
    required: int
    done: int
    rule: DutyRule
    river_id: int | None = None
    over: bool = True  # the period has ended (as of the computation)

    @property
    def short(self) -> bool:
        return self.over and self.done < self.required


@dataclass
class Duty:
    chief_id: int
    month: date
    done: int = 0  # counting patrols started in the month (local time)
    required: int = 0  # patrols the rules ask for in the periods belonging to the month
    periods: list[PeriodDuty] = field(default_factory=list)

    @property
    def behind(self) -> bool:
        """Some period that has ended had fewer counting patrols than its rule asks."""
        return any(p.short for p in self.periods)

    @property
    def missed(self) -> list[PeriodDuty]:
        return [p for p in self.periods if p.short]


def active_rules() -> list[DutyRule]:
    """Every active rule with its region: what :func:`rules_for` and :func:`duty_for` choose
    from (a page that calls both reads them once and passes them)."""
    return list(DutyRule.objects.filter(is_active=True).select_related("region").order_by("pk"))


def rules_in_force(rules: Iterable[DutyRule], *, level: str, code: str) -> list[DutyRule]:
    """The rules of ``level`` that apply in the region ``code``.

    Rules belong to a region: the most specific one holding any rule of the level wins (a
    town's rules replace its district's, which replace the defaults with no region), so one
    town's office changing its duty never changes another town's.
    """
    best, chosen = -1, []
    for rule in rules:
        if rule.level != level:
            continue
        own = rule.region.code if rule.region_id else ""
        if not code.startswith(own):
            continue
        if len(own) > best:
            best, chosen = len(own), [rule]
        elif len(own) == best:
            chosen.append(rule)
    return chosen


def rules_for(*, region, rules: list[DutyRule] | None = None) -> list[DutyRule]:
    """Every rule in force in ``region`` (all levels), for the rules and duty pages, chosen
    from ``rules`` (default :func:`active_rules`)."""
    rules = active_rules() if rules is None else rules
    code = region.code if region is not None else ""
    return [r for level in ChiefLevel.values for r in rules_in_force(rules, level=level, code=code)]


def duty_for(
    *,
    chiefs: Iterable[Chief | int],
    month: date,
    at: datetime | None = None,
    snapshot: bool = False,
    rules: list[DutyRule] | None = None,
) -> dict[int, Duty]:
    """Duty of each chief for ``month`` (any day of it), keyed by chief id.

    Counted per chief over all their rivers unless a rule says per river. Rejected and
    unfinished patrols do not count; flagged ones do until the office rejects them. A period
    that has not ended by ``at`` (default now) is never "behind" yet.
    A chief with no river assigned during the month is asked for nothing.
    ``snapshot``: count the patrols as the records stood at ``at`` (a monthly letter): entered
    or finished after it, they do not count yet; rejected after it, they still do.
    ``rules``: :func:`active_rules`, when the caller has read them already.
    Queries: chiefs (only if ids are given), rules (unless given), assignments, patrols: at
    most four, whatever the number of chiefs.
    """
    chiefs = list(chiefs)
    if chiefs and not isinstance(chiefs[0], Chief):
        chiefs = list(Chief.objects.filter(pk__in=chiefs))
    month = month.replace(day=1)
    first, last = month_bounds(month)
    today = local_day(at or timezone.now())
    rules = active_rules() if rules is None else rules
    result = {c.pk: Duty(chief_id=c.pk, month=month) for c in chiefs}
    if not chiefs:
        return result
    # Rules depend on the chief's town: one query for the region codes, unless already loaded.
    if all(Chief.region.is_cached(c) for c in chiefs):
        codes_by_id = {c.region_id: c.region.code for c in chiefs}
    else:
        codes_by_id = dict(
            Region.objects.filter(pk__in={c.region_id for c in chiefs}).values_list("pk", "code")
        )

    plans: list[tuple[int, DutyRule, Span, int | None]] = []
    # Which river a patrol or an assignment concerns matters only to a rule per river or for
    # one river; without such a rule (bench_big's defaults) the database sums per chief.
    by_river = any(r.per_river or r.river_id is not None for r in rules)
    # A chief with no river assigned during the month has nothing to patrol.
    rivers_of: dict[int, set[int]] = defaultdict(set)
    # When the chief's responsibility began and ended: periods wholly outside it ask nothing.
    since: dict[int, date] = {}
    until: dict[int, date | None] = {}
    # In no order: the assignments' default one (by river code) joined and sorted the town's
    # rivers for nothing (2,500 rows of a town of bench_big: 52 ms -> 1 ms, EXPLAIN ANALYZE).
    current = (
        ChiefAssignment.objects.filter(chief_id__in=[c.pk for c in chiefs], start_date__lte=last)
        .exclude(end_date__lt=first)
        .order_by()
    )
    if by_river:
        for chief_id, river_id, start_date, end_date in current.values_list(
            "chief_id", "river_id", "start_date", "end_date"
        ):
            rivers_of[chief_id].add(river_id)
            since[chief_id] = min(since.get(chief_id, start_date), start_date)
            if chief_id not in until or until[chief_id] is not None:
                until[chief_id] = (
                    None if end_date is None else max(until.get(chief_id) or end_date, end_date)
                )
    else:
        # One row a chief, not one an assignment (a town's 2,580 on bench_big).
        spans = current.values_list("chief_id").annotate(
            since=Min("start_date"),
            until=Max("end_date"),
            open=Count("pk", filter=Q(end_date__isnull=True)),
        )
        for chief_id, start_date, end_date, still_open in spans:
            rivers_of[chief_id].add(0)  # some river, no matter which
            since[chief_id] = start_date
            until[chief_id] = None if still_open else end_date

    for chief in chiefs:
        if not rivers_of[chief.pk]:
            continue
        in_force = rules_in_force(rules, level=chief.level, code=codes_by_id[chief.region_id])
        for rule in in_force:
            if not rule.in_season(month.month):
                continue
            for span in spans_for_month(rule.period, month):
                if span.end < since[chief.pk] or (
                    until[chief.pk] is not None and span.start > until[chief.pk]
                ):
                    continue
                if rule.river_id is not None:
                    plans.append((chief.pk, rule, span, rule.river_id))
                elif rule.per_river:
                    for river_id in sorted(rivers_of[chief.pk]):
                        plans.append((chief.pk, rule, span, river_id))
                else:
                    plans.append((chief.pk, rule, span, None))

    earliest = min([first, *(p[2].start for p in plans)])
    start, end = local_range(earliest, last)
    # The local day worked out and the patrols of a day counted by the database: dates, not
    # timestamps, loaded (psycopg's timestamp loading was a sixth of the duty page's Python).
    by_chief: dict[int, list[tuple[int | None, date, int]]] = defaultdict(list)
    fields = ("chief_id", "river_id") if by_river else ("chief_id",)
    rows = (
        Patrol.objects.counting(at=at if snapshot else None)
        .filter(chief_id__in=list(result), started_at__gte=start, started_at__lt=end)
        .annotate(day=TruncDate("started_at"))
        .order_by()
        .values_list(*fields, "day")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        chief_id, day, n = row[0], row[-2], row[-1]
        by_chief[chief_id].append((row[1] if by_river else None, day, n))
        if first <= day <= last:
            result[chief_id].done += n

    for chief_id, rule, span, river_id in plans:
        lo, hi = span.start, span.end
        done = sum(
            n
            for r, day, n in by_chief[chief_id]
            if lo <= day <= hi and (river_id is None or r == river_id)
        )
        duty = result[chief_id]
        duty.required += rule.times
        duty.periods.append(
            PeriodDuty(
                span=span,
                required=rule.times,
                done=done,
                rule=rule,
                river_id=river_id,
                over=span.end < today,
            )
        )
    return result
