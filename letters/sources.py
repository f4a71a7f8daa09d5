"""Where a letter's figures come from: the one module that reads the other apps.

Each section asks the selector that the app's own pages use, so a letter never says something
different from the patrol, order, water-quality or plan pages for the same chief and month:

- patrols:    ``patrols.selectors.duty_for(chiefs=..., month=..., at=..., snapshot=True)``
- orders:     ``directives.selectors.order_counts_by_reach(river_ids=..., at=...)``
- quality:    ``monitoring.selectors.river_status(river_ids=..., period_start=..., period_end=...,
  at=..., region_code=...)``
- plans:      ``plans.selectors.measure_progress_for_rivers(river_ids=..., at=..., region_code=...)``

Every figure is taken as the records stood at the batch's snapshot (``Period.at``, the 1st of
the month 00:00 Asia/Shanghai): an order issued after it does not count and one closed after it
still counts as open; a patrol or sample entered after it does not count; a measure counts with
the progress it had then. A letter counts its own town's records only (the batch is a town's):
on a river another town owns, the orders on a reach the chief answers for, whichever town
issued them, and that town's own points and plans.

A section whose app is not installed yet is left out (``sources.<name>`` is False in the
template). Every call takes the whole list of chiefs or rivers, so composing one letter or ten
thousand costs the same, constant, number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import import_module

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core.choices import WaterClass
from letters.models import LetterBatch
from rivers.models import Chief, ChiefAssignment


@dataclass(frozen=True)
class Period:
    """The month a batch reports on, and the moment its figures are taken."""

    start: date  # first day of the reported month
    end: date  # last day of the reported month
    at: datetime  # as at: the first moment after the reported month

    @classmethod
    def of(cls, batch: LetterBatch) -> "Period":
        return cls(start=batch.period_start, end=batch.period_end, at=batch.as_at)


def _selector(module: str, name: str):
    """The other app's selector, or None while that app has not landed."""
    try:
        return getattr(import_module(module), name, None)
    except ImportError:
        return None


def duty_selector():
    return _selector("patrols.selectors", "duty_for")


def orders_selector():
    return _selector("directives.selectors", "order_counts_by_reach")


def quality_selector():
    return _selector("monitoring.selectors", "river_status")


def plans_selector():
    return _selector("plans.selectors", "measure_progress_for_rivers")


def rivers_of(*, chief_ids, on: date) -> dict[int, list[ChiefAssignment]]:
    """The current assignments of each chief on ``on`` (one query)."""
    out: dict[int, list[ChiefAssignment]] = defaultdict(list)
    rows = (
        ChiefAssignment.objects.current(on=on)
        .filter(chief_id__in=list(chief_ids), river__is_active=True)
        .select_related("river", "reach")
        # What a letter says of a river and reach (a river row is wide).
        .only(
            "chief_id",
            *(f"river__{name}" for name in ("name", "code", "level", "target_class")),
            "reach__name",
        )
        .order_by("chief_id", "river__code", "reach__position")
    )
    for row in rows:
        out[row.chief_id].append(row)
    return out


def _attr(obj, name, default=None):
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _class_label(value) -> str:
    if value in (None, ""):
        return ""
    try:
        return _water_class_label(int(value), get_language())
    except (TypeError, ValueError):
        return str(value)


# Labels are translated once per value and language, not once per letter: a chunk of hundreds
# of letters would otherwise spend much of its time in gettext.
@lru_cache(maxsize=64)
def _water_class_label(value: int, language: str | None) -> str:
    return str(WaterClass(value).label)


@lru_cache(maxsize=256)
def _choice_label(model, field: str, value, language: str | None) -> str:
    return str(dict(model._meta.get_field(field).flatchoices).get(value, value))


def _display(obj, field: str) -> str:
    """``str(obj.get_<field>_display())``, cached per value and language."""
    return _choice_label(type(obj), field, getattr(obj, field), get_language())


TREND_LABELS = {
    "better": gettext_lazy("较上期好转"),
    "improving": gettext_lazy("较上期好转"),
    "worse": gettext_lazy("较上期变差"),
    "worsening": gettext_lazy("较上期变差"),
    "stable": gettext_lazy("与上期持平"),
    "same": gettext_lazy("与上期持平"),
}


