"""Recording patrols: live from a phone, after the fact, or from a GPX file; and reviewing them.

Every function is atomic and raises ValidationError with field keys, so a bad upload saves
nothing in part. Live uploads are idempotent by client id: a phone that retries after a dropped
connection gets the same patrol back and its points are not stored twice.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

import gpxpy
import gpxpy.gpx
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.idempotency import save_once
from core.models import User
from core.scoping import scope_code
from patrols import geo
from patrols.models import Patrol, TrackPoint
from patrols.services.flags import refresh_flags
from rivers.models import Chief, ChiefAssignment, Reach, River

# Phones' clocks drift; a start "in the future" by less than this is a clock, not a lie.
CLOCK_SKEW = timedelta(minutes=5)
MAX_DURATION = timedelta(hours=24)
MAX_POINTS_PER_UPLOAD = 10_000


# --- who may do what ----------------------------------------------------------------------------


def chief_for(*, by: User, chief: Chief | None = None) -> Chief:
    """The chief a patrol is recorded for: one's own, or (office, API) a chief in scope."""
    own = getattr(by, "chief", None) if by.is_authenticated else None
    if chief is None:
        if own is None:
            raise ValidationError({"chief": _("请选择为哪位河长记录巡河")})
        return own
    if own is not None and own.pk == chief.pk:
        return chief
    code = scope_code(by)
    allowed = by.is_office or by.role == User.Role.DISTRICT_CLIENT
    if not allowed or code is None or not chief.region.code.startswith(code):
        raise PermissionDenied(_("您只能记录自己的巡河"))
    return chief


def require_can_edit(patrol: Patrol, by: User) -> None:
    if patrol.recorded_by_id == by.pk or patrol.chief.user_id == by.pk:
        return
    code = scope_code(by)
    if by.is_office and code is not None and patrol.region.code.startswith(code):
        return
    raise PermissionDenied(_("您不能修改这条巡河记录"))


def check_river(*, chief: Chief, river: River, reach: Reach | None, on) -> None:
    if reach is not None and reach.river_id != river.pk:
        raise ValidationError({"reach": _("该河段不属于所选河道")})
    assigned = ChiefAssignment.objects.current(on=on).filter(chief=chief, river=river)
    if not assigned.exists():
        raise ValidationError(
            {"river": _("%(chief)s不是%(river)s的河长") % {"chief": chief.user, "river": river}}
        )


def _check_times(started_at: datetime, ended_at: datetime | None) -> None:
    now = timezone.now()
    errors = {}
    if started_at > now + CLOCK_SKEW:
        errors["started_at"] = _("开始时间不能晚于现在")
    if ended_at is not None:
        if ended_at <= started_at:
            errors["ended_at"] = _("结束时间必须晚于开始时间")
        elif ended_at - started_at > MAX_DURATION:
            errors["ended_at"] = _("一次巡河不能超过 24 小时")
        elif ended_at > now + CLOCK_SKEW:
            errors["ended_at"] = _("结束时间不能晚于现在")
    if errors:
        raise ValidationError(errors)


# --- track points -------------------------------------------------------------------------------


def clean_points(raw: Iterable[dict]) -> list[TrackPoint]:
    """Dicts with recorded_at (aware datetime), latitude, longitude[, accuracy_m] -> unsaved rows.

    The whole batch is refused if one point is implausible, naming the first bad one.
    """
    points = []
    now = timezone.now()
    for i, p in enumerate(raw):
        try:
            lat, lon = float(p["latitude"]), float(p["longitude"])
            at = p["recorded_at"]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                {"points": _("第 %(n)d 个轨迹点格式不对") % {"n": i + 1}}
            ) from None
        if not geo.plausible(lat, lon):
            raise ValidationError(
                {
                    "points": _("第 %(n)d 个轨迹点坐标不合理（%(lat)s, %(lon)s）")
                    % {"n": i + 1, "lat": lat, "lon": lon}
                }
            )
        if not isinstance(at, datetime) or timezone.is_naive(at) or at > now + CLOCK_SKEW:
            raise ValidationError({"points": _("第 %(n)d 个轨迹点时间不对") % {"n": i + 1}})
        accuracy = p.get("accuracy_m")
        points.append(
            TrackPoint(
                recorded_at=at,
                latitude=lat,
                longitude=lon,
                accuracy_m=float(accuracy) if accuracy not in (None, "") else None,
            )
        )
    if len(points) > MAX_POINTS_PER_UPLOAD:
        raise ValidationError(
            {"points": _("一次最多上传 %(n)d 个轨迹点") % {"n": MAX_POINTS_PER_UPLOAD}}
        )
    return points


