"""Who a chief is in the town's hierarchy, for pages that open up to the town's leaders."""

from core.choices import ChiefLevel
from core.models import User

# The town-level chiefs who oversee the whole town (the town's Party secretary and head as
# 第一总河长 and 总河长): they read the town's orders and statistics as the office does,
# without changing them (issue 10 item 5).
OVERSEEING_TITLES = ("first_chief", "general_chief")


def oversees_town(user: User) -> bool:
    if not (user and user.is_authenticated and user.role == User.Role.TOWN_CHIEF):
        return False
    chief = getattr(user, "chief", None)
    return bool(
        chief is not None
        and chief.is_active
        and chief.level == ChiefLevel.TOWN
        and chief.title in OVERSEEING_TITLES
    )
