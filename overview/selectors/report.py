"""The town's annual work report (年度工作总结): every figure computed from the data.

Sections follow the reference town's published report (shared/reference/zhujing.md). The
registry counts the rivers the town owns (region code prefix), as the reference does; the other
figures come from the selectors each app's own statistics page uses, so the report says what
those pages say. A fixed number of queries whatever the amount of data.

Three figures come from apps built beside this one (small water bodies inspected, monitoring
sites planned, publicity articles), through the selector names agreed in CONTRACTS.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import ChiefLevel
from core.models import Region, User
from directives.selectors import yearly_statistics
from letters.selectors import batches_for
from monitoring.periods import Period
from monitoring.selectors import monitored_rivers, river_status
from patrols.selectors import patrol_stats
from plans.models import Measure, Plan
from public.selectors import articles_published
from rivers.models import Chief, River, SluiceGate, WaterBody
from smallwater.selectors import water_bodies_inspected
from smartwater.selectors import sites_planned

# The report's sections, in order: (key, title). The office writes a narrative for each.
SECTIONS = [
    ("registry", _("河湖名录")),
    ("chiefs", _("河长履职与巡河")),
    ("orders", _("督办整改")),
    ("letters", _("一信河长")),
    ("water", _("水质监测与劣Ⅴ类、黑臭河道")),
    ("plans", _("一河一策")),
    ("smallwater", _("小微水体")),
    ("smartwater", _("智慧水务")),
    ("publicity", _("宣传")),
]


@dataclass
class Figure:
    key: str
    label: str
    value: object
    unit: str = ""
    url: str = ""


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)

    def add(self, key: str, label, value, unit="", url: str = "") -> None:
        self.figures.append(Figure(key, str(label), value, str(unit), url))


@dataclass
class AnnualReport:
    town: Region
    year: int
    sections: list[Section]

    def value(self, key: str):
        for section in self.sections:
            for figure in section.figures:
                if figure.key == key:
                    return figure.value
        raise KeyError(key)

    @property
    def keys(self) -> set[str]:
        return {f.key for s in self.sections for f in s.figures}


def _km(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("1"))


def annual_report(*, viewer: User, town: Region, year: int) -> AnnualReport:
    """Figures of ``town`` for ``year`` as its office sees them (``viewer``: town_viewer)."""
    sections = {key: Section(key, str(title)) for key, title in SECTIONS}
    owned = Q(region__code__startswith=town.code)

    # Registry: the rivers the town owns, by level.
    rivers = River.objects.visible_to(viewer).filter(owned, is_active=True)
    by_level = {
        row["level"]: row
        for row in rivers.values("level").annotate(n=Count("id"), km=Sum("length_km")).order_by()
    }
    reg = sections["registry"]
    reg.add(
        "rivers", pgettext_lazy("plural", "河道"), sum(r["n"] for r in by_level.values()), _("条")
    )
    reg.add("rivers_km", _("河道总长"), _km(sum((r["km"] or 0) for r in by_level.values())), "km")
    for level, word in ((ChiefLevel.TOWN, _("镇级河道")), (ChiefLevel.VILLAGE, _("村级河道"))):
        row = by_level.get(level, {"n": 0, "km": 0})
        reg.add(f"rivers_{level}", word, row["n"], _("条"))
        reg.add(f"rivers_{level}_km", _("%(level)s长度") % {"level": word}, _km(row["km"]), "km")
    reg.add(
        "gates",
        pgettext_lazy("plural", "水闸"),
        SluiceGate.objects.visible_to(viewer).filter(owned).count(),
        _("座"),
    )
    reg.add(
        "water_bodies",
        _("小微水体"),
        WaterBody.objects.visible_to(viewer).filter(village__code__startswith=town.code).count(),
        _("个"),
    )

    # Chiefs and patrols (the patrol archive's own statistics).
    chiefs = sections["chiefs"]
    chief_counts = dict(
        Chief.objects.visible_to(viewer)
        .active()
        .filter(owned)
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    stats = patrol_stats(user=viewer, year=year, group="level")
    patrols_by_level = {row.key: row for row in stats.rows}
    for level, word in (
        (ChiefLevel.TOWN, pgettext_lazy("adjective", "镇级")),
        (ChiefLevel.VILLAGE, pgettext_lazy("adjective", "村级")),
    ):
        row = patrols_by_level.get(level)
        chiefs.add(f"chiefs_{level}", capfirst(_("%(level)s河长") % {"level": word}),
                   chief_counts.get(level, 0), _("名"))  # fmt: skip
        chiefs.add(f"patrolling_chiefs_{level}", capfirst(_("%(level)s河长中巡过河的") % {"level": word}),
                   row.chiefs if row else 0, _("名"))  # fmt: skip
        chiefs.add(f"patrols_{level}", _("%(level)s河长巡河") % {"level": word},
                   row.patrols if row else 0, _("次"))  # fmt: skip
    chiefs.add("patrols", _("巡河合计"), stats.total.patrols if stats.total else 0, _("次"))
    chiefs.add("findings", _("巡河发现问题"), stats.total.findings if stats.total else 0, _("个"))

    # Supervision orders and the inspection groups' work orders.
    orders = yearly_statistics(user=viewer, year=year)
    sec = sections["orders"]
    sec.add("orders_issued", _("督办单下发"), orders["total"]["issued"], _("张"))
    sec.add("orders_rectified", _("已整改销号"), orders["total"]["rectified"], _("张"))
    sec.add("orders_on_time", _("按期整改"), orders["total"]["on_time"], _("张"))
    sec.add("inspection_rounds", _("上级检查"), orders["inspection_rounds"], _("轮"))
    sec.add(
        "work_orders", pgettext_lazy("plural", "检查组工作指令"), orders["work_orders"], _("张")
    )
    sec.add("work_orders_answered", _("已回复"), orders["work_orders_answered"], _("张"))

    # Letters to river chiefs.
    batches = list(batches_for(user=viewer).filter(town=town, month__year=year))
    sec = sections["letters"]
    sec.add("letter_batches", _("河长信批次"), len(batches), _("批"))
    sec.add("letters", _("致河长信"), sum(b.n_letters for b in batches), _("封"))
    sec.add("letters_sent", _("已发出"), sum(b.n_sent for b in batches), _("封"))
    sec.add("letters_read", _("已阅读"), sum(b.n_read for b in batches), _("封"))

    # Water quality: rivers monitored, worse than Class V at the start and end of the year.
    river_ids = list(monitored_rivers(user=viewer).filter(owned).values_list("id", flat=True))
    sec = sections["water"]
    year_status = _status(river_ids, Period.year(year))
    sec.add("rivers_monitored", _("开展水质监测的河道"), len(river_ids), _("条"))
    for key, label, period in (
        ("worse_than_v_start", _("年初（1月）劣Ⅴ类河道"), Period.month(year, 1)),
        ("worse_than_v_end", _("年末（12月）劣Ⅴ类河道"), Period.month(year, 12)),
    ):
        status = _status(river_ids, period)
        sec.add(key, label, sum(1 for s in status.values() if s.is_worse_than_v), _("条"))
    sec.add("worse_than_v_year", _("全年均值劣Ⅴ类河道"),
            sum(1 for s in year_status.values() if s.is_worse_than_v), _("条"))  # fmt: skip
    sec.add("black_odour_year", _("黑臭河道"),
            sum(1 for s in year_status.values() if s.black_odour), _("条"))  # fmt: skip

    # One river, one policy.
    plans = Plan.objects.visible_to(viewer).filter(owned, created_at__year=year)
    sec = sections["plans"]
    sec.add("plans", _("编制一河一策方案"), plans.count(), _("个"))
    sec.add("plan_rivers", _("编制方案的河道"),
            plans.filter(river__isnull=False).values("river").distinct().count(), _("条"))  # fmt: skip
    measures = Measure.objects.visible_to(viewer).filter(plan__region__code__startswith=town.code)
    sec.add(
        "measures_due",
        _("年内到期措施"),
        measures.filter(deadline__year=year).count(),
        pgettext_lazy("unit", "项"),
    )
    sec.add("measures_done", _("年内到期并完成"),
            measures.filter(deadline__year=year, status=Measure.Status.DONE).count(), pgettext_lazy("unit", "项"))  # fmt: skip

    # Small water bodies, monitoring sites and publicity: the selectors agreed in CONTRACTS.md.
    sections["smallwater"].add("water_bodies_inspected", _("排查小微水体"),
                               water_bodies_inspected(region=town, year=year), _("个"))  # fmt: skip
    sites = sites_planned(region=town, at=_year_end(year))
    sections["smartwater"].add("sites_rivers", _("规划监测点位的河道"), sites["rivers"], _("条"))
    sections["smartwater"].add("sites_gates", _("规划监测点位的水闸"), sites["gates"], _("座"))
    sections["publicity"].add("articles", _("宣传报道"),
                              articles_published(region=town, year=year), _("篇"))  # fmt: skip

    return AnnualReport(town=town, year=year, sections=[s for s in sections.values() if s.figures])


def _year_end(year: int) -> datetime:
    """The first moment after ``year`` (Asia/Shanghai): figures "as at" the year's end."""
    return datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _status(river_ids: list[int], period: Period) -> dict:
    return river_status(river_ids=river_ids, period_start=period.start, period_end=period.end)
