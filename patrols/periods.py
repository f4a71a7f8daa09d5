"""Duty periods (week, 旬, month, quarter...) in local time (Asia/Shanghai), no database.

A month's duty covers the periods that *belong* to it: a month, its three ten-day periods, and
the ISO weeks whose Thursday falls in it (the ISO 8601 rule that also decides a week's year), so
that each week counts in exactly one month. Quarters, half-years and years belong to their last
month: a district chief's quarterly duty is judged in March, June, September and December.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Span:
    key: str  # "2018-W05", "2018-03-2" (second 旬), "2018-03", "2018-Q1", "2018-H1", "2018"
    start: date  # first local day
    end: date  # last local day (inclusive)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def spans_for_month(period: str, month: date) -> list[Span]:
    """The periods of this kind that belong to ``month``."""
    first, last = month_bounds(month)
    y, m = first.year, first.month
    if period == "week":
        # The Thursday of the ISO week containing the 1st, then every Thursday in the month.
        thursday = first + timedelta(days=(3 - first.weekday()) % 7)
        spans = []
        while thursday <= last:
            monday = thursday - timedelta(days=3)
            iso = thursday.isocalendar()
            spans.append(Span(f"{iso.year}-W{iso.week:02d}", monday, monday + timedelta(days=6)))
            thursday += timedelta(days=7)
        return spans
    if period == "ten_days":
        return [
            Span(f"{y}-{m:02d}-1", first, first.replace(day=10)),
            Span(f"{y}-{m:02d}-2", first.replace(day=11), first.replace(day=20)),
            Span(f"{y}-{m:02d}-3", first.replace(day=21), last),
        ]
    if period == "month":
        return [Span(f"{y}-{m:02d}", first, last)]
    if period == "quarter":
        if m % 3:
            return []
        return [Span(f"{y}-Q{m // 3}", date(y, m - 2, 1), last)]
    if period == "half_year":
        if m % 6:
            return []
        return [Span(f"{y}-H{m // 6}", date(y, m - 5, 1), last)]
    if period == "year":
        return [Span(f"{y}", date(y, 1, 1), last)] if m == 12 else []
    raise ValueError(f"unknown period {period!r}")


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def local_range(first: date, last: date) -> tuple[datetime, datetime]:
    """Aware datetimes [start of ``first``, start of the day after ``last``) in local time."""
    return start_of_day(first), start_of_day(last + timedelta(days=1))


def parse_month(value: str | None, default: date) -> date:
    """``"2018-03"`` -> date(2018, 3, 1); anything unparsable gives ``default``."""
    try:
        y, m = (int(p) for p in (value or "").split("-", 1))
        month = date(y, m, 1)
    except (ValueError, TypeError):
        return default.replace(day=1)
    from core.scoping import require_year

    require_year(month.year)  # 9999-12 would overflow the month's end: 400
    return month
