"""Reads shared by the pages, the API, the exports and other apps' jobs."""

from patrols.selectors.duty import Duty, PeriodDuty, duty_for
from patrols.selectors.lists import findings_for, patrols_for
from patrols.selectors.stats import StatRow, Stats, patrol_stats

__all__ = [
    "Duty",
    "PeriodDuty",
    "StatRow",
    "Stats",
    "duty_for",
    "findings_for",
    "patrol_stats",
    "patrols_for",
]
