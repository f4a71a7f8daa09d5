"""Reads shared by the pages, the API, the exports and other apps' jobs."""

from patrols.selectors.counts import patrol_count
from patrols.selectors.duty import Duty, PeriodDuty, duty_for
from patrols.selectors.lists import findings_for, newest_ids, patrol_rows, patrols_for
from patrols.selectors.stats import StatRow, Stats, patrol_stats

__all__ = [
    "Duty",
    "PeriodDuty",
    "StatRow",
    "Stats",
    "duty_for",
    "findings_for",
    "newest_ids",
    "patrol_count",
    "patrol_rows",
    "patrol_stats",
    "patrols_for",
]
