"""The office's dashboard: one town, now and over the last twelve months.

Every figure comes from the selector the linked page itself uses (monitoring's
``river_status`` through its stored statuses, patrols' ``duty_for``, directives' ``board_summary`` and
``yearly_statistics``, letters' ``batches_for``), so a figure and its list cannot disagree.
The number of queries does not depend on the amount of data: a fixed number per month of the
trend and per section.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core import generations
from core.models import Region, User
from core.scoping import scope_code
from directives.selectors import board_summary, yearly_statistics
from letters.selectors import batches_for
from monitoring import standards, status_store
from monitoring.periods import Period
from monitoring.selectors import monitored_rivers
from patrols.selectors import duty_for
from plans.models import Measure
from rivers.models import Chief

TREND_MONTHS = 12


@dataclass
class WaterMonth:
    period: Period
    by_class: dict[int, int]  # 1..6 (6 = worse than Class V) -> rivers
    black_odour: int
    assessed: int

    @property
    def worse_than_v(self) -> int:
        return self.by_class[standards.WORSE_THAN_V]


@dataclass
class VillageDuty:
    region: Region
    chiefs: int = 0
    met: int = 0
    behind: int = 0

    @property
    def in_progress(self) -> int:
        return self.chiefs - self.met - self.behind


@dataclass
class Dashboard:
    town: Region
    today: date
    water: list[WaterMonth] = field(default_factory=list)
    duty_month: date | None = None
    duty: list[VillageDuty] = field(default_factory=list)
    orders: dict = field(default_factory=dict)
    on_time_rate: float | None = None
    rectified: int = 0
    rectified_on_time: int = 0
    measures_late: int = 0
    letters_sent: int = 0
    letters_read: int = 0
    latest_batch_id: int | None = None
    computed_at: datetime | None = None  # "as at": the figures are the records at this time

    @property
    def water_now(self) -> WaterMonth | None:
        return self.water[-1] if self.water else None


def trend_months(today: date, n: int = TREND_MONTHS) -> list[Period]:
    """The last ``n`` complete months, oldest first (monthly sampling: the current month is
    not complete yet, as on the home page and in the letters)."""
    period = Period.current("month", today=today).previous()
    months = [period]
    for _ in range(n - 1):
        period = period.previous()
        months.append(period)
    return months[::-1]


def water_trend(*, viewer: User, months: list[Period]) -> list[WaterMonth]:
    """Rivers by class and black-odorous, month by month, counted over the stored statuses
    (``river_status``'s figures, see ``monitoring.status_store``): three queries whatever the
    number of months once they are stored; the months not stored are computed first."""
    river_ids = list(monitored_rivers(user=viewer).values_list("id", flat=True))
    counts = status_store.class_counts(river_ids=river_ids, periods=months)
    return [
        WaterMonth(
            period=period,
            by_class=counts[period]["by_class"],
            black_odour=counts[period]["black_odour"],
            assessed=sum(counts[period]["by_class"].values()),
        )
        for period in months
    ]


def duty_by_village(*, viewer: User, month: date, at: datetime) -> list[VillageDuty]:
    """Chiefs who met their patrol duty this month, or are behind, per village (town-level
    chiefs under the town). Four queries (``duty_for``) plus the chiefs."""
    chiefs = list(Chief.objects.visible_to(viewer).active().select_related("region"))
    duties = duty_for(chiefs=chiefs, month=month, at=at)
    rows: dict[int, VillageDuty] = {}
    for chief in chiefs:
        duty = duties[chief.pk]
        if not duty.required:
            continue
        row = rows.setdefault(chief.region_id, VillageDuty(region=chief.region))
        row.chiefs += 1
        if duty.behind:
            row.behind += 1
        elif duty.done >= duty.required:
            row.met += 1
    return sorted(rows.values(), key=lambda r: r.region.code)


def dashboard_for(*, viewer: User, town: Region, at: datetime | None = None) -> Dashboard:
    """The dashboard of ``town`` as its office sees it (``viewer`` from ``town_viewer``)."""
    now = at or timezone.now()
    today = timezone.localdate(now)
    board = Dashboard(town=town, today=today, computed_at=now)
    board.water = water_trend(viewer=viewer, months=trend_months(today))
    board.duty_month = today.replace(day=1)
    board.duty = duty_by_village(viewer=viewer, month=today, at=now)
    board.orders = board_summary(user=viewer, at=now)
    stats = yearly_statistics(user=viewer, year=today.year)["total"]
    board.rectified, board.rectified_on_time = stats["rectified"], stats["on_time"]
    if stats["rectified"]:
        board.on_time_rate = round(100 * stats["on_time"] / stats["rectified"], 1)
    board.measures_late = Measure.objects.visible_to(viewer).overdue(on=today).count()
    sent = read = 0
    for batch in batches_for(user=viewer).filter(month__year=today.year):
        sent += batch.n_sent
        read += batch.n_read
        board.latest_batch_id = board.latest_batch_id or batch.pk
    board.letters_sent, board.letters_read = sent, read
    return board


GENERATION_KEY = "overview:dashboard:generation"


def dashboard_changed() -> None:
    """Drop every cached dashboard (all towns): a record a dashboard counts was saved or
    deleted. One counter for all towns: a write is cheap to announce, and a town recomputes
    its dashboard at most once per change."""
    generations.bump(GENERATION_KEY)


def cached_dashboard(*, viewer: User, town: Region) -> tuple[Dashboard, dict]:
    """:func:`dashboard_for` and :func:`home_summary` of ``town``, remembered for
    ``settings.DASHBOARD_CACHE_SECONDS`` per town, viewer's scope and role, and local day.

    Eight offices reloading the home page recompute it once. The figures shown are the records
    "as at" ``board.computed_at`` (the page says when): a save or delete of a record the
    dashboard counts drops the cache at once (``overview.signals``), in every web process
    when the cache is shared (``CACHE_URL``); a bulk write (a lab import, a letter run) shows
    within the timeout. The day is in the key, so the overdue and due-soon figures and the
    duty month never outlive the day they were counted on.
    """
    from overview.selectors.home import home_summary

    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return dashboard_for(viewer=viewer, town=town), home_summary(user=viewer)
    generation = generations.current(GENERATION_KEY)
    key = (
        f"overview:dashboard:{generation}:{town.pk}:{scope_code(viewer)}:{viewer.role}:"
        f"{timezone.localdate().isoformat()}"
    )
    found = cache.get(key)
    if found is None:
        found = (dashboard_for(viewer=viewer, town=town), home_summary(user=viewer))
        cache.set(key, found, timeout=seconds)
    return found


def chart_data(board: Dashboard) -> dict:
    """What the dashboard's script draws, as plain JSON (labels translated by the page)."""
    water = defaultdict(list)
    for month in board.water:
        for cls in range(1, 7):
            water[str(cls)].append(month.by_class[cls])
        water["black_odour"].append(month.black_odour)
    return {
        "months": [m.period.key for m in board.water],
        "water": dict(water),
        "duty": {
            "villages": [d.region.name for d in board.duty],
            "met": [d.met for d in board.duty],
            "behind": [d.behind for d in board.duty],
            "in_progress": [d.in_progress for d in board.duty],
        },
    }
