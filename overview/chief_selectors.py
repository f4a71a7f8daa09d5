"""The chief's phone home: their daily work first (issue 10 item 4).

Beside overview/selectors.py (the office's dashboard): 开始巡河, my supervision orders with
counts, my letters, my patrol duty this month, my rivers; for a town chief who oversees the
town (第一总河长, 总河长) the town's order counts too. Each figure comes from the selector the
linked page uses, so the home page and that page always agree.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db.models import Count, Q, Window
from django.utils import timezone

from core.models import User

# The home lists the first rivers and links to the registry for the rest.
SHOWN_RIVERS = 30


class RiverRow(NamedTuple):
    pk: int
    code: str
    name: str


@dataclass
class ChiefHome:
    rivers: list[RiverRow] = field(default_factory=list)  # the first SHOWN_RIVERS
    river_count: int = 0
    orders_todo: int = 0
    orders_overdue: int = 0
    orders_submitted: int = 0
    urgent_orders: list = field(default_factory=list)
    letters_unread: int = 0
    latest_letters: list = field(default_factory=list)
    duty: object | None = None  # patrols.selectors.duty.Duty of this month, or None
    town_orders: dict | None = None  # board counts of the town, for those who oversee it


def chief_home(*, user: User, at: datetime | None = None, urgent: int = 3) -> ChiefHome:
    """What a chief needs today, in a constant number of queries (nine for a village chief)."""
    from directives.selectors import board_summary, chief_order_counts, urgent_orders_for_chief
    from letters.selectors import inbox_for
    from patrols.selectors.duty import duty_for
    from rivers.models import River
    from rivers.permissions import oversees_town

    now = at or timezone.now()
    today = timezone.localdate(now)
    home = ChiefHome()
    chief = _load_chief(user)
    # Names and codes only, as plain rows: a village chief of a large village answers for
    # hundreds of rivers (250 River models cost the page ~2 ms), and each course is a JSON
    # document the home page never shows.
    rivers = list(
        River.objects.assigned_to(user, on=today)
        .order_by("level", "code")
        .values_list("pk", "code", "name")
    )
    home.river_count = len(rivers)
    home.rivers = [RiverRow(*row) for row in rivers[:SHOWN_RIVERS]]

    counts = chief_order_counts(user=user, at=now)
    home.orders_todo = counts["todo"]
    home.orders_overdue = counts["overdue"]
    home.orders_submitted = counts["submitted"]
    home.urgent_orders = urgent_orders_for_chief(user=user, limit=urgent, at=now)

    # The latest three and the unread count in one query: the count as a window over all the
    # chief's sent letters, read with each of the three.
    unread = Window(Count("pk", filter=Q(read_at__isnull=True)))
    home.latest_letters = list(inbox_for(user=user).annotate(unread_total=unread)[:3])
    home.letters_unread = home.latest_letters[0].unread_total if home.latest_letters else 0

    if chief is not None:
        home.duty = duty_for(chiefs=[chief], month=today, at=now).get(chief.pk)
    if oversees_town(user):
        home.town_orders = board_summary(user=user, at=now)
    return home


def _load_chief(user: User):
    """The user's chief profile with its region, in one query, kept on the user: the orders'
    scope (``user.region``), the duty's rules (the chief's region code) and the town overseer
    check (``user.chief``) read it instead of a query each."""
    from rivers.models import Chief

    chief = Chief.objects.select_related("region").filter(user=user).first()
    User.chief.related.set_cached_value(user, chief)
    if chief is not None and chief.region_id == user.region_id and not User.region.is_cached(user):
        User.region.field.set_cached_value(user, chief.region)
    return chief
