"""Lists shared by the pages and the API: scoping, filters and joins in one place."""

from django.db.models import Count, QuerySet

from core.models import User
from patrols.models import Finding, Patrol


def patrols_for(*, user: User, filters: dict | None = None) -> QuerySet[Patrol]:
    """Patrols the user may see, with what a list row shows, filtered by the PatrolFilter."""
    qs = (
        Patrol.objects.visible_to(user)
        .select_related("chief__user", "river", "reach", "region")
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("-started_at", "-id")
    )
    if filters is not None:
        from patrols.filters import PatrolFilter

        qs = PatrolFilter(filters, queryset=qs, user=user).qs
    return qs


def findings_for(*, user: User, filters: dict | None = None) -> QuerySet[Finding]:
    qs = (
        Finding.objects.visible_to(user)
        .select_related("river", "reach", "region", "patrol__chief__user", "reported_by")
        .annotate(photo_count=Count("photos", distinct=True))
        .order_by("-found_at", "-id")
    )
    if filters is not None:
        from patrols.filters import FindingFilter

        qs = FindingFilter(filters, queryset=qs, user=user).qs
    return qs
