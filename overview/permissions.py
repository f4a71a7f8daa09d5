"""Who sees the overview pages.

Scorecards, the dashboard and the annual report are for the office and the district (the
inspector): shared/reference/patrol-rules.md, "no points rankings pushed at chiefs; rankings
are for the office's eyes".
"""

from core.models import User


def sees_overview(user: User) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.is_superuser or user.role in (User.Role.OFFICE, User.Role.INSPECTOR))
    )