def parse_gpx(data: bytes | str) -> list[dict]:
    """Points with a time from a GPX file's tracks (or routes); ValidationError on ``gpx``.

    The size is checked before parsing: a day's walk logged every second is under 1 MB, while
    parsing 16 MB of XML held a web worker for half a minute.
    """
    if len(data) > settings.GPX_MAX_BYTES:
        raise ValidationError(
            {
                "gpx": _("GPX 文件过大（%(size).1f MB），上限为 %(limit).1f MB")
                % {"size": len(data) / 1048576, "limit": settings.GPX_MAX_BYTES / 1048576}
            }
        )
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    try:
        gpx = gpxpy.parse(data)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise ValidationError({"gpx": _("GPX 文件无法解析：%(e)s") % {"e": exc}}) from exc
    fixes = [
        pt
        for track in gpx.tracks
        for segment in track.segments
        for pt in segment.points
        if pt.time is not None
    ]
    if not fixes:
        raise ValidationError({"gpx": _("GPX 文件中没有带时间的轨迹点")})
    out = []
    for pt in fixes:
        at = pt.time if timezone.is_aware(pt.time) else pt.time.replace(tzinfo=timezone.utc)
        out.append({"recorded_at": at, "latitude": pt.latitude, "longitude": pt.longitude})
    out.sort(key=lambda p: p["recorded_at"])
    return out


def _store_points(patrol: Patrol, points: list[TrackPoint]) -> None:
    for p in points:
        p.patrol = patrol
    TrackPoint.objects.bulk_create(points, ignore_conflicts=True)
    fixes = list(
        patrol.points.order_by("recorded_at").values_list("recorded_at", "latitude", "longitude")
    )
    patrol.point_count = len(fixes)
    patrol.distance_m = round(geo.track_length_m(fixes))


# --- live patrols -------------------------------------------------------------------------------


@transaction.atomic
def start_patrol(
    *,
    by: User,
    river: River,
    reach: Reach | None = None,
    chief: Chief | None = None,
    client_id: uuid.UUID | None = None,
    started_at: datetime | None = None,
    walker_name: str = "",
) -> Patrol:
    """Start a live patrol; the same ``client_id`` again returns the existing patrol.

    Also when sent concurrently: the returned patrol's ``just_created`` says whether this call
    stored it (the API answers 201) or found it (200).
    """
    if client_id is not None:
        existing = Patrol.objects.filter(client_id=client_id).first()
        if existing is not None:
            require_can_edit(existing, by)
            existing.just_created = False
            return existing
    chief = chief_for(by=by, chief=chief)
    started_at = started_at or timezone.now()
    _check_times(started_at, None)
    check_river(chief=chief, river=river, reach=reach, on=timezone.localdate(started_at))
    patrol = Patrol(
        client_id=client_id or uuid.uuid4(),
        chief=chief,
        region=chief.region,
        level=chief.level,
        river=river,
        reach=reach,
        walker_name=walker_name.strip(),
        recorded_by=by,
        source=Patrol.Source.LIVE,
        status=Patrol.Status.IN_PROGRESS,
        started_at=started_at,
    )
    patrol._history_user = by
    patrol, created = save_once(patrol)
    if not created:
        require_can_edit(patrol, by)
    return patrol


@transaction.atomic
def add_track_points(*, patrol: Patrol, by: User, points: Iterable[dict]) -> Patrol:
    """Append buffered points; a point already stored (same instant) is ignored."""
    patrol = Patrol.objects.select_for_update().select_related("chief", "region").get(pk=patrol.pk)
    require_can_edit(patrol, by)
    if patrol.status != Patrol.Status.IN_PROGRESS:
        raise ValidationError({"points": _("巡河已结束，不能再添加轨迹点")})
    rows = clean_points(points)
    early = [p for p in rows if p.recorded_at < patrol.started_at - CLOCK_SKEW]
    if early:
        raise ValidationError({"points": _("轨迹点时间早于巡河开始时间")})
    _store_points(patrol, rows)
    # A phone sends points every few seconds: update the running totals without writing a
    # history row each time (the history records starting, finishing and reviewing).
    Patrol.objects.filter(pk=patrol.pk).update(
        updated_at=timezone.now(), point_count=patrol.point_count, distance_m=patrol.distance_m
    )
    return patrol


