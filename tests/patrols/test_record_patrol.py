"""Recording patrols: live, after the fact, GPX; every bad input is refused, nothing half-saved."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from patrols import services
from patrols.models import Finding, FindingPhoto, Patrol, TrackPoint
from tests.factories import RiverFactory, UserFactory
from tests.patrols.factories import chief_on_river, track

START = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai

GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><name>巡河</name><trkseg>
{points}
</trkseg></trk></gpx>"""


def gpx_for(points) -> str:
    rows = "\n".join(
        f'<trkpt lat="{p["latitude"]}" lon="{p["longitude"]}"><time>'
        f"{p['recorded_at']:%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        for p in points
    )
    return GPX.format(points=rows)


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_a_live_patrol_records_its_track_and_finishes_with_no_flags(chief_river):
    chief, river = chief_river
    started = timezone.now() - timedelta(minutes=40)
    patrol = services.start_patrol(by=chief.user, river=river, started_at=started)
    assert patrol.status == Patrol.Status.IN_PROGRESS
    services.add_track_points(patrol=patrol, by=chief.user, points=track(started, n=30))
    patrol = services.finish_patrol(patrol=patrol, by=chief.user)
    assert patrol.status == Patrol.Status.FINISHED
    assert patrol.point_count == 30
    assert 2850 < patrol.distance_m < 2950  # 29 steps of 0.0009° latitude, 100 m each
    assert patrol.flags == []
    assert patrol.counts


def test_a_retried_start_and_point_upload_creates_nothing_twice(chief_river):
    chief, river = chief_river
    client_id = uuid.uuid4()
    started = timezone.now() - timedelta(minutes=20)
    first = services.start_patrol(
        by=chief.user, river=river, client_id=client_id, started_at=started
    )
    again = services.start_patrol(
        by=chief.user, river=river, client_id=client_id, started_at=started
    )
    assert first.pk == again.pk
    points = track(started, n=5)
    services.add_track_points(patrol=first, by=chief.user, points=points)
    services.add_track_points(patrol=first, by=chief.user, points=points)
    assert TrackPoint.objects.filter(patrol=first).count() == 5
    assert Patrol.objects.count() == 1


def test_an_assistant_may_walk_on_the_chiefs_behalf(chief_river):
    chief, river = chief_river
    patrol = services.record_patrol(
        by=chief.user,
        river=river,
        started_at=START,
        ended_at=START + timedelta(minutes=50),
        walker_name=" 李助理 ",
    )
    assert patrol.chief == chief
    assert patrol.walker_name == "李助理"
    assert patrol.recorded_by == chief.user


def test_the_office_records_a_patrol_for_a_chief_of_its_town(chief_river, town_staff):
    chief, river = chief_river
    patrol = services.record_patrol(
        by=town_staff,
        chief=chief,
        river=river,
        started_at=START,
        ended_at=START + timedelta(hours=1),
    )
    assert patrol.chief == chief
    assert patrol.recorded_by == town_staff


def test_a_chief_cannot_record_for_another_chief(chief_river, village):
    chief, river = chief_river
    other, _ = chief_on_river(village)
    with pytest.raises(PermissionDenied):
        services.record_patrol(
            by=other.user,
            chief=chief,
            river=river,
            started_at=START,
            ended_at=START + timedelta(hours=1),
        )


def test_a_gpx_track_gives_the_patrols_times_and_distance(chief_river):
    chief, river = chief_river
    patrol = services.record_patrol(by=chief.user, river=river, gpx=gpx_for(track(START, n=20)))
    assert patrol.source == Patrol.Source.GPX
    assert patrol.started_at == START
    assert patrol.ended_at == START + timedelta(minutes=19)
    assert patrol.point_count == 20
    assert patrol.distance_m > 1500


# --- bad input ----------------------------------------------------------------------------------


def test_end_before_start_is_refused(chief_river):
    chief, river = chief_river
    with pytest.raises(ValidationError) as exc:
        services.record_patrol(
            by=chief.user, river=river, started_at=START, ended_at=START - timedelta(minutes=1)
        )
    assert "ended_at" in errors_of(exc)
    assert not Patrol.objects.exists()


def test_a_start_in_the_future_is_refused(chief_river):
    chief, river = chief_river
    later = timezone.now() + timedelta(hours=2)
    with pytest.raises(ValidationError) as exc:
        services.start_patrol(by=chief.user, river=river, started_at=later)
    assert "started_at" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.record_patrol(
            by=chief.user, river=river, started_at=later, ended_at=later + timedelta(hours=1)
        )
    assert "started_at" in errors_of(exc)
    assert not Patrol.objects.exists()


def test_a_patrol_longer_than_a_day_is_refused(chief_river):
    chief, river = chief_river
    with pytest.raises(ValidationError) as exc:
        services.record_patrol(
            by=chief.user, river=river, started_at=START, ended_at=START + timedelta(hours=25)
        )
    assert "24" in errors_of(exc)["ended_at"][0]


