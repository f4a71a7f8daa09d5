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
