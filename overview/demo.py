"""Demo village boundaries for the town map (the registry has none): each town's extent, taken
from its own rivers' courses, is tiled among its villages in a grid whose inner corners are
shifted a little (seeded), so neighbouring villages share their borders. Illustrative only.
Idempotent: only villages without a boundary get one."""

import math
import random

from core.models import Region
from overview.models import VillageBoundary
from rivers.models import River

SEED = 2018


def _extent(town: Region) -> tuple[float, float, float, float] | None:
    lons, lats = [], []
    for geometry in River.objects.filter(region__code__startswith=town.code).values_list(
        "geometry", flat=True
    ):
        if isinstance(geometry, dict) and geometry.get("type") == "LineString":
            for lon, lat, *_rest in geometry["coordinates"]:
                lons.append(lon)
                lats.append(lat)
    if not lons:
        return None
    pad = 0.004
    return min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad


def _grid(extent, cols: int, rows: int, rng: random.Random) -> list[list[tuple[float, float]]]:
    west, south, east, north = extent
    dx, dy = (east - west) / cols, (north - south) / rows
    corners = []
    for j in range(rows + 1):
        row = []
        for i in range(cols + 1):
            inner = 0 < i < cols and 0 < j < rows
            jx = rng.uniform(-0.25, 0.25) * dx if inner else 0
            jy = rng.uniform(-0.25, 0.25) * dy if inner else 0
            row.append((round(west + i * dx + jx, 6), round(south + j * dy + jy, 6)))
        corners.append(row)
    return corners


def build(*, stdout=None) -> str:
    created = 0
    for town in Region.objects.filter(kind=Region.Kind.TOWN).order_by("code"):
        villages = list(
            Region.objects.filter(parent=town, kind=Region.Kind.VILLAGE).order_by("code")
        )
        missing = set(v.pk for v in villages) - set(
            VillageBoundary.objects.filter(village__in=villages).values_list(
                "village_id", flat=True
            )
        )
        extent = _extent(town)
        if not missing or extent is None:
            continue
        cols = math.ceil(math.sqrt(len(villages)))
        rows = math.ceil(len(villages) / cols)
        corners = _grid(extent, cols, rows, random.Random(f"{SEED}-{town.code}"))
        boundaries = []
        for n, village in enumerate(villages):
            if village.pk not in missing:
                continue
            i, j = n % cols, n // cols
            ring = [corners[j][i], corners[j][i + 1], corners[j + 1][i + 1], corners[j + 1][i]]
            # The last row may be short: its last village takes the rest of the row.
            if n == len(villages) - 1 and i < cols - 1:
                ring = [corners[j][i], corners[j][cols], corners[j + 1][cols], corners[j + 1][i]]
            ring = [list(p) for p in ring] + [list(ring[0])]
            boundaries.append(
                VillageBoundary(
                    village=village, geometry={"type": "Polygon", "coordinates": [ring]}
                )
            )
        VillageBoundary.objects.bulk_create(boundaries, ignore_conflicts=True)
        created += len(boundaries)
    return f"{created} village boundaries"
