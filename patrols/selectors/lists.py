"""Lists shared by the pages and the API: scoping, filters and joins in one place."""

from functools import cache

from django.db import connections
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from core.models import User
from core.rows import name_columns
from core.scoping import visible_regions
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


# The columns a row of the patrol list page shows (core.rows): plain values, not a patrol and
# its chief, user, river, reach and region built as six models (with the river's course).
LIST_ROW = (
    "pk",
    "chief_id",
    "river_id",
    "reach_id",
    "started_at",
    "ended_at",
    "level",
    "status",
    "review",
    "flags",
    "walker_name",
    "distance_m",
    *name_columns("chief__user"),
    "region__name",
    "river__name",
    "reach__name",
    "finding_count",
)


@cache
def _patrol_rows() -> QuerySet:
    return Patrol.objects.annotate(finding_count=_count_of(Finding, "patrol")).values_list(
        *LIST_ROW, named=True
    )


def patrol_rows() -> QuerySet:
    """Patrols as named tuples of ``LIST_ROW``, unscoped: the rows of a page whose ids a
    scoped list (``patrols_for``) gave (``IdsFirstPaginator(rows=...)``).

    Built once per process and cloned (``.all()``, never evaluated itself): building the
    annotation and the seventeen columns cost every page a tenth of its view's Python."""
    return _patrol_rows().all()


# A page at least this deep is read as a merge of its regions' newest (``newest_ids``); and only
# for a scope of at most this many regions (a town and its villages; not the district's 200).
MERGE_FROM = 1000
MERGE_REGIONS = 40


def newest_ids(
    queryset: QuerySet[Patrol], *, user: User, chosen: dict, offset: int, limit: int
) -> list[int] | None:
    """The ids of ``queryset[offset:offset + limit]`` (a list newest first) on a deep page of a
    scope of several regions, read as a merge of each region's newest; None to leave the page
    to the plain ``OFFSET`` (a shallow page, one region, SQLite, a river or a chief chosen).

    With the regions as ``region_id = ANY(...)`` PostgreSQL reads all of a town's patrols from
    the (region, started_at, id) index and sorts them to skip the first ``offset``: page 300 of
    a town's 49,765 patrols sorted them all to skip 8,970 (35-60 ms). Asked region by region
    (``UNION ALL`` of each region's first ``offset + limit`` in the index's order), it merges
    the ordered branches (Merge Append) and stops after ``offset + limit`` rows: 4-8 ms. A
    chosen river or chief has an index of its own that the plain query walks in order.
    """
    connection = connections[queryset.db]
    if offset < MERGE_FROM or connection.vendor != "postgresql":
        return None
    if any(chosen.get(name) for name in ("river", "chief", "region")):
        return None
    regions = list(visible_regions(user).values_list("pk", flat=True)[: MERGE_REGIONS + 1])
    if not 2 <= len(regions) <= MERGE_REGIONS:
        return None
    # One branch compiled once with a slot for its region (eleven through the ORM cost 8 ms of
    # Python), then written out once per region.
    slot = object()
    branch = (
        queryset.filter(region_id=RawSQL("%s", (slot,)))
        .order_by("-started_at", "-id")
        .values_list("pk", "started_at")[: offset + limit]
    )
    sql, params = branch.query.sql_with_params()
    at = next(i for i, value in enumerate(params) if value is slot)
    merged_params: list = []
    for region in regions:
        merged_params += [*params[:at], region, *params[at + 1 :]]
    union = " UNION ALL ".join([f"({sql})"] * len(regions))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT merged.pk FROM ({union}) merged "
            "ORDER BY merged.started_at DESC, merged.pk DESC LIMIT %s OFFSET %s",
            [*merged_params, limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]


def page_ids(
    queryset: QuerySet[Patrol], *, user: User, chosen: dict, offset: int, limit: int
) -> list[int]:
    """The ids of ``queryset[offset:offset + limit]``: merged from the regions' newest on a
    deep page (``newest_ids``), else by the plain ``OFFSET``."""
    ids = newest_ids(queryset, user=user, chosen=chosen, offset=offset, limit=limit)
    if ids is None:
        ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    return ids


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
