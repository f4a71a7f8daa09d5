"""Monthly assessment (考核) of chiefs and villages, computed from the records.

Items, weights and bands are the office's rules (:class:`AssessmentRules`), versioned by the
month they apply from. The defaults follow shared/reference/patrol-rules.md: patrol duty is the
heaviest item (town chiefs once a month, village chiefs once a week, counted per chief), and
the rankings are for the office's eyes only ("no points rankings pushed at chiefs").

Every figure is taken **as at** the first moment after the month (Asia/Shanghai): patrols
started in the month, orders and plan measures due in the month and done by then, letters of
the month's batch read by then. Each item keeps the records behind it, so a score can be
followed down to the patrols, orders, rivers, measures and letters that made it.

Computing a month replaces that month's scorecards of the town in one transaction, so running
it twice gives the same result (the beat job and a "recompute" press share it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Region, User
from core.scoping import require_region_in_scope
from directives.models import Directive
from letters.models import Letter
from monitoring.selectors import BETTER, river_status
from overview.models import AssessmentRules, Scorecard
from patrols.models import Patrol
from patrols.selectors import duty_for
from plans.models import Measure
from rivers.models import Chief, ChiefAssignment

# Items the rules may weigh, in the order the scorecard shows them.
ITEMS = {
    "patrol_duty": gettext_lazy("巡河履职"),
    "orders_on_time": gettext_lazy("督办单按期整改"),
    "water_quality": gettext_lazy("水质达标与改善"),
    "measures_on_time": gettext_lazy("一河一策措施按期完成"),
    "letters_read": gettext_lazy("河长信阅读"),
}
# Defaults (shared/reference/patrol-rules.md): patrol duty weighs most; the office changes all.
DEFAULT_ITEMS = [
    {"key": "patrol_duty", "weight": 40},
    {"key": "orders_on_time", "weight": 20},
    {"key": "water_quality", "weight": 20},
    {"key": "measures_on_time", "weight": 10},
    {"key": "letters_read", "weight": 10},
]
DEFAULT_BANDS = [
    {"min": 90, "label": "优秀"},
    {"min": 75, "label": "良好"},
    {"min": 60, "label": "合格"},
    {"min": 0, "label": "不合格"},
]
DEFAULT_FROM = date(2018, 1, 1)


def month_moments(month: date) -> tuple[datetime, datetime, date]:
    """First moment of the month, first moment after it (the "as at"), and its last day."""
    tz = ZoneInfo(settings.TIME_ZONE)
    first = month.replace(day=1)
    following = (first.replace(day=28) + 4 * date.resolution).replace(day=1)
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(following, time.min, tzinfo=tz),
        following - date.resolution,
    )


def rules_for(*, town: Region, month: date) -> AssessmentRules:
    """The rules in force for ``month``: the town's latest version from that month or before,
    else the default's; the built-in defaults are stored the first time they are needed."""
    month = month.replace(day=1)
    candidates = list(
        AssessmentRules.objects.filter(Q(town=town) | Q(town__isnull=True), valid_from__lte=month)
    )
    own = [r for r in candidates if r.town_id == town.pk]
    if own:
        return max(own, key=lambda r: (r.valid_from, r.pk))
    if candidates:
        return max(candidates, key=lambda r: (r.valid_from, r.pk))
    rules, _created = AssessmentRules.objects.get_or_create(
        town=None,
        valid_from=DEFAULT_FROM,
        defaults={
            "items": DEFAULT_ITEMS,
            "bands": DEFAULT_BANDS,
            "note": "shared/reference/patrol-rules.md",
        },
    )
    return rules


@dataclass
class Tally:
    """One item of one subject: ``num`` of ``den`` and the records behind them."""

    num: float = 0
    den: float = 0
    records: list[dict] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.num += other.num
        self.den += other.den
        self.records += other.records


def _record(kind: str, pk: int, label: str, ok, detail: str = "") -> dict:
    return {"kind": kind, "id": pk, "label": label, "ok": ok, "detail": detail}


def _score(rules: AssessmentRules, tallies: dict[str, Tally]) -> tuple[Decimal | None, list]:
    items, weighted, weights = [], 0.0, 0
    for key, weight in rules.weights().items():
        tally = tallies.get(key, Tally())
        pct = round(100 * tally.num / tally.den, 1) if tally.den else None
        if pct is not None and weight:
            weighted += weight * pct
            weights += weight
        items.append(
            {
                "key": key,
                "weight": weight,
                "num": tally.num,
                "den": tally.den,
                "score": pct,
                "records": tally.records,
            }
        )
    if not weights:
        return None, items
    return Decimal(str(round(weighted / weights, 1))), items


