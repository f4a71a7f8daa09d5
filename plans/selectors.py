"""Reads shared by the plan pages, the API and the monthly letters."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise

from django.db.models import Avg, Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region, User
from core.scoping import EVERYWHERE, scope_code
from plans.models import Measure, Plan, Programme, ResponsibilityLetter
from rivers.models import River


def programmes_for(*, user: User):
    """Programmes run in the user's scope, or by a region above it (a district's plan)."""
    code = scope_code(user)
    if code is None:
        return Programme.objects.none()
    qs = Programme.objects.select_related("region")
    if code == EVERYWHERE:
        return qs
    ancestors = [code[:n] for n in (6, 9, 12) if n <= len(code)]
    return qs.filter(Q(region__code__startswith=code) | Q(region__code__in=ancestors))


def responsibility_letters_for(*, user: User, programme: Programme | None = None):
    """The letters signed against a programme (or any), by regions inside the user's scope.

    The page and the API both call this, so a village chief sees only the village's letter.
    """
    code = scope_code(user)
    qs = ResponsibilityLetter.objects.select_related("region")
    if programme is not None:
        qs = qs.filter(programme=programme)
    if code is None:
        return qs.none()
    return qs.filter(region__code__startswith=code) if code else qs


def plans_for(*, user: User, programme: Programme | None = None, river_id: int | None = None):
    qs = (
        Plan.objects.visible_to(user)
        .select_related("programme", "river", "region")
        .annotate(
            n_measures=Count("measures"),
            n_done=Count("measures", filter=Q(measures__status=Measure.Status.DONE)),
            n_overdue=Count(
                "measures",
                filter=Q(measures__deadline__lt=timezone.localdate())
                & ~Q(measures__status=Measure.Status.DONE),
            ),
            avg_progress=Avg("measures__progress"),
        )
    )
    if programme is not None:
        qs = qs.filter(programme=programme)
    if river_id is not None:
        qs = qs.filter(river_id=river_id)
    return qs


def plan_detail(*, user: User, pk: int) -> Plan:
    return (
        Plan.objects.visible_to(user)
        .select_related("programme", "river", "region")
        .prefetch_related(
            "targets",
            Prefetch(
                "measures",
                queryset=Measure.objects.select_related("owner_chief__user", "updated_by"),
            ),
        )
        .get(pk=pk)
    )


def measures_for(*, user: User):
    return Measure.objects.visible_to(user).select_related(
        "plan__programme", "plan__river", "owner_chief__user"
    )


def measures_owned_by(*, user: User):
    return (
        Measure.objects.filter(owner_chief__user=user)
        .select_related("plan__programme", "plan__river", "plan__region")
        .order_by("status", "deadline")
    )


def measure_timeline(*, measure: Measure):
    """Every saved state of the measure, newest first, with who changed it and the note."""
    rows = list(measure.history.select_related("history_user").order_by("-history_date"))
    for row in rows:
        row.progress_before = None
    for newer, older in pairwise(rows):
        newer.progress_before = older.progress
    return rows


@dataclass
class ProgressRow:
    key: int
    label: str
    code: str = ""
    plans: int = 0
    measures: int = 0
    done: int = 0
    overdue: int = 0
    progress_sum: int = 0
    plan_ids: list[int] = field(default_factory=list)

    @property
    def progress(self) -> float:
        return round(self.progress_sum / self.measures, 1) if self.measures else 0.0

    @property
    def done_share(self) -> float:
        return round(100 * self.done / self.measures, 1) if self.measures else 0.0


def programme_progress(*, user: User, programme: Programme, on: date | None = None) -> dict:
    """Progress of a programme's measures by plan (river), by village and in total.

    A town river counts towards every village it crosses. Five queries, whatever the size.
    """
    on = on or timezone.localdate()
    plans = list(plans_for(user=user, programme=programme).order_by("river__code", "region__code"))
    river_ids = [p.river_id for p in plans if p.river_id]
    villages_of: dict[int, set[int]] = defaultdict(set)
    for river_id, region_id in River.regions.through.objects.filter(
        river_id__in=river_ids, region__kind=Region.Kind.VILLAGE
    ).values_list("river_id", "region_id"):
        villages_of[river_id].add(region_id)
    sums = defaultdict(int)
    overdue = defaultdict(int)
    for plan_id, progress, status, deadline in Measure.objects.filter(
        plan__in=[p.pk for p in plans]
    ).values_list("plan_id", "progress", "status", "deadline"):
        sums[plan_id] += progress
        if status != Measure.Status.DONE and deadline < on:
            overdue[plan_id] += 1
    total = ProgressRow(key=programme.pk, label=programme.name)
    by_plan = []
    villages: dict[int, ProgressRow] = {}
    village_names = {
        r.pk: r
        for r in Region.objects.filter(
            kind=Region.Kind.VILLAGE, code__startswith=programme.region.code
        )
    }
    for plan in plans:
        row = ProgressRow(
            key=plan.pk,
            label=plan.river.name if plan.river else _("%(r)s小微水体") % {"r": plan.region.name},
            code=plan.river.code if plan.river else plan.region.code,
            plans=1,
            measures=plan.n_measures,
            done=plan.n_done,
            overdue=overdue[plan.pk],
            progress_sum=sums[plan.pk],
            plan_ids=[plan.pk],
        )
        row.plan = plan
        by_plan.append(row)
        targets = set(villages_of.get(plan.river_id, ())) if plan.river_id else set()
        if plan.region_id in village_names:
            targets.add(plan.region_id)
        for village_id in targets:
            region = village_names.get(village_id)
            if region is None:
                continue
            v = villages.setdefault(
                village_id, ProgressRow(key=village_id, label=region.name, code=region.code)
            )
            _add(v, row)
        _add(total, row)
    signed = set(
        ResponsibilityLetter.objects.filter(programme=programme).values_list("region_id", flat=True)
    )
    by_village = sorted(villages.values(), key=lambda r: r.code)
    for row in by_village:
        row.signed = row.key in signed
    return {
        "total": total,
        "by_plan": by_plan,
        "by_village": by_village,
        "letters_signed": len(signed),
    }


def _add(into: ProgressRow, row: ProgressRow) -> None:
    into.plans += row.plans
    into.measures += row.measures
    into.done += row.done
    into.overdue += row.overdue
    into.progress_sum += row.progress_sum
    into.plan_ids.extend(row.plan_ids)


def measure_progress_for_rivers(
    *, river_ids, at: datetime | None = None, region_code: str = ""
) -> dict[int, dict]:
    """``{river_id: {"measures", "done", "overdue", "progress"}}`` over every plan of the river,
    as the measures stood at ``at`` (now by default), read from their history.

    ``region_code``: only the plans of that region, and measures owned by its chiefs, count (a
    town's letter on a river another town owns).

    One query; rivers without a plan are absent. ``progress`` is the mean over the measures;
    a measure is overdue when its deadline passed before ``at``'s day and it was not done.
    """
    at = at or timezone.now()
    day = timezone.localdate(at)
    latest: dict[int, tuple] = {}
    history = Measure.history.filter(plan__river_id__in=list(river_ids), history_date__lt=at)
    if region_code:
        history = history.filter(
            Q(plan__region__code__startswith=region_code)
            | Q(owner_chief__region__code__startswith=region_code)
        )
    rows = history.order_by("id", "history_date", "history_id").values_list(
        "id", "plan__river_id", "history_type", "progress", "status", "deadline"
    )
    for row in rows:
        latest[row[0]] = row
    out: dict[int, dict] = {}
    for _id, river_id, kind, progress, status, deadline in latest.values():
        if kind == "-":
            continue
        agg = out.setdefault(river_id, {"measures": 0, "done": 0, "overdue": 0, "sum": 0})
        agg["measures"] += 1
        agg["sum"] += progress
        if status == Measure.Status.DONE:
            agg["done"] += 1
        elif deadline < day:
            agg["overdue"] += 1
    return {
        river_id: {
            "measures": agg["measures"],
            "done": agg["done"],
            "overdue": agg["overdue"],
            "progress": round(agg["sum"] / agg["measures"], 1),
        }
        for river_id, agg in out.items()
    }