def _trend_label(value) -> tuple[str, str]:
    """(code, label); selectors may give a word, a label or a signed number."""
    if value in (None, ""):
        return "", ""
    if isinstance(value, int | float):
        code = "better" if value < 0 else "worse" if value > 0 else "stable"
    else:
        code = str(getattr(value, "value", value))
    label = TREND_LABELS.get(code)
    if label is None:
        label = str(getattr(value, "label", value))
    return code, str(label)


def _black_odour_label(value) -> str:
    if not value:
        return ""
    if value is True:
        return str(_("监测为黑臭水体"))
    label = getattr(value, "label", None)
    return str(label or value)


def gather(
    *, batch: LetterBatch, chiefs: list[Chief], town_totals: dict | None = None
) -> dict[int, dict]:
    """The template context of each chief's letter in ``batch``: ``{chief_id: context}``.

    The context is plain JSON (it is stored with the letter as its figures). ``town_totals``,
    when given, receives the open and overdue orders over all these letters' rivers, each order
    counted once (a river several chiefs answer for, reach by reach, counts the union).
    """
    period = Period.of(batch)
    assignments = rivers_of(chief_ids=[c.pk for c in chiefs], on=period.end)
    river_ids = sorted({a.river_id for rows in assignments.values() for a in rows})
    sources = {"patrols": False, "orders": False, "quality": False, "plans": False}

    duty = {}
    if (fn := duty_selector()) is not None:
        duty = fn(chiefs=chiefs, month=period.start, at=period.at, snapshot=True)
        sources["patrols"] = True
    town = batch.town
    orders: dict[int, list] = defaultdict(list)
    if (fn := orders_selector()) is not None:
        for (river_id, reach_id, town_id), counts in fn(river_ids=river_ids, at=period.at).items():
            orders[river_id].append((reach_id, town_id, counts))
        sources["orders"] = True
    quality = {}
    if (fn := quality_selector()) is not None:
        quality = fn(
            river_ids=river_ids,
            period_start=period.start,
            period_end=period.end,
            at=period.at,
            region_code=town.code,
        )
        sources["quality"] = True
    plans = {}
    if (fn := plans_selector()) is not None:
        plans = fn(river_ids=river_ids, at=period.at, region_code=town.code)
        sources["plans"] = True

    batch_info = {
        "number": batch.number,
        "year": batch.year,
        "month": _("%(y)d年%(m)d月") % {"y": batch.month.year, "m": batch.month.month},
        "period": _("%(y)d年%(m)d月") % {"y": period.start.year, "m": period.start.month},
        "date": date_format(batch.month, "Y年n月j日"),
    }
    if town_totals is not None:
        whole_town: dict[int, list[ChiefAssignment]] = defaultdict(list)
        for rows in assignments.values():
            for a in rows:
                whole_town[a.river_id].append(a)
        town_totals.update({"orders_open": 0, "orders_overdue": 0})
        for river_id, rows in whole_town.items():
            counted = _orders_of(orders.get(river_id, []), rows, town.pk)
            town_totals["orders_open"] += counted["open"]
            town_totals["orders_overdue"] += counted["overdue"]
    out = {}
    for chief in chiefs:
        by_river: dict[int, list[ChiefAssignment]] = {}
        for a in assignments.get(chief.pk, []):  # two reaches of one river: one section
            by_river.setdefault(a.river_id, []).append(a)
        rivers = [
            _river_section(
                rows, _orders_of(orders.get(river_id, []), rows, town.pk), quality, plans
            )
            for river_id, rows in by_river.items()
        ]
        d = duty.get(chief.pk)
        patrols = (
            {
                "done": _attr(d, "done", 0),
                "required": _attr(d, "required", 0),
                "behind": bool(_attr(d, "behind", False)),
                "missed": len(_attr(d, "missed", None) or []),
            }
            if d is not None
            else None
        )
        attention = _attention(patrols, rivers)
        out[chief.pk] = {
            "chief": {
                "name": str(chief.user),
                "title": _display(chief, "title"),
                "level": _display(chief, "level"),
                "region": chief.region.name,
                "position": chief.position,
            },
            "town": {"name": town.name, "code": town.code},
            "batch": batch_info,
            "patrols": patrols,
            "rivers": rivers,
            "attention": attention,
            "totals": {
                "rivers": len(rivers),
                "rivers_off_target": sum(1 for r in rivers if r["meets_target"] is False),
                "orders_open": sum(r["orders_open"] or 0 for r in rivers),
                "orders_overdue": sum(r["orders_overdue"] or 0 for r in rivers),
                "measures": sum(r["measures"] or 0 for r in rivers),
                "measures_overdue": sum(r["measures_overdue"] or 0 for r in rivers),
            },
            "sources": sources,
        }
    return out