def _tallies(
    *, chiefs: list[Chief], month: date, start: datetime, as_at: datetime, last: date
) -> dict[int, dict[str, Tally]]:
    """Every item for every chief, in a constant number of queries."""
    ids = [c.pk for c in chiefs]
    out: dict[int, dict[str, Tally]] = {c.pk: defaultdict(Tally) for c in chiefs}

    # Patrol duty (patrols' own duty_for, as at the end of the month).
    duties = duty_for(chiefs=chiefs, month=month, at=as_at)
    patrols = (
        Patrol.objects.counting()
        .filter(chief_id__in=ids, started_at__gte=start, started_at__lt=as_at)
        .values_list("id", "chief_id", "started_at", "river__name")
        .order_by("started_at")
    )
    for pk, chief_id, started_at, river in patrols:
        out[chief_id]["patrol_duty"].records.append(
            _record("patrol", pk, river, True, f"{timezone.localtime(started_at):%m-%d %H:%M}")
        )
    for chief_id, duty in duties.items():
        tally = out[chief_id]["patrol_duty"]
        tally.num, tally.den = min(duty.done, duty.required), duty.required

    # Orders due in the month: rectified (verified) by their deadline, as known at month end.
    orders = Directive.objects.filter(
        target_chief_id__in=ids, deadline__gte=month, deadline__lte=last, issued_on__lte=last
    ).values_list("id", "target_chief_id", "title", "deadline", "rectified_at")
    for pk, chief_id, title, deadline, rectified_at in orders:
        on_time = bool(
            rectified_at and rectified_at < as_at and timezone.localdate(rectified_at) <= deadline
        )
        tally = out[chief_id]["orders_on_time"]
        tally.den += 1
        tally.num += on_time
        tally.records.append(_record("order", pk, title, on_time, f"{deadline:%m-%d}"))

    # Water quality of the chief's rivers in the month: meets its target (1), or is better than
    # the month before (½), else 0 (monitoring's river_status, GB 3838-2002 classes).
    rivers_of: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for chief_id, river_id, name in ChiefAssignment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=month), chief_id__in=ids, start_date__lte=last
    ).values_list("chief_id", "river_id", "river__name"):
        rivers_of[chief_id].add(river_id)
        names[river_id] = name
    statuses = river_status(river_ids=list(names), period_start=month, period_end=last)
    for chief_id, river_ids in rivers_of.items():
        tally = out[chief_id]["water_quality"]
        for river_id in sorted(river_ids):
            status = statuses.get(river_id)
            if status is None or status.water_class is None:
                continue
            value = 1.0 if status.meets_target else 0.5 if status.trend == BETTER else 0.0
            tally.den += 1
            tally.num += value
            tally.records.append(
                _record(
                    "river",
                    river_id,
                    names[river_id],
                    value,
                    f"{status.class_label} / {_('目标')} {status.target_class}",
                )
            )

    # Plan measures the chief owns, due in the month: done by the deadline, as at month end.
    measures = Measure.objects.filter(
        owner_chief_id__in=ids, deadline__gte=month, deadline__lte=last
    ).values_list("id", "owner_chief_id", "title", "deadline", "status", "updated_at")
    for pk, chief_id, title, deadline, status, updated_at in measures:
        done = (
            status == Measure.Status.DONE
            and updated_at < as_at
            and timezone.localdate(updated_at) <= deadline
        )
        tally = out[chief_id]["measures_on_time"]
        tally.den += 1
        tally.num += done
        tally.records.append(_record("measure", pk, title, done, f"{deadline:%m-%d}"))

    # The month's letter (the batch sent in the month): read by the end of the month.
    letters = Letter.objects.filter(
        chief_id__in=ids, batch__month=month, status=Letter.Status.SENT
    ).values_list("id", "chief_id", "subject", "read_at")
    for pk, chief_id, subject, read_at in letters:
        read = bool(read_at and read_at < as_at)
        tally = out[chief_id]["letters_read"]
        tally.den += 1
        tally.num += read
        tally.records.append(_record("letter", pk, subject, read))
    return out


