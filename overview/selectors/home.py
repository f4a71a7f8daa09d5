"""Reads across the feature apps for the home pages, the dashboard, the map and the reports."""

from django.db.models import Count, Sum

from core.models import User
from core.scoping import visible_regions


def home_summary(*, user: User) -> dict:
    from rivers.models import Chief, River, SluiceGate, WaterBody

    rivers = River.objects.visible_to(user).filter(is_active=True)
    by_level = {
        row["level"]: row
        for row in rivers.values("level").annotate(n=Count("id"), km=Sum("length_km"))
    }
    return {
        "rivers": sum(r["n"] for r in by_level.values()),
        "river_km": sum((r["km"] or 0) for r in by_level.values()),
        "by_level": by_level,
        "gates": SluiceGate.objects.visible_to(user).count(),
        "water_bodies": WaterBody.objects.visible_to(user).count(),
        "chiefs": Chief.objects.visible_to(user).active().count(),
        "villages": visible_regions(user).filter(kind="village").count(),
    }


def work_summary(*, user: User, at=None) -> dict:
    """What needs attention now, from every app, in a constant number of queries.

    Each figure comes from the selector the app's own page uses, so the home page and the
    pages it links to always agree.
    """
    from django.utils import timezone

    from directives.selectors import board_summary
    from letters.selectors import inbox_for
    from monitoring.periods import Period
    from monitoring.selectors import river_quality_rows, summary
    from patrols.models import Finding, Patrol
    from plans.models import Measure

    now = at or timezone.now()
    today = timezone.localdate(now)
    month_start = timezone.make_aware(
        timezone.datetime(today.year, today.month, 1), timezone.get_current_timezone()
    )
    last_month = Period.current("month", today=today).previous()
    water = summary(river_quality_rows(user=user, period=last_month))
    return {
        "orders": board_summary(user=user, at=now),
        "patrols_this_month": Patrol.objects.visible_to(user)
        .filter(started_at__gte=month_start, started_at__lte=now)
        .count(),
        "open_findings": Finding.objects.visible_to(user)
        .filter(status=Finding.Status.OPEN)
        .count(),
        "water_period": last_month,
        "water": water,
        "overdue_measures": Measure.objects.visible_to(user).overdue(on=today).count(),
        "unread_letters": inbox_for(user=user).filter(read_at__isnull=True).count(),
    }
