"""Reads shared by the pages, the API, the exports and other apps' jobs."""

from patrols.selectors.counts import RememberedList
from patrols.selectors.duty import Duty, PeriodDuty, duty_for
from patrols.selectors.lists import (
    findings_for,
    newest_ids,
    page_ids,
    patrol_rows,
    patrols_for,
)
from patrols.selectors.stats import StatRow, Stats, patrol_stats

__all__ = [
    "Duty",
    "PeriodDuty",
    "RememberedList",
    "StatRow",
    "Stats",
    "duty_for",
    "findings_for",
    "newest_ids",
    "page_ids",
    "patrol_rows",
    "patrol_stats",
    "patrols_for",
]
