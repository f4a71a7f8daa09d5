"""The API: wiring, 400 shapes, scoping by region and token scope, constant query counts."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from patrols.models import Finding, Patrol, TrackPoint
from tests.factories import RiverFactory
from tests.patrols.factories import FindingFactory, PatrolFactory, chief_on_river

START = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)


def iso(dt):
    return dt.isoformat()


@pytest.fixture
def chief_client(api_client, chief_river):
    chief, river = chief_river
    api_client.force_authenticate(chief.user)
    return api_client, chief, river


def test_a_chief_starts_adds_points_and_finishes_a_patrol(chief_client):
    client, _chief, river = chief_client
    client_id = str(uuid.uuid4())
    started = timezone.now() - timedelta(minutes=30)
    r = client.post(
        "/api/v1/patrols/",
        {"client_id": client_id, "river": river.pk, "started_at": iso(started)},
        format="json",
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    again = client.post(
        "/api/v1/patrols/", {"client_id": client_id, "river": river.pk}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["id"] == pk
    points = [
        {
            "recorded_at": iso(started + timedelta(minutes=i)),
            "latitude": 30.9 + i * 0.001,
            "longitude": 121.17,
        }
        for i in range(12)
    ]
    r = client.post(f"/api/v1/patrols/{pk}/points/", {"points": points}, format="json")
    assert r.status_code == 200
    assert r.json()["point_count"] == 12
    r = client.post(f"/api/v1/patrols/{pk}/finish/", {}, format="json")
    assert r.json()["status"] == "finished"
    track = client.get(f"/api/v1/patrols/{pk}/points/").json()
    assert len(track) == 12


def test_bad_times_give_a_400_with_field_messages_and_save_nothing(chief_client):
    client, _chief, river = chief_client
    r = client.post(
        "/api/v1/patrols/",
        {"river": river.pk, "started_at": iso(START), "ended_at": iso(START - timedelta(hours=1))},
        format="json",
    )
    assert r.status_code == 400
    body = r.json()
    assert body["detail"]
    assert "ended_at" in body["errors"]
    assert not Patrol.objects.exists()


def test_implausible_points_give_a_400(chief_client):
    client, _chief, river = chief_client
    r = client.post(
        "/api/v1/patrols/",
        {"river": river.pk, "points": [{"recorded_at": iso(START), "latitude": 0, "longitude": 0}]},
        format="json",
    )
    assert r.status_code == 400
    assert "points" in r.json()["errors"]


def test_a_river_of_the_village_not_assigned_to_the_chief_gives_a_400(chief_client):
    client, chief, _river = chief_client
    other = RiverFactory(region=chief.region)
    r = client.post("/api/v1/patrols/", {"river": other.pk}, format="json")
    assert r.status_code == 400
    assert "river" in r.json()["errors"]


def test_a_river_outside_the_chiefs_scope_is_not_even_found(chief_client, other_village):
    client, _chief, _river = chief_client
    elsewhere = RiverFactory(region=other_village)
    r = client.post("/api/v1/patrols/", {"river": elsewhere.pk}, format="json")
    assert r.status_code == 400
    assert "river" in r.json()["errors"]


def test_malformed_gpx_gives_a_400(chief_client):
    client, _chief, river = chief_client
    upload = SimpleUploadedFile("t.gpx", b"<gpx><oops", content_type="application/gpx+xml")
    r = client.post("/api/v1/patrols/gpx/", {"river": river.pk, "gpx": upload}, format="multipart")
    assert r.status_code == 400
    assert "gpx" in r.json()["errors"]


def test_a_finding_with_a_photo_is_created_once(chief_client, jpeg):
    client, chief, river = chief_client
    patrol = PatrolFactory(chief=chief, river=river)
    client_id = str(uuid.uuid4())
    data = {"client_id": client_id, "patrol": patrol.pk, "category": "garbage", "note": "漂浮物"}
    r = client.post("/api/v1/findings/", {**data, "photos": jpeg()}, format="multipart")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["river"] == river.pk
    assert body["status"] == "open"
    assert len(body["photos"]) == 1
    assert "order_url" in body
    again = client.post("/api/v1/findings/", {**data, "photos": jpeg()}, format="multipart")
    assert again.json()["id"] == body["id"]
    assert Finding.objects.count() == 1
    assert Finding.objects.get().photos.count() == 1


def test_a_photo_that_is_not_an_image_gives_a_400(chief_client):
    client, chief, river = chief_client
    finding = FindingFactory(patrol=PatrolFactory(chief=chief, river=river))
    fake = SimpleUploadedFile("a.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    r = client.post(f"/api/v1/findings/{finding.pk}/photos/", {"photo": fake}, format="multipart")
    assert r.status_code == 400
    assert "photo" in r.json()["errors"]
    assert not finding.photos.exists()


def test_village_chief_cannot_read_another_villages_patrols(api_client, village, other_village):
    mine, my_river = chief_on_river(village)
    theirs, their_river = chief_on_river(other_village)
    own = PatrolFactory(chief=mine, river=my_river)
    foreign = PatrolFactory(chief=theirs, river=their_river)
    api_client.force_authenticate(mine.user)
    ids = [p["id"] for p in api_client.get("/api/v1/patrols/").json()["results"]]
    assert ids == [own.pk]
    assert api_client.get(f"/api/v1/patrols/{foreign.pk}/").status_code == 404
    r = api_client.post(f"/api/v1/patrols/{foreign.pk}/finish/", {}, format="json")
    assert r.status_code == 404


def test_a_village_chief_cannot_add_points_to_a_colleagues_patrol(api_client, village):
    mine, _ = chief_on_river(village)
    colleague, river = chief_on_river(village)
    patrol = PatrolFactory(chief=colleague, river=river, status="in_progress", ended_at=None)
    api_client.force_authenticate(mine.user)
    r = api_client.post(f"/api/v1/patrols/{patrol.pk}/points/", {"points": []}, format="json")
    assert r.status_code == 404
    assert not TrackPoint.objects.exists()


def test_a_district_read_token_reads_its_region_but_cannot_write(
    api_client, district_token, chief_river
):
    chief, river = chief_river
    PatrolFactory(chief=chief, river=river)
    _token, key = district_token
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    r = api_client.get("/api/v1/patrols/", **auth)
    assert r.status_code == 200
    assert r.json()["count"] == 1
    r = api_client.post(
        "/api/v1/patrols/",
        {
            "river": river.pk,
            "chief": chief.pk,
            "started_at": iso(START),
            "ended_at": iso(START + timedelta(hours=1)),
        },
        format="json",
        **auth,
    )
    assert r.status_code == 403


def test_a_district_write_token_records_a_patrol_for_a_chief(
    api_client, district_write_token, chief_river
):
    chief, river = chief_river
    _token, key = district_write_token
    r = api_client.post(
        "/api/v1/patrols/",
        {
            "river": river.pk,
            "chief": chief.pk,
            "started_at": iso(START),
            "ended_at": iso(START + timedelta(hours=1)),
            "walker_name": "河长助理",
        },
        format="json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["walker_name"] == "河长助理"
    assert Patrol.objects.get().chief == chief


def test_the_office_rejects_a_patrol_through_the_api(api_client, town_staff, chief_river):
    chief, river = chief_river
    patrol = PatrolFactory(chief=chief, river=river, flags=["too_short"])
    api_client.force_authenticate(town_staff)
    r = api_client.post(
        f"/api/v1/patrols/{patrol.pk}/review/", {"decision": "rejected"}, format="json"
    )
    assert r.status_code == 400
    assert "note" in r.json()["errors"]
    r = api_client.post(
        f"/api/v1/patrols/{patrol.pk}/review/",
        {"decision": "rejected", "note": "不在河边"},
        format="json",
    )
    assert r.json()["counts"] is False


def test_the_patrol_list_runs_a_constant_number_of_queries(
    api_client, town_staff, village, django_assert_max_num_queries
):
    def make(n):
        for _ in range(n):
            chief, river = chief_on_river(village)
            FindingFactory(patrol=PatrolFactory(chief=chief, river=river))

    api_client.force_authenticate(town_staff)
    make(2)
    with django_assert_max_num_queries(4) as few:
        assert api_client.get("/api/v1/patrols/").status_code == 200
    make(25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = api_client.get("/api/v1/patrols/")
    assert r.json()["count"] == 27
    with django_assert_max_num_queries(5):
        assert api_client.get("/api/v1/findings/").json()["count"] == 27


def test_a_village_chief_does_not_read_a_colleagues_patrols(api_client, village):
    mine, river = chief_on_river(village)
    colleague, their_river = chief_on_river(village)
    own = PatrolFactory(chief=mine, river=river)
    theirs = PatrolFactory(chief=colleague, river=their_river)
    api_client.force_authenticate(mine.user)
    assert [p["id"] for p in api_client.get("/api/v1/patrols/").json()["results"]] == [own.pk]
    assert api_client.get(f"/api/v1/patrols/{theirs.pk}/").status_code == 404


def test_a_district_system_reports_a_problem_the_town_office_then_sees(
    api_client, district_write_token, chief_river, town_staff
):
    _chief, river = chief_river
    _token, key = district_write_token
    r = api_client.post(
        "/api/v1/findings/",
        {
            "river": river.pk,
            "category": "dumping",
            "note": "无人机巡查发现倾倒渣土",
            "latitude": 30.91,
            "longitude": 121.18,
        },
        format="json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["patrol"] is None
    api_client.credentials()
    api_client.force_authenticate(town_staff)
    assert [f["id"] for f in api_client.get("/api/v1/findings/").json()["results"]] == [
        r.json()["id"]
    ]
