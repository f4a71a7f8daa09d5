"""Assessment periods (month, quarter, year) and their bounds in local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

KINDS = {"month": _("月"), "quarter": _("季度"), "year": _("年")}


@dataclass(frozen=True)
class Period:
    """Dates ``start`` to ``end`` inclusive; ``kind`` is month, quarter, year or custom."""

    start: date
    end: date
    kind: str = "custom"

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        nxt = date(year + month // 12, month % 12 + 1, 1)
        return cls(date(year, month, 1), nxt - timedelta(days=1), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(date(year, first, 1), cls.month(year, first + 2).end, "quarter")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def of(cls, start: date, end: date) -> Period:
        """A period from two dates, recognised as a month, quarter or year when it is one."""
        for candidate in (
            cls.month(start.year, start.month),
            cls.quarter(start.year, (start.month - 1) // 3 + 1),
            cls.year(start.year),
        ):
            if candidate.start == start and candidate.end == end:
                return candidate
        return cls(start, end)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2018``, ``2018-Q2`` or ``2018-05``; ValueError otherwise."""
        text = (text or "").strip().upper()
        year = re.match(r"\d{4}", text)
        if year and not 2000 <= int(year[0]) <= 2100:
            raise ValueError(f"year out of range: {text!r}")
        if m := re.fullmatch(r"(\d{4})", text):
            return cls.year(int(m[1]))
        if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
            return cls.quarter(int(m[1]), int(m[2]))
        if (m := re.fullmatch(r"(\d{4})-(\d{1,2})", text)) and 1 <= int(m[2]) <= 12:
            return cls.month(int(m[1]), int(m[2]))
        raise ValueError(f"not a period: {text!r}")

    @classmethod
    def current(cls, kind: str = "month", *, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        if kind == "year":
            return cls.year(today.year)
        if kind == "quarter":
            return cls.quarter(today.year, (today.month - 1) // 3 + 1)
        return cls.month(today.year, today.month)

    @property
    def key(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start:%Y-%m-%d}~{self.end:%Y-%m-%d}"

    def __str__(self) -> str:
        y, m = self.start.year, self.start.month
        if self.kind == "year":
            return gettext("%(y)d年") % {"y": y}
        if self.kind == "quarter":
            return gettext("%(y)d年第%(q)d季度") % {"y": y, "q": (m - 1) // 3 + 1}
        if self.kind == "month":
            return gettext("%(y)d年%(m)d月") % {"y": y, "m": m}
        return gettext("%(start)s至%(end)s") % {
            "start": f"{self.start:%Y-%m-%d}",
            "end": f"{self.end:%Y-%m-%d}",
        }

    def previous(self) -> Period:
        """The period of the same kind just before (same length for a custom period)."""
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        if self.kind in ("month", "quarter"):
            before = self.start - timedelta(days=1)
            if self.kind == "month":
                return Period.month(before.year, before.month)
            return Period.quarter(before.year, (before.month - 1) // 3 + 1)
        length = self.end - self.start
        end = self.start - timedelta(days=1)
        return Period(end - length, end)

    def bounds(self) -> tuple[datetime, datetime]:
        """Aware datetimes [start, end) in the local time zone (Asia/Shanghai)."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )
