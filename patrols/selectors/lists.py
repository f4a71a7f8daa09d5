"""Lists shared by the pages and the API: scoping, filters and joins in one place."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.models import User
from patrols.models import Finding, FindingPhoto, Patrol


def _count_of(model, field: str):
    """A correlated COUNT subquery: unlike a join with GROUP BY, ``.count()`` can drop it."""
    counted = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def patrols_for(
    *, user: User, filters: dict | None = None, finding_count: bool = True
) -> QuerySet[Patrol]:
    """Patrols the user may see, with what a list row shows, filtered by the PatrolFilter.

    ``finding_count`` annotates each with its number of findings (the pages show it). The
    API rows do not: their columns leave it out of the SQL anyway, but building and
    resolving the subquery cost an API list request about a twentieth of its Python."""
    qs = (
        Patrol.objects.visible_to(user)
        .select_related("chief__user", "river", "reach", "region")
        .order_by("-started_at", "-id")
    )
    if finding_count:
        qs = qs.annotate(finding_count=_count_of(Finding, "patrol"))
    if filters is not None:
        from patrols.filters import PatrolFilter

        qs = PatrolFilter(filters, queryset=qs, user=user).qs
    return qs


def findings_for(*, user: User, filters: dict | None = None) -> QuerySet[Finding]:
    qs = (
        Finding.objects.visible_to(user)
        .select_related("river", "reach", "region", "patrol__chief__user", "reported_by")
        .annotate(photo_count=_count_of(FindingPhoto, "finding"))
        .order_by("-found_at", "-id")
    )
    if filters is not None:
        from patrols.filters import FindingFilter

        qs = FindingFilter(filters, queryset=qs, user=user).qs
    return qs