def require_assessor(user: User, town: Region) -> None:
    """The office of the town (or an administrator) computes its scorecards."""
    if not (user.is_superuser or (user.role == User.Role.OFFICE and user.region_id == town.pk)):
        raise PermissionDenied(_("只有本镇河长办可以计算考核"))
    require_region_in_scope(user, town)


@transaction.atomic
def compute_scorecards(
    *, town: Region, month: date, by: User | None = None, at: datetime | None = None
) -> dict:
    """Compute (or recompute) ``town``'s scorecards of ``month`` for every chief and village.

    Only a month that is over can be assessed. Replaces the month's scorecards of the town,
    so a second run changes nothing. Returns counts for the caller.
    """
    if by is not None:
        require_assessor(by, town)
    month = month.replace(day=1)
    start, as_at, last = month_moments(month)
    if as_at > (at or timezone.now()):
        raise ValidationError({"month": [_("该月尚未结束，不能考核")]})
    rules = rules_for(town=town, month=month)
    chiefs = list(
        Chief.objects.filter(region__code__startswith=town.code)
        .active()
        .select_related("region", "user")
    )
    tallies = _tallies(chiefs=chiefs, month=month, start=start, as_at=as_at, last=last)
    now = timezone.now()
    cards = []
    villages: dict[int, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for chief in chiefs:
        score, items = _score(rules, tallies[chief.pk])
        cards.append(
            Scorecard(
                town=town,
                month=month,
                subject=Scorecard.Subject.CHIEF,
                chief=chief,
                rules=rules,
                score=score,
                band=rules.band_for(score) if score is not None else "",
                items=items,
                computed_at=now,
            )
        )
        if chief.region.kind == Region.Kind.VILLAGE:
            for key, tally in tallies[chief.pk].items():
                villages[chief.region_id][key].add(tally)
    for village_id, village_tallies in villages.items():
        score, items = _score(rules, village_tallies)
        cards.append(
            Scorecard(
                town=town,
                month=month,
                subject=Scorecard.Subject.VILLAGE,
                village_id=village_id,
                rules=rules,
                score=score,
                band=rules.band_for(score) if score is not None else "",
                items=items,
                computed_at=now,
            )
        )
    Scorecard.objects.filter(town=town, month=month).delete()
    Scorecard.objects.bulk_create(cards)
    return {"town": town.code, "month": f"{month:%Y-%m}", "scorecards": len(cards)}


def compute_month_for_all_towns(*, month: date, at: datetime | None = None) -> list[dict]:
    """The beat job's work: every town's scorecards of ``month``."""
    return [
        compute_scorecards(town=town, month=month, at=at)
        for town in Region.objects.filter(kind=Region.Kind.TOWN).order_by("code")
    ]


@transaction.atomic
def create_rules_version(
    *, user: User, town: Region, valid_from: date, weights: dict[str, int], bands: list[dict],
    note: str = "",
) -> AssessmentRules:  # fmt: skip
    """A new version of ``town``'s rules from ``valid_from`` on (a month not yet over), so the
    scores of closed months keep the rules they were computed with."""
    require_assessor(user, town)
    valid_from = valid_from.replace(day=1)
    errors: dict[str, list[str]] = {}
    if valid_from < timezone.localdate().replace(day=1):
        errors["valid_from"] = [_("不能修改已结束月份的规则")]
    unknown = set(weights) - set(ITEMS)
    if unknown or any(w < 0 for w in weights.values()):
        errors["weights"] = [_("权重须为非负整数")]
    elif sum(weights.values()) != 100:
        errors["weights"] = [_("权重合计须为 100")]
    mins = [b.get("min") for b in bands]
    if not bands or any(not isinstance(m, int | float) or not 0 <= m <= 100 for m in mins):
        errors["bands"] = [_("等次分数线须在 0 到 100 之间")]
    elif len(set(mins)) != len(mins) or 0 not in mins:
        errors["bands"] = [_("等次分数线不能重复，且须有一档从 0 分起")]
    if errors:
        raise ValidationError(errors)
    rules, _created = AssessmentRules.objects.update_or_create(
        town=town,
        valid_from=valid_from,
        defaults={
            "items": [{"key": k, "weight": int(w)} for k, w in weights.items()],
            "bands": sorted(bands, key=lambda b: -b["min"]),
            "note": note,
            "created_by": user,
            "created_at": timezone.now(),
        },
    )
    return rules