@transaction.atomic
def finish_patrol(
    *, patrol: Patrol, by: User, ended_at: datetime | None = None, note: str = ""
) -> Patrol:
    """Finish a live patrol and compute its flags; finishing twice changes nothing."""
    patrol = (
        Patrol.objects.select_for_update()
        .select_related("chief", "region", "river")
        .get(pk=patrol.pk)
    )
    require_can_edit(patrol, by)
    if patrol.status == Patrol.Status.FINISHED:
        return patrol
    ended_at = ended_at or timezone.now()
    _check_times(patrol.started_at, ended_at)
    patrol.ended_at = ended_at
    patrol.status = Patrol.Status.FINISHED
    if note:
        patrol.note = note
    refresh_flags(patrol)
    patrol._history_user = by
    patrol.save()
    return patrol


# --- after the fact -----------------------------------------------------------------------------


@transaction.atomic
def record_patrol(
    *,
    by: User,
    river: River,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    reach: Reach | None = None,
    chief: Chief | None = None,
    walker_name: str = "",
    note: str = "",
    gpx: bytes | str | None = None,
    points: Iterable[dict] | None = None,
    client_id: uuid.UUID | None = None,
) -> Patrol:
    """Record a finished patrol after the fact, with an optional GPX file or list of points.

    With a GPX track and no times given, the patrol lasts from its first to its last point.
    The same ``client_id`` again (even concurrently) returns the stored patrol, with
    ``just_created`` False.
    """
    if client_id is not None:
        existing = Patrol.objects.filter(client_id=client_id).first()
        if existing is not None:
            require_can_edit(existing, by)
            existing.just_created = False
            return existing
    chief = chief_for(by=by, chief=chief)
    raw = parse_gpx(gpx) if gpx else list(points or [])
    rows = clean_points(raw)
    if rows:
        started_at = started_at or min(p.recorded_at for p in rows)
        ended_at = ended_at or max(p.recorded_at for p in rows)
    errors = {}
    if started_at is None:
        errors["started_at"] = _("请填写开始时间")
    if ended_at is None:
        errors["ended_at"] = _("请填写结束时间")
    if errors:
        raise ValidationError(errors)
    _check_times(started_at, ended_at)
    outside = [
        p for p in rows if not (started_at - CLOCK_SKEW <= p.recorded_at <= ended_at + CLOCK_SKEW)
    ]
    if outside:
        raise ValidationError(
            {"gpx" if gpx else "points": _("有 %(n)d 个轨迹点不在巡河时段内") % {"n": len(outside)}}
        )
    check_river(chief=chief, river=river, reach=reach, on=timezone.localdate(started_at))
    patrol = Patrol(
        client_id=client_id or uuid.uuid4(),
        chief=chief,
        region=chief.region,
        level=chief.level,
        river=river,
        reach=reach,
        walker_name=walker_name.strip(),
        recorded_by=by,
        source=Patrol.Source.GPX if gpx else Patrol.Source.MANUAL,
        status=Patrol.Status.FINISHED,
        started_at=started_at,
        ended_at=ended_at,
        note=note,
    )
    patrol._history_user = by
    patrol, created = save_once(patrol)
    if not created:
        require_can_edit(patrol, by)
        return patrol
    if rows:
        _store_points(patrol, rows)
    refresh_flags(patrol)
    patrol.save(update_fields=["point_count", "distance_m", "flags"])
    return patrol


# --- review -------------------------------------------------------------------------------------


@transaction.atomic
def review_patrol(*, patrol: Patrol, by: User, decision: str, note: str = "") -> Patrol:
    """The office accepts or rejects a patrol; a rejected patrol no longer counts for duty."""
    patrol = Patrol.objects.select_for_update().select_related("region").get(pk=patrol.pk)
    code = scope_code(by)
    if not by.is_office or code is None or not patrol.region.code.startswith(code):
        raise PermissionDenied(_("只有河长办工作人员可以审核巡河记录"))
    if decision not in (Patrol.Review.ACCEPTED, Patrol.Review.REJECTED, Patrol.Review.NONE):
        raise ValidationError({"decision": _("审核结论不对")})
    if patrol.status != Patrol.Status.FINISHED:
        raise ValidationError({"decision": _("巡河尚未结束，不能审核")})
    if decision == Patrol.Review.REJECTED and not note.strip():
        raise ValidationError({"note": _("不予认可时请写明理由")})
    patrol.review = decision
    patrol.review_note = note.strip()
    patrol.reviewed_by = by
    patrol._history_user = by
    patrol._change_reason = note.strip() or None
    patrol.save(update_fields=["review", "review_note", "reviewed_by"])
    return patrol