def test_finishing_a_live_patrol_after_more_than_a_day_is_refused(chief_river):
    chief, river = chief_river
    patrol = services.start_patrol(
        by=chief.user, river=river, started_at=timezone.now() - timedelta(hours=30)
    )
    with pytest.raises(ValidationError) as exc:
        services.finish_patrol(patrol=patrol, by=chief.user)
    assert "ended_at" in errors_of(exc)
    patrol.refresh_from_db()
    assert patrol.status == Patrol.Status.IN_PROGRESS


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(0.0, 0.0), (121.17, 30.9), (95.0, 121.0), (30.9, 200.0), (float("nan"), 121.0)],
)
def test_track_points_outside_plausible_coordinates_are_refused(chief_river, lat, lon):
    chief, river = chief_river
    started = timezone.now() - timedelta(minutes=30)
    patrol = services.start_patrol(by=chief.user, river=river, started_at=started)
    points = track(started, n=4)
    points.append(
        {"recorded_at": started + timedelta(minutes=10), "latitude": lat, "longitude": lon}
    )
    with pytest.raises(ValidationError) as exc:
        services.add_track_points(patrol=patrol, by=chief.user, points=points)
    assert "points" in errors_of(exc)
    assert not TrackPoint.objects.exists()  # the good points of the batch are not kept either


def test_implausible_points_in_an_after_the_fact_entry_save_no_patrol(chief_river):
    chief, river = chief_river
    points = [*track(START, n=3), {"recorded_at": START, "latitude": 91, "longitude": 0}]
    with pytest.raises(ValidationError):
        services.record_patrol(by=chief.user, river=river, points=points)
    assert not Patrol.objects.exists()
    assert not TrackPoint.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        "this is not xml",
        "<gpx><trk><trkseg><trkpt lat='abc' lon='121'></trkpt></trkseg></trk></gpx>",
        GPX.format(points='<trkpt lat="30.9" lon="121.17"></trkpt>'),  # no times
        "",
    ],
)
def test_malformed_gpx_is_refused(chief_river, content):
    chief, river = chief_river
    with pytest.raises(ValidationError) as exc:
        services.record_patrol(by=chief.user, river=river, gpx=content or b" ")
    assert "gpx" in errors_of(exc)
    assert not Patrol.objects.exists()


def test_a_river_the_chief_is_not_assigned_to_is_refused(chief_river):
    chief, _river = chief_river
    stranger = RiverFactory(region=chief.region)
    with pytest.raises(ValidationError) as exc:
        services.start_patrol(by=chief.user, river=stranger)
    assert "river" in errors_of(exc)
    with pytest.raises(ValidationError):
        services.record_patrol(
            by=chief.user, river=stranger, started_at=START, ended_at=START + timedelta(hours=1)
        )
    assert not Patrol.objects.exists()


def test_an_assignment_that_ended_before_the_patrol_does_not_count(chief_river):
    chief, river = chief_river
    chief.assignments.update(end_date=datetime(2018, 2, 28).date())
    with pytest.raises(ValidationError):
        services.record_patrol(
            by=chief.user, river=river, started_at=START, ended_at=START + timedelta(hours=1)
        )


def test_a_user_without_a_chief_profile_must_name_the_chief(town):
    user = UserFactory(role="office", region=town)
    river = RiverFactory()
    with pytest.raises(ValidationError) as exc:
        services.start_patrol(by=user, river=river)
    assert "chief" in errors_of(exc)


def test_a_photo_that_is_not_an_image_saves_no_finding(chief_river):
    from django.core.files.uploadedfile import SimpleUploadedFile

    chief, river = chief_river
    patrol = services.record_patrol(
        by=chief.user, river=river, started_at=START, ended_at=START + timedelta(hours=1)
    )
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.report_finding(
            by=chief.user, patrol=patrol, river=river, category="garbage", photos=[fake]
        )
    assert "photo" in errors_of(exc)
    assert not Finding.objects.exists()
    assert not FindingPhoto.objects.exists()


def test_a_photo_larger_than_the_limit_is_refused(chief_river, jpeg, settings):
    chief, river = chief_river
    settings.PATROL_PHOTO_MAX_BYTES = 1000
    patrol = services.record_patrol(
        by=chief.user, river=river, started_at=START, ended_at=START + timedelta(hours=1)
    )
    finding = services.report_finding(by=chief.user, patrol=patrol, river=river, category="other")
    big = jpeg(size=(400, 300))
    assert big.size > 1000
    with pytest.raises(ValidationError) as exc:
        services.add_finding_photo(finding=finding, by=chief.user, upload=big)
    assert "MB" in errors_of(exc)["photo"][0]
    assert not FindingPhoto.objects.exists()


def test_a_finding_with_an_unknown_category_or_half_a_position_is_refused(chief_river):
    chief, river = chief_river
    with pytest.raises(ValidationError) as exc:
        services.report_finding(by=chief.user, river=river, category="aliens", latitude=30.9)
    assert set(errors_of(exc)) == {"category", "latitude"}


def test_a_colleague_cannot_add_points_to_or_finish_anothers_patrol(chief_river, village):
    chief, river = chief_river
    colleague, _ = chief_on_river(village)
    started = timezone.now() - timedelta(minutes=30)
    patrol = services.start_patrol(by=chief.user, river=river, started_at=started)
    with pytest.raises(PermissionDenied):
        services.add_track_points(patrol=patrol, by=colleague.user, points=track(started, n=3))
    with pytest.raises(PermissionDenied):
        services.finish_patrol(patrol=patrol, by=colleague.user)


def test_point_uploads_do_not_flood_the_history(chief_river):
    chief, river = chief_river
    started = timezone.now() - timedelta(minutes=30)
    patrol = services.start_patrol(by=chief.user, river=river, started_at=started)
    for i in range(5):
        batch = track(started + timedelta(minutes=5 * i), n=5)
        services.add_track_points(patrol=patrol, by=chief.user, points=batch)
    services.finish_patrol(patrol=patrol, by=chief.user)
    kinds = list(patrol.history.order_by("history_date").values_list("history_type", "status"))
    assert kinds == [("+", "in_progress"), ("~", "finished")]
    patrol.refresh_from_db()
    assert patrol.point_count == 25
