"""A year (2018) of patrols in the demo town, from shared/reference/patrol-rules.md and zhujing.md.

- the 91 town-level chiefs make exactly 3,344 patrols in 2018 (the reference report's figure),
  spread at random over the year, so a few chief-months fall short of the monthly duty;
- the 45 village chiefs patrol in about nine weeks out of ten;
- every patrol has a synthetic track: along the river's line when the registry has a WGS84
  geometry for it (walking a short river there and back), otherwise near 30.90N 121.17E;
  some are flagged (too short, too fast, too few points), a few village patrols are rejected
  by the office, and about one in twelve has a finding, most of them resolved since (one in
  sixteen is left OPEN, for the office and the directives demo).

Deterministic (seeded; client ids are UUID5 of a serial) and idempotent: a second run finds
every client id and creates nothing. Built with bulk_create (with history rows).
"""

import io
import math
import random
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import F
from PIL import Image, ImageDraw
from shapely.geometry import LineString
from simple_history.utils import bulk_create_with_history

from core.choices import ChiefLevel
from core.models import User
from patrols import authenticity, geo
from patrols.models import AuthenticityPolicy, Finding, FindingPhoto, Patrol, TrackPoint
from rivers.models import Chief, ChiefAssignment, River

SEED = 2018
YEAR = 2018
TOWN_PATROLS_2018 = 3344  # shared/reference/zhujing.md / patrol-rules.md
VILLAGE_WEEK_SHARE = 0.9
FINDING_SHARE = 1 / 12
PHOTOS = 24
NAMESPACE = uuid.UUID("6f1c3b52-6a0e-4c1e-9b1e-2018aa5c0001")
CENTRE = (30.90, 121.17)

NOTES = {
    Finding.Category.GARBAGE: ["河面有塑料袋、泡沫等漂浮垃圾", "水葫芦堆积，需打捞"],
    Finding.Category.SEWAGE_OUTLET: ["岸边发现一处疑似生活污水排口", "雨水管有污水流出，颜色发灰"],
    Finding.Category.ENCROACHMENT: ["岸边新搭建简易棚", "河岸被开垦种菜"],
    Finding.Category.BANK_DAMAGE: ["护岸局部坍塌约 5 米", "驳岸出现裂缝"],
    Finding.Category.BLACK_ODOROUS: ["水体发黑有异味", "支浜水体发黑"],
    Finding.Category.ILLEGAL_FISHING: ["有人用地笼捕鱼", "发现电鱼人员"],
    Finding.Category.DUMPING: ["岸边倾倒建筑垃圾", "河边堆放渣土"],
    Finding.Category.FACILITY_DAMAGE: ["河长公示牌字迹脱落", "节制闸启闭机锈蚀"],
    Finding.Category.OTHER: ["岸边杂草丛生，需要养护"],
}
CATEGORY_WEIGHTS = [30, 8, 6, 10, 6, 6, 10, 8, 6]


def _cid(kind: str, n: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}-{n}")


def _at(day: date, minutes: int, tz) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz) + timedelta(minutes=minutes)


def _counts(total: int, n: int, rng: random.Random) -> list[int]:
    """``n`` positive counts summing exactly to ``total``, varied around the mean."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(n)]
    raw = [total * w / sum(weights) for w in weights]
    counts = [math.floor(x) for x in raw]
    for i in sorted(range(n), key=lambda i: raw[i] - counts[i], reverse=True)[
        : total - sum(counts)
    ]:
        counts[i] += 1
    return counts


def _anchor(river_id: int) -> tuple[float, float, float]:
    """A fixed place and heading for each river, near the town centre."""
    r = random.Random(river_id * 7919)
    return (
        CENTRE[0] + r.uniform(-0.04, 0.04),
        CENTRE[1] + r.uniform(-0.05, 0.05),
        r.uniform(0, math.pi),
    )


def _along(line: list, start: datetime, minutes: int, metres: float, n: int, rng):
    """Points walking ``metres`` along a GeoJSON line ([lon, lat] pairs), from a random place.

    A walk longer than the river goes back along it (chiefs walk a short village river there
    and back), and a walk that kept its position gets a point every 100 m or so, as a phone
    reports, so that the track's length is the distance walked.
    """
    lat0 = line[0][1]
    kx = 111_195 * math.cos(math.radians(lat0))
    path = LineString([(lon * kx, lat * 111_195) for lon, lat in line])
    length = path.length or 1.0
    offset = rng.uniform(0, max(length - metres, 0))
    if n >= 6:
        n = max(n, 2 + int(metres // 100))
    points = []
    for i in range(n):
        d = (offset + metres * i / max(n - 1, 1)) % (2 * length)
        p = path.interpolate(d if d <= length else 2 * length - d)
        at = start + timedelta(seconds=round(minutes * 60 * i / max(n - 1, 1)))
        points.append((at, round(p.y / 111_195, 6), round(p.x / kx, 6)))
    return points


def _track(river_id: int, start: datetime, minutes: int, metres: float, n: int, rng, line=None):
    """A walk along the river's geometry if it has one, else near a fixed place for the river."""
    if line:
        return _along(line, start, minutes, metres, n, rng)
    lat0, lon0, heading = _anchor(river_id)
    offset = rng.uniform(0, 800)
    points = []
    for i in range(n):
        d = offset + metres * i / max(n - 1, 1)
        jitter = rng.uniform(-8, 8)
        lat = lat0 + (d * math.cos(heading) + jitter) / 111_195
        lon = lon0 + (d * math.sin(heading)) / (111_195 * math.cos(math.radians(lat0)))
        at = start + timedelta(seconds=round(minutes * 60 * i / max(n - 1, 1)))
        points.append((at, round(lat, 6), round(lon, 6)))
    return points


