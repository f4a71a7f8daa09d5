"""Track geometry without the database: distances, speeds, distance to a river, GCJ-02.

Phones give WGS84 positions (the Geolocation API and GPX are WGS84). Chinese web maps store
coordinates in GCJ-02 (国测局坐标, offset by up to ~500 m), so a river drawn on such a map is
compared after converting the track to GCJ-02 (River.geometry_crs says which one it is).
"""

import itertools
import math
from collections.abc import Sequence
from datetime import datetime

from shapely.geometry import LineString, MultiLineString, Point

EARTH_RADIUS_M = 6_371_008.8

# Plausible coordinates for this application: mainland China's bounding box, which also rules
# out swapped latitude/longitude and the 0,0 fix a phone reports before it has a position.
CHINA_LAT = (3.0, 54.0)
CHINA_LON = (73.0, 136.0)


def plausible(lat: float, lon: float) -> bool:
    return (
        CHINA_LAT[0] <= lat <= CHINA_LAT[1]
        and CHINA_LON[0] <= lon <= CHINA_LON[1]
        and not (math.isnan(lat) or math.isnan(lon))
    )


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


Fix = tuple[datetime, float, float]  # (time, latitude, longitude)


def track_length_m(points: Sequence[Fix]) -> float:
    return sum(haversine_m(a[1], a[2], b[1], b[2]) for a, b in itertools.pairwise(points))


def max_speed_kmh(points: Sequence[Fix], *, min_segment_m: float = 50.0) -> float:
    """The highest speed between consecutive fixes, over segments long enough to mean something.

    A single GPS jump of a few metres in one second is noise, not speed: segments shorter than
    ``min_segment_m`` are merged into the next one.
    """
    best = 0.0
    anchor = points[0] if points else None
    for p in points[1:]:
        d = haversine_m(anchor[1], anchor[2], p[1], p[2])
        if d < min_segment_m:
            continue
        seconds = (p[0] - anchor[0]).total_seconds()
        speed = math.inf if seconds <= 0 else d / seconds * 3.6
        best = max(best, speed)
        anchor = p
    return best


# --- GCJ-02 (the published "Mars coordinates" transform, valid inside China) ------------------
_A = 6378245.0
_EE = 0.00669342162296594323


def _tlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _tlon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    dlat = _tlat(lon - 105.0, lat - 35.0)
    dlon = _tlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lon + dlon


# --- distance to the river ----------------------------------------------------------------------


def _lines(geometry: dict) -> list[list[tuple[float, float]]]:
    """GeoJSON LineString/MultiLineString (or a Feature) -> lists of (lon, lat)."""
    if not geometry:
        return []
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry") or {}
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "LineString":
        return [[(float(c[0]), float(c[1])) for c in coords]] if len(coords) >= 2 else []
    if kind == "MultiLineString":
        return [[(float(c[0]), float(c[1])) for c in line] for line in coords if len(line) >= 2]
    return []


def distances_to_river_m(
    points: Sequence[tuple[float, float]], geometry: dict, *, crs: str = "wgs84"
) -> list[float] | None:
    """Metres from each (lat, lon) WGS84 point to the river line; None without a geometry.

    Projects onto a local equirectangular plane around the river (metres), which is accurate to
    well under 1 % over a town's few kilometres.
    """
    lines = _lines(geometry)
    if not lines or not points:
        return None
    lat0 = sum(lat for line in lines for _lon, lat in line) / sum(len(line) for line in lines)
    kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    ky = math.radians(1) * EARTH_RADIUS_M

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return lon * kx, lat * ky

    river = MultiLineString([[xy(lon, lat) for lon, lat in line] for line in lines])
    if len(lines) == 1:
        river = LineString(river.geoms[0])
    out = []
    for lat, lon in points:
        if crs == "gcj02":
            lat, lon = wgs84_to_gcj02(lat, lon)
        out.append(river.distance(Point(xy(lon, lat))))
    return out
