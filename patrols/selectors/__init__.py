"""Reads shared by the pages, the API, the exports and other apps' jobs."""

from patrols.selectors.duty import Duty, PeriodDuty, duty_for
from patrols.selectors.lists import findings_for, patrols_for

__all__ = ["Duty", "PeriodDuty", "duty_for", "findings_for", "patrols_for"]