def _orders_of(rows: list, assignments: list[ChiefAssignment], town_id: int) -> dict[str, int]:
    """The open and overdue orders of one river that a chief's letter counts.

    On the whole river: its own town's orders. On reaches: its own town's orders on those
    reaches or on no reach in particular, and another town's orders on those very reaches (a
    border river: the chief answers for that reach whoever issued the order).
    """
    reaches = {a.reach_id for a in assignments}
    whole = None in reaches
    out = {"open": 0, "overdue": 0}
    for reach_id, order_town_id, counts in rows:
        own = order_town_id == town_id
        if (own and (whole or reach_id is None or reach_id in reaches)) or (
            reach_id is not None and reach_id in reaches
        ):
            out["open"] += counts["open"]
            out["overdue"] += counts["overdue"]
    return out


def _river_section(assignments: list[ChiefAssignment], o: dict, quality: dict, plans: dict) -> dict:
    a = assignments[0]
    river = a.river
    q = quality.get(river.pk)
    p = plans.get(river.pk) or {}
    water = _attr(q, "water_class")
    meets = _attr(q, "meets_target") if water not in (None, "") else None
    trend_code, trend = _trend_label(_attr(q, "trend"))
    black = _attr(q, "black_odour")
    return {
        "id": river.pk,
        "name": river.name,
        "code": river.code,
        "level": _display(river, "level"),
        "reach": "、".join(x.reach.name for x in assignments if x.reach),
        "target_class": _class_label(_attr(q, "target_class") or river.target_class),
        "water_class_value": int(water) if isinstance(water, int) else None,
        "water_class": _class_label(water),
        "meets_target": meets,
        "trend_code": trend_code,
        "trend": trend,
        "black_odour": _black_odour_label(black),
        "orders_open": o.get("open", 0),
        "orders_overdue": o.get("overdue", 0),
        "measures": p.get("measures", 0),
        "measures_done": p.get("done", 0),
        "measures_overdue": p.get("overdue", 0),
        "measure_progress": p.get("progress", 0),
        "attention": [],
    }


def _attention(patrols: dict | None, rivers: list[dict]) -> list[str]:
    """What needs the chief's attention, worst first; each river gets its own items too."""
    items = []
    if patrols and patrols["behind"]:
        items.append(
            _(
                "上月巡河 %(done)s 次（要求 %(required)s 次），"
                "有 %(missed)s 个巡河周期次数不足，请按规定巡河"
            )
            % {
                "done": patrols["done"],
                "required": patrols["required"],
                "missed": patrols["missed"],
            }
        )
    for r in rivers:
        own = []
        if r["black_odour"]:
            own.append(
                _("%(river)s%(state)s，请督促整治")
                % {"river": r["name"], "state": r["black_odour"]}
            )
        if r["meets_target"] is False:
            own.append(
                _("%(river)s水质为%(cls)s，未达到%(target)s目标")
                % {"river": r["name"], "cls": r["water_class"], "target": r["target_class"]}
            )
        if r["trend_code"] in ("worse", "worsening"):
            own.append(_("%(river)s水质%(trend)s") % {"river": r["name"], "trend": r["trend"]})
        if r["orders_overdue"]:
            own.append(
                _("%(river)s有 %(n)s 张督办单超期未整改")
                % {"river": r["name"], "n": r["orders_overdue"]}
            )
        if r["measures_overdue"]:
            own.append(
                _("%(river)s“一河一策”有 %(n)s 项措施超期未完成")
                % {"river": r["name"], "n": r["measures_overdue"]}
            )
        r["attention"] = [str(x) for x in own]
        items.extend(own)
    return [str(x) for x in items]
