"""Each authenticity flag, from the pure rule and through the services."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from patrols import authenticity, geo, services
from patrols.authenticity import Thresholds, compute_flags
from patrols.models import AuthenticityPolicy, Patrol
from tests.patrols.factories import track

START = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)
# A river running north from 30.9N 121.17E for about 3 km.
RIVER = {"type": "LineString", "coordinates": [[121.17, 30.9], [121.17, 30.93]]}


def fixes(points):
    return [(p["recorded_at"], p["latitude"], p["longitude"]) for p in points]


def flags_for(points, *, minutes=40, photos=(), river=RIVER, crs="wgs84", has_track=True, **t):
    return compute_flags(
        started_at=START,
        ended_at=START + timedelta(minutes=minutes),
        points=fixes(points),
        has_track=has_track,
        photo_times=list(photos),
        river_geometry=river,
        river_crs=crs,
        thresholds=Thresholds(**t),
    )


GOOD = track(START, n=30)  # 30 points, one a minute, 100 m apart: 6 km/h along the river


def test_a_plausible_walk_along_the_river_has_no_flags():
    assert flags_for(GOOD) == []


def test_a_patrol_shorter_than_ten_minutes_is_too_short():
    assert authenticity.TOO_SHORT in flags_for(GOOD, minutes=9)


def test_a_track_shorter_than_one_kilometre_is_too_short():
    short = track(START, n=10, dlat=0.0001)  # 10 m steps
    assert authenticity.TOO_SHORT in flags_for(short)


def test_an_after_the_fact_entry_without_a_track_is_judged_on_duration_only():
    assert flags_for([], has_track=False) == []
    assert flags_for([], has_track=False, minutes=5) == [authenticity.TOO_SHORT]


def test_the_minimums_are_configurable():
    short = track(START, n=10, dlat=0.0004)  # ~360 m
    assert authenticity.TOO_SHORT in flags_for(short, minutes=40)
    assert authenticity.TOO_SHORT not in flags_for(
        short, minutes=40, min_minutes=5, min_distance_m=300
    )


def test_a_car_speed_segment_is_implausible():
    fast = track(START, n=12, step_s=10)  # 100 m in 10 s: 36 km/h
    assert authenticity.TOO_FAST in flags_for(fast)
    assert authenticity.TOO_FAST not in flags_for(fast, max_speed_kmh=40)


def test_gps_jitter_is_not_speed():
    jitter = track(START, n=30)
    jitter.insert(
        5,
        {
            **jitter[5],
            "recorded_at": jitter[5]["recorded_at"] + timedelta(seconds=1),
            "latitude": jitter[5]["latitude"] + 0.0002,
        },
    )  # 22 m in 1 s
    assert geo.max_speed_kmh(fixes(jitter)) < 25
    assert authenticity.TOO_FAST not in flags_for(jitter)


def test_a_track_two_kilometres_off_the_river_is_flagged():
    elsewhere = track(START, n=30, lon=121.19)  # ~1.9 km east
    assert authenticity.OFF_RIVER in flags_for(elsewhere)
    assert authenticity.OFF_RIVER not in flags_for(GOOD)


def test_without_river_geometry_the_track_is_not_compared():
    elsewhere = track(START, n=30, lon=121.19)
    assert authenticity.OFF_RIVER not in flags_for(elsewhere, river=None)


def test_a_river_drawn_in_gcj02_is_compared_after_converting_the_track():
    lat, lon = geo.wgs84_to_gcj02(30.9, 121.17)
    # GCJ-02 shifts Zhujing by several hundred metres: enough to matter against 300 m.
    assert geo.haversine_m(30.9, 121.17, lat, lon) > 300
    shifted = {"type": "LineString", "coordinates": [[lon, lat], [lon, lat + 0.03]]}
    assert authenticity.OFF_RIVER not in flags_for(GOOD, river=shifted, crs="gcj02")
    assert authenticity.OFF_RIVER in flags_for(
        GOOD, river=shifted, crs="wgs84", max_river_distance_m=100
    )


def test_too_few_points_is_flagged():
    sparse = track(START, n=3, step_s=900, dlat=0.005)
    assert authenticity.FEW_POINTS in flags_for(sparse)


def test_a_photo_taken_outside_the_patrol_is_flagged():
    inside = START + timedelta(minutes=20)
    assert flags_for(GOOD, photos=[inside, None]) == []
    assert authenticity.PHOTO_TIME in flags_for(GOOD, photos=[START - timedelta(days=2)])
    within_tolerance = START + timedelta(minutes=45)
    assert flags_for(GOOD, photos=[within_tolerance]) == []


def test_the_thresholds_are_described_in_words():
    words = authenticity.describe(Thresholds(min_minutes=15, min_distance_m=1500))
    assert "15" in words[authenticity.TOO_SHORT]
    assert "1.5" in words[authenticity.TOO_SHORT]


# --- through the services -----------------------------------------------------------------------


def test_a_flagged_patrol_counts_until_the_office_rejects_it(chief_river, town_staff):
    chief, river = chief_river
    patrol = services.record_patrol(
        by=chief.user, river=river, started_at=START, ended_at=START + timedelta(minutes=5)
    )
    assert patrol.flags == [authenticity.TOO_SHORT]
    assert Patrol.objects.counting().filter(pk=patrol.pk).exists()
    with pytest.raises(ValidationError, match="理由"):
        services.review_patrol(patrol=patrol, by=town_staff, decision="rejected")
    services.review_patrol(patrol=patrol, by=town_staff, decision="rejected", note="轨迹不在河边")
    assert not Patrol.objects.counting().filter(pk=patrol.pk).exists()
    assert patrol.history.first().history_user == town_staff


def test_a_chief_cannot_review_patrols(chief_river):
    from django.core.exceptions import PermissionDenied

    chief, river = chief_river
    patrol = services.record_patrol(
        by=chief.user, river=river, started_at=START, ended_at=START + timedelta(minutes=50)
    )
    with pytest.raises(PermissionDenied):
        services.review_patrol(patrol=patrol, by=chief.user, decision="accepted")


def test_the_river_geometry_and_policy_from_the_database_are_used(chief_river):
    chief, river = chief_river
    river.geometry = RIVER
    river.save()
    elsewhere = track(START, n=30, lon=121.19)
    patrol = services.record_patrol(by=chief.user, river=river, points=elsewhere)
    assert patrol.flags == [authenticity.OFF_RIVER]
    policy = AuthenticityPolicy.current()
    policy.max_river_distance_m = 5000
    policy.save()
    services.refresh_flags(patrol)
    assert patrol.flags == []


def test_adding_a_photo_taken_days_earlier_flags_the_finished_patrol(chief_river, jpeg):
    chief, river = chief_river
    patrol = services.record_patrol(by=chief.user, river=river, points=GOOD)
    assert patrol.flags == []
    finding = services.report_finding(by=chief.user, patrol=patrol, river=river, category="garbage")
    services.add_finding_photo(
        finding=finding, by=chief.user, upload=jpeg(taken=datetime(2018, 3, 1, 9, 0))
    )
    patrol.refresh_from_db()
    assert patrol.flags == [authenticity.PHOTO_TIME]


@time_machine.travel(datetime(2025, 6, 15, 4, 0, tzinfo=UTC), tick=False)
def test_changing_a_threshold_can_recompute_this_years_flags(
    client, town_staff, chief_river, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    chief, river = chief_river
    now = timezone.now()
    short = services.record_patrol(
        by=chief.user,
        river=river,
        started_at=now - timedelta(minutes=20),
        ended_at=now - timedelta(minutes=8),
    )
    old = services.record_patrol(
        by=chief.user, river=river, started_at=START, ended_at=START + timedelta(minutes=12)
    )
    assert short.flags == []
    client.force_login(town_staff)
    form = {
        "min_minutes": 15,
        "min_distance_m": 1000,
        "max_speed_kmh": 25,
        "max_river_distance_m": 300,
        "min_points": 5,
        "photo_tolerance_minutes": 10,
    }
    client.post("/patrols/rules/authenticity/", form)
    short.refresh_from_db()
    assert short.flags == []  # without asking, only patrols finished from now on
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/patrols/rules/authenticity/", {**form, "recompute": "on"})
    short.refresh_from_db()
    old.refresh_from_db()
    assert short.flags == [authenticity.TOO_SHORT]
    assert old.flags == []  # 2018 is not this year
    assert short.history.first().history_change_reason == "recomputed flags"
    assert services.recompute_flags(since=now - timedelta(days=1)) == 0  # idempotent