def _photo(rng: random.Random, label: str) -> bytes:
    img = Image.new("RGB", (480, 360), (rng.randint(60, 110), rng.randint(110, 150), 90))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randint(0, 460), rng.randint(150, 340)
        draw.ellipse((x, y, x + rng.randint(10, 40), y + rng.randint(6, 20)), fill=(230, 230, 225))
    draw.rectangle((0, 0, 480, 140), fill=(150, 190, 220))
    draw.text((12, 12), label, fill=(20, 20, 20))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def _insert_points(rows, chunk: int = 5000) -> None:
    """Track points by a plain multi-row INSERT: 140,000 model instances through
    ``bulk_create`` were most of the demo's time (points have no history and no signals)."""
    table = connection.ops.quote_name(TrackPoint._meta.db_table)
    sql = (
        f"INSERT INTO {table} (patrol_id, recorded_at, latitude, longitude) VALUES (%s, %s, %s, %s)"
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        for part in _chunks(rows, chunk):
            cursor.executemany(sql, [(pid, adapt(at), lat, lon) for pid, at, lat, lon in part])


def _chunks(rows, size: int):
    part = []
    for row in rows:
        part.append(row)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def build(*, stdout=None) -> str:
    tz = ZoneInfo(settings.TIME_ZONE)
    rng = random.Random(SEED)
    thresholds = authenticity.Thresholds.of(AuthenticityPolicy.current())
    office = User.objects.filter(username="office").first()
    chiefs = list(
        Chief.objects.filter(user__username__regex=r"^[zc][0-9]{3}$")
        .select_related("user", "region")
        .order_by("user__username")
    )
    if not chiefs:
        return "no demo chiefs (run the rivers demo first)"
    assignments: dict[int, list[tuple[int, int | None]]] = {}
    for chief_id, river_id, reach_id in (
        ChiefAssignment.objects.filter(chief__in=chiefs)
        .order_by("pk")
        .values_list("chief_id", "river_id", "reach_id")
    ):
        assignments.setdefault(chief_id, []).append((river_id, reach_id))
    # Rivers with a WGS84 LineString get tracks along it (the registry demo has none yet).
    lines = {}
    for river_id, geometry, crs in River.objects.exclude(geometry=None).values_list(
        "id", "geometry", "geometry_crs"
    ):
        if crs == River.Crs.WGS84 and (geometry or {}).get("type") == "LineString":
            lines[river_id] = geometry["coordinates"]

    # Plan every patrol first (the random stream must not depend on what already exists).
    plans = []  # (chief, river_id, reach_id, day)
    town = [c for c in chiefs if c.level == ChiefLevel.TOWN]
    village = [c for c in chiefs if c.level == ChiefLevel.VILLAGE]
    days = [date(YEAR, 1, 1) + timedelta(days=i) for i in range(365)]
    # Chiefs without a river (the registry demo leaves some village chiefs without one) have no
    # duty and make no patrols.
    town = [c for c in town if assignments.get(c.pk)]
    village = [c for c in village if assignments.get(c.pk)]
    for chief, count in zip(town, _counts(TOWN_PATROLS_2018, len(town), rng), strict=True):
        where = assignments.get(chief.pk) or []
        for day in sorted(rng.sample(days, count)):
            river_id, reach_id = rng.choice(where)
            plans.append((chief, river_id, reach_id, day))
    first_monday = date(YEAR, 1, 1) - timedelta(days=date(YEAR, 1, 1).weekday())
    for chief in village:
        where = assignments.get(chief.pk) or []
        monday = first_monday
        while monday.year <= YEAR:
            if rng.random() < VILLAGE_WEEK_SHARE:
                day = monday + timedelta(days=rng.randint(0, 6))
                if day.year == YEAR:
                    river_id, reach_id = rng.choice(where)
                    plans.append((chief, river_id, reach_id, day))
            monday += timedelta(days=7)

    existing = set(Patrol.objects.values_list("client_id", flat=True))
    patrols, tracks, finding_plans = [], [], []
    for n, (chief, river_id, reach_id, day) in enumerate(plans):
        roll = rng.random()
        start = _at(day, rng.randint(8 * 60, 17 * 60), tz)
        minutes, metres, npoints, walker = rng.randint(25, 95), rng.uniform(1300, 3600), 6, ""
        if roll < 0.03:  # a hurried round
            minutes, metres = rng.randint(4, 9), rng.uniform(250, 800)
        elif roll < 0.045:  # driven, not walked
            minutes, metres = rng.randint(10, 14), rng.uniform(6000, 9000)
        elif roll < 0.06:  # the phone lost its position
            npoints = 3
        if rng.random() < 0.05:
            walker = rng.choice(["河长助理", "村保洁员", "巡河员"])
        points = _track(river_id, start, minutes, metres, npoints, rng, lines.get(river_id))
        ended = start + timedelta(minutes=minutes)
        has_finding = rng.random() < FINDING_SHARE
        category = rng.choices(list(NOTES), weights=CATEGORY_WEIGHTS)[0]
        note = rng.choice(NOTES[category])
        client_id = _cid("patrol", n)
        if client_id in existing:
            continue
        flags = authenticity.compute_flags(
            started_at=start,
            ended_at=ended,
            points=points,
            has_track=True,
            photo_times=[],
            river_geometry={"type": "LineString", "coordinates": lines[river_id]}
            if river_id in lines
            else None,
            river_crs="wgs84",
            thresholds=thresholds,
        )
        rejected = (
            chief.level == ChiefLevel.VILLAGE and authenticity.TOO_FAST in flags and n % 3 == 0
        )
        patrols.append(
            Patrol(
                client_id=client_id,
                chief=chief,
                region=chief.region,
                level=chief.level,
                river_id=river_id,
                reach_id=reach_id,
                walker_name=walker,
                recorded_by=chief.user,
                source=Patrol.Source.LIVE,
                status=Patrol.Status.FINISHED,
                started_at=start,
                ended_at=ended,
                distance_m=round(geo.track_length_m(points)),
                point_count=len(points),
                flags=flags,
                note=note if has_finding else "",
                review=Patrol.Review.REJECTED if rejected else Patrol.Review.NONE,
                review_note="车速巡河，不予认可" if rejected else "",
                reviewed_by=office if rejected else None,
            )
        )
        tracks.append(points)
        finding_plans.append((has_finding, category, note))

    if patrols:
        created = bulk_create_with_history(patrols, Patrol, batch_size=2000)
        # bulk_create_with_history returns the objects with their primary keys on PostgreSQL
        # and SQLite >= 3.35; look them up by client id to be safe everywhere.
        ids = dict(
            Patrol.objects.filter(client_id__in=[p.client_id for p in created]).values_list(
                "client_id", "pk"
            )
        )
        # Each patrol reached the server when it was finished, as it would have from a phone:
        # figures taken "as at" a moment (the monthly letters) see what was there by then.
        Patrol.objects.filter(pk__in=list(ids.values())).update(created_at=F("ended_at"))
        _insert_points(
            (ids[p.client_id], at, lat, lon)
            for p, pts in zip(patrols, tracks, strict=True)
            for at, lat, lon in pts
        )
        findings = []
        for p, pts, (has, category, note) in zip(patrols, tracks, finding_plans, strict=True):
            if not has:
                continue
            at, lat, lon = pts[len(pts) // 2]
            findings.append(
                Finding(
                    client_id=uuid.uuid5(NAMESPACE, f"finding-{p.client_id}"),
                    patrol_id=ids[p.client_id],
                    river_id=p.river_id,
                    reach_id=p.reach_id,
                    region=p.region,
                    category=category,
                    note=note,
                    latitude=lat,
                    longitude=lon,
                    found_at=at,
                    reported_by=p.recorded_by,
                    # Most problems were put right by the village (garbage cleared, a sign
                    # mended); one in sixteen is still open, for the office to follow up or
                    # turn into a supervision order (the directives demo does so for some).
                    status=Finding.Status.OPEN
                    if len(findings) % 16 == 0
                    else Finding.Status.RESOLVED,
                )
            )
        bulk_create_with_history(findings, Finding, batch_size=2000)
        photo_rng = random.Random(SEED + 1)
        with_photos = Finding.objects.filter(
            client_id__in=[f.client_id for f in findings[-PHOTOS:]]
        ).select_related("river")
        for finding in with_photos:
            photo = FindingPhoto(
                client_id=uuid.uuid5(NAMESPACE, f"photo-{finding.client_id}"),
                finding=finding,
                taken_at=finding.found_at,
                latitude=finding.latitude,
                longitude=finding.longitude,
            )
            label = f"{finding.river.code} {finding.found_at:%Y-%m-%d}"
            photo.image.save("photo.jpg", ContentFile(_photo(photo_rng, label)), save=False)
            photo.width, photo.height = 480, 360
            photo.save()
    else:
        findings = []

    town_total = Patrol.objects.filter(
        level=ChiefLevel.TOWN, started_at__year=YEAR, chief__in=town
    ).count()
    return f"patrols +{len(patrols)}, findings +{len(findings)}; town-level {YEAR}: {town_total}"
