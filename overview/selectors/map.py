"""The town map's layers as GeoJSON: rivers coloured by water class, black-odorous rivers,
sluice gates, monitoring points, open orders, the last 30 days of patrol tracks and village
boundaries. One fixed set of queries whatever the amount of data (tracks are thinned to at most
``TRACK_POINTS`` points each, so the answer stays small too).

Every feature carries ``url``: the page a click opens.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.links import url_of
from core.models import Region, User
from directives.models import OPEN, Directive
from monitoring import status_store
from monitoring.models import MonitoringPoint
from monitoring.periods import Period
from overview.models import VillageBoundary
from patrols.models import Patrol, TrackPoint
from rivers.models import River, SluiceGate
from smartwater.models import Site

TRACK_DAYS = 30
TRACK_POINTS = 60


def _point(lon, lat) -> dict | None:
    if lat is None or lon is None:
        return None
    return {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]}


def _feature(layer: str, geometry: dict, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": {"layer": layer, **properties}}


def _midpoint(geometry: dict | None) -> dict | None:
    if not isinstance(geometry, dict):
        return None
    coords = geometry.get("coordinates") or []
    if geometry.get("type") == "MultiLineString":
        coords = [c for line in coords for c in line]
    if geometry.get("type") not in ("LineString", "MultiLineString") or not coords:
        return None
    lon, lat = coords[len(coords) // 2][:2]
    return _point(lon, lat)


def _thin(points: list[list[float]], n: int = TRACK_POINTS) -> list[list[float]]:
    if len(points) <= n:
        return points
    step = (len(points) - 1) / (n - 1)
    return [points[round(i * step)] for i in range(n)]


def map_layers(
    *,
    viewer: User,
    town: Region,
    village: Region | None = None,
    at: datetime | None = None,
    editor: bool = False,
) -> dict:
    """The map of ``town`` (optionally one village) as its office sees it.

    ``editor``: the person looking may edit the registry (a click on a site opens its form).
    """
    now = at or timezone.now()
    today = timezone.localdate(now)
    in_town = Q(region__code__startswith=town.code) | Q(regions__code__startswith=town.code)
    rivers_qs = River.objects.visible_to(viewer).filter(in_town, is_active=True)
    if village is not None:
        rivers_qs = rivers_qs.filter(Q(region=village) | Q(regions=village))
    # The layers filter by this subquery, not by a list of thousands of ids; the rivers are
    # read through it too, so no DISTINCT has to compare their courses.
    in_map = rivers_qs.values("id")
    rivers = list(
        River.objects.filter(pk__in=in_map)
        .order_by("code")
        .values_list("id", "code", "name", "level", "geometry")
    )
    river_ids = [r[0] for r in rivers]
    geometry_of = {r[0]: r[4] for r in rivers}
    period = Period.current("month", today=today).previous()
    # Class and black odour only, from the stored statuses (their detail is not needed here).
    statuses = status_store.briefs(river_ids=river_ids, period=period)

    features = []
    river_url = url_of("rivers:river-detail")
    for pk, code, name, level, geometry in rivers:
        if not (isinstance(geometry, dict) and geometry.get("coordinates")):
            continue
        status = statuses.get(pk)
        url = river_url(pk)
        features.append(
            _feature(
                "rivers",
                geometry,
                id=pk,
                name=name,
                code=code,
                level=level,
                url=url,
                water_class=status.water_class if status else None,
                class_label=status.class_label if status else "",
            )
        )
        if status and status.black_odour:
            features.append(
                _feature(
                    "black_odour",
                    geometry,
                    id=pk,
                    name=name,
                    url=url,
                    level=int(status.black_odour),
                )
            )

    gates = SluiceGate.objects.visible_to(viewer).filter(region__code__startswith=town.code)
    if village is not None:
        gates = gates.filter(Q(region=village) | Q(river_id__in=in_map))
    for pk, name, lat, lon, river_id in gates.values_list(
        "id", "name", "latitude", "longitude", "river_id"
    ):
        if geometry := _point(lon, lat):
            url = river_url(river_id) if river_id else ""
            features.append(_feature("gates", geometry, id=pk, name=name, url=url))

    points = MonitoringPoint.objects.filter(is_active=True, river_id__in=in_map)
    point_url = url_of("monitoring:point-detail")
    for pk, name, lat, lon in points.values_list("id", "name", "latitude", "longitude"):
        if geometry := _point(lon, lat):
            features.append(_feature("points", geometry, id=pk, name=name, url=point_url(pk)))

    # Planned smart-water monitoring sites (智慧水务), whatever their stage: the office plans
    # them on the same map as what is measured today.
    sites = Site.objects.visible_to(viewer).filter(town=town)
    if village is not None:
        sites = sites.filter(Q(river_id__in=in_map) | Q(gate__region=village))
    site_url = url_of("smartwater:site-edit")
    sites_url = reverse("smartwater:site-list")
    for pk, name, lat, lon, status in sites.values_list(
        "id", "name", "latitude", "longitude", "status"
    ):
        if geometry := _point(lon, lat):
            # The office opens the site itself; others, who may not edit, its stage's list.
            url = site_url(pk) if editor else f"{sites_url}?status={status}"
            features.append(
                _feature(
                    "sites",
                    geometry,
                    id=pk,
                    name=name,
                    url=url,
                    status=status,
                    status_label=str(Site.Status(status).label),
                )
            )

    orders = Directive.objects.visible_to(viewer).filter(status__in=OPEN, town=town)
    if village is not None:
        orders = orders.filter(Q(target_village=village) | Q(river_id__in=in_map))
    order_url = url_of("directives:order-detail")
    for pk, title, river_id, lat, lon, deadline in orders.values_list(
        "id", "title", "river_id", "finding__latitude", "finding__longitude", "deadline"
    ):
        geometry = _point(lon, lat) or _midpoint(geometry_of.get(river_id))
        if geometry:
            features.append(
                _feature(
                    "orders",
                    geometry,
                    id=pk,
                    name=title,
                    url=order_url(pk),
                    overdue=deadline < today,
                )
            )

    since = now - timedelta(days=TRACK_DAYS)
    patrols = Patrol.objects.visible_to(viewer).filter(
        region__code__startswith=town.code, started_at__gte=since, started_at__lte=now
    )
    if village is not None:
        patrols = patrols.filter(Q(region=village) | Q(river_id__in=in_map))
    names = dict(patrols.values_list("id", "river__name"))
    tracks: dict[int, list[list[float]]] = defaultdict(list)
    for patrol_id, lat, lon in (
        TrackPoint.objects.filter(patrol_id__in=list(names))
        .order_by("patrol_id", "recorded_at")
        .values_list("patrol_id", "latitude", "longitude")
    ):
        tracks[patrol_id].append([round(lon, 6), round(lat, 6)])
    patrol_url = url_of("patrols:patrol-detail")
    for patrol_id, coords in tracks.items():
        if len(coords) >= 2:
            features.append(
                _feature(
                    "tracks",
                    {"type": "LineString", "coordinates": _thin(coords)},
                    id=patrol_id,
                    name=names[patrol_id],
                    url=patrol_url(patrol_id),
                )
            )

    boundaries = VillageBoundary.objects.filter(village__code__startswith=town.code)
    if village is not None:
        boundaries = boundaries.filter(village=village)
    villages_url = reverse("rivers:river-list")
    for pk, name, geometry in boundaries.values_list("village_id", "village__name", "geometry"):
        features.append(
            _feature(
                "villages",
                geometry,
                id=pk,
                name=name,
                url=f"{villages_url}?village={pk}",
            )
        )
    return {"type": "FeatureCollection", "period": period.key, "features": features}
