"""Reads of the scorecards: only the office and the district see them (patrol-rules.md:
"no points rankings pushed at chiefs; rankings are for the office's eyes")."""

from datetime import date

from django.db.models import QuerySet

from core.models import Region, User
from core.scoping import scope_code
from overview.models import Scorecard
from overview.permissions import sees_overview

# Where each kind of record behind a score opens.
RECORD_URLS = {
    "patrol": "patrols:patrol-detail",
    "order": "directives:order-detail",
    "river": "monitoring:river-detail",
    "measure": "plans:measure-update",
    "letter": "letters:letter-detail",
}


def scorecards_for(*, user: User) -> QuerySet[Scorecard]:
    code = scope_code(user)
    if code is None or not sees_overview(user):
        return Scorecard.objects.none()
    return Scorecard.objects.filter(town__code__startswith=code).select_related(
        "town", "village", "chief__user", "chief__region", "rules"
    )


def month_scorecards(*, user: User, town: Region, month: date, subject: str) -> list[Scorecard]:
    """A town's scorecards of a month, best first (the office's own comparison)."""
    cards = list(
        scorecards_for(user=user).filter(town=town, month=month.replace(day=1), subject=subject)
    )
    cards.sort(key=lambda c: (c.score is None, -(c.score or 0), str(c.chief or c.village)))
    return cards
