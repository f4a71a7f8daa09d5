"""Authenticity flags of a patrol, computed from its own data, no database.

Flags are hints for the office, never a verdict: a flagged patrol still counts until the office
rejects it, and a gap in a track is not proof of fraud (phones stop reporting a page's position
when the screen locks).
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from patrols import geo

TOO_SHORT = "too_short"
TOO_FAST = "too_fast"
OFF_RIVER = "off_river"
FEW_POINTS = "few_points"
PHOTO_TIME = "photo_time"

LABELS = {
    TOO_SHORT: _("时长或里程过短"),
    TOO_FAST: _("速度不合理"),
    OFF_RIVER: _("轨迹偏离河道"),
    FEW_POINTS: _("轨迹点过少"),
    PHOTO_TIME: _("照片拍摄时间不在巡河时段内"),
}


@dataclass(frozen=True)
class Thresholds:
    min_minutes: int = 10
    min_distance_m: int = 1000
    max_speed_kmh: float = 25.0
    max_river_distance_m: int = 300
    min_points: int = 5
    photo_tolerance_minutes: int = 10

    @classmethod
    def of(cls, policy) -> "Thresholds":
        return cls(**{f: getattr(policy, f) for f in cls.__dataclass_fields__})


def describe(t: Thresholds) -> dict[str, str]:
    """The rule behind each flag, in words, for the pages that show flags."""
    return {
        TOO_SHORT: _("巡河时长少于 %(m)d 分钟，或有轨迹时里程少于 %(d)s 公里")
        % {"m": t.min_minutes, "d": f"{t.min_distance_m / 1000:g}"},
        TOO_FAST: _("相邻轨迹点之间的速度超过 %(v)s 公里/小时") % {"v": f"{t.max_speed_kmh:g}"},
        OFF_RIVER: _("河道有走向时，轨迹点到河道距离的中位数超过 %(d)d 米")
        % {"d": t.max_river_distance_m},
        FEW_POINTS: _("手机实时记录或 GPX 轨迹少于 %(n)d 个点") % {"n": t.min_points},
        PHOTO_TIME: _("照片拍摄时间早于开始或晚于结束超过 %(m)d 分钟")
        % {"m": t.photo_tolerance_minutes},
    }


def compute_flags(
    *,
    started_at: datetime,
    ended_at: datetime,
    points: Sequence[geo.Fix],
    has_track: bool,
    photo_times: Sequence[datetime | None],
    river_geometry: dict | None,
    river_crs: str,
    thresholds: Thresholds,
) -> list[str]:
    """The flag codes for a finished patrol, in a stable order.

    ``has_track``: whether a track was expected (a live or GPX patrol); an after-the-fact entry
    without a track is judged on its duration only.
    """
    flags = []
    minutes = (ended_at - started_at).total_seconds() / 60
    length = geo.track_length_m(points)
    if minutes < thresholds.min_minutes or (has_track and length < thresholds.min_distance_m):
        flags.append(TOO_SHORT)
    if len(points) >= 2 and geo.max_speed_kmh(points) > thresholds.max_speed_kmh:
        flags.append(TOO_FAST)
    if points and river_geometry:
        distances = geo.distances_to_river_m(
            [(p[1], p[2]) for p in points], river_geometry, crs=river_crs
        )
        if distances and statistics.median(distances) > thresholds.max_river_distance_m:
            flags.append(OFF_RIVER)
    if has_track and len(points) < thresholds.min_points:
        flags.append(FEW_POINTS)
    tolerance = timedelta(minutes=thresholds.photo_tolerance_minutes)
    if any(
        t is not None and not (started_at - tolerance <= t <= ended_at + tolerance)
        for t in photo_times
    ):
        flags.append(PHOTO_TIME)
    return flags
