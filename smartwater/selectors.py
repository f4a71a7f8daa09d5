"""Reads for the monitoring-site register: the annual report's figures, the list, the map."""

from datetime import datetime

from django.db.models import Count, F, OuterRef, QuerySet, Subquery

from core.models import Region, User
from smartwater.models import Site


def sites_planned(*, region: Region, at: datetime) -> dict:
    """Distinct rivers and sluice gates with a planned site inside ``region`` as at ``at``.

    Taken from the sites' history: each site as its latest version on or before ``at`` stood
    (a site deleted before ``at`` does not count; one moved to another river counts there).
    """
    history = Site.history.model
    latest = (
        history.objects.filter(id=OuterRef("id"), history_date__lte=at)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    rows = (
        history.objects.filter(history_date__lte=at, town__code__startswith=region.code)
        .annotate(latest=Subquery(latest))
        .filter(history_id=F("latest"))
        .exclude(history_type="-")
    )
    return {
        "rivers": rows.filter(river__isnull=False).values("river").distinct().count(),
        "gates": rows.filter(gate__isnull=False).values("gate").distinct().count(),
    }


def sites_for(*, user: User, status: str = "", kind: str = "") -> QuerySet[Site]:
    qs = Site.objects.visible_to(user).select_related("town", "river", "gate")
    if status:
        qs = qs.filter(status=status)
    if kind == "river":
        qs = qs.filter(river__isnull=False)
    elif kind == "gate":
        qs = qs.filter(gate__isnull=False)
    return qs.order_by("code")


def sites_geojson(*, user: User, status: str = "", kind: str = "") -> dict:
    """A GeoJSON FeatureCollection of the sites for the map (WGS84 points)."""
    features = []
    for site in sites_for(user=user, status=status, kind=kind):
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(site.longitude), float(site.latitude)],
                },
                "properties": {
                    "id": site.pk,
                    "code": site.code,
                    "name": site.name,
                    "status": site.status,
                    "status_label": str(site.get_status_display()),
                    "river": site.river.name if site.river else None,
                    "gate": site.gate.name if site.gate else None,
                    "parameters": site.parameter_labels,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def sites_planned_now(*, user: User) -> dict:
    """Distinct rivers and gates with a site, and sites per status, in the user's scope."""
    sites = Site.objects.visible_to(user)
    by_status = dict(sites.values_list("status").annotate(n=Count("id")).order_by())
    return {
        "rivers": sites.filter(river__isnull=False).values("river").distinct().count(),
        "gates": sites.filter(gate__isnull=False).values("gate").distinct().count(),
        "by_status": [(label, by_status.get(value, 0)) for value, label in Site.Status.choices],
    }
