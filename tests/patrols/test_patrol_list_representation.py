"""The patrol and finding lists' plain rows (core.rows) equal DRF's field-by-field output."""

from datetime import UTC, datetime, timedelta

import pytest

from patrols import selectors, services
from patrols.models import Finding, Patrol
from patrols.serializers import FindingSerializer, PatrolSerializer
from tests.patrols.factories import FindingFactory, PatrolFactory, chief_on_river
from tests.rows import drf_json

pytestmark = pytest.mark.django_db


def test_the_patrol_rows_equal_drfs_representation(api_client, village, town_staff):
    chief, river = chief_on_river(village)
    start = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)
    PatrolFactory(chief=chief, river=river, started_at=start, flags=["too_short"], note="正常")
    PatrolFactory(
        chief=chief,
        river=river,
        started_at=start + timedelta(days=1),
        status=Patrol.Status.IN_PROGRESS,
        ended_at=None,
        walker_name="河长助理",
    )
    PatrolFactory(
        chief=chief,
        river=river,
        started_at=start + timedelta(days=2, seconds=59, microseconds=5),
        review=Patrol.Review.REJECTED,
    )
    api_client.force_authenticate(town_staff)
    rows = api_client.get("/api/v1/patrols/").json()["results"]
    assert len(rows) == 3
    assert rows == drf_json(PatrolSerializer, selectors.patrols_for(user=town_staff))
    assert [row["counts"] for row in rows] == [False, False, True]
    assert rows[2]["flag_labels"]
    by_cursor = api_client.get("/api/v1/patrols/?cursor=&page_size=2").json()
    assert by_cursor["results"] + api_client.get(by_cursor["next"]).json()["results"] == rows


def test_the_finding_rows_equal_drfs_representation(
    api_client, village, town_staff, chief_river, jpeg
):
    chief, river = chief_river
    patrol = PatrolFactory(chief=chief, river=river)
    with_photos = FindingFactory(patrol=patrol, latitude=30.9, longitude=121.17)
    services.add_finding_photo(finding=with_photos, by=chief.user, upload=jpeg())
    services.add_finding_photo(finding=with_photos, by=chief.user, upload=jpeg("b.jpg"))
    FindingFactory(patrol=patrol, category=Finding.Category.SEWAGE_OUTLET, note="")
    FindingFactory(patrol=patrol, status=Finding.Status.DISMISSED)
    api_client.force_authenticate(town_staff)
    response = api_client.get("/api/v1/findings/")
    rows = response.json()["results"]
    assert len(rows) == 3
    findings = selectors.findings_for(user=town_staff).prefetch_related("photos")
    # The photos' links are absolute (the request's host), as in the detail.
    expected = drf_json(FindingSerializer, findings)
    for row in expected:
        for photo in row["photos"]:
            photo["image"] = response.wsgi_request.build_absolute_uri(photo["image"])
    assert rows == expected
    assert sorted(len(row["photos"]) for row in rows) == [0, 0, 2]


def test_the_other_town_sees_none_of_town_as_patrols_or_findings(api_client, two_towns):
    d = two_towns
    chief_a = d.chief_a1.chief
    FindingFactory(patrol=PatrolFactory(chief=chief_a, river=d.river_a1))
    chief_b = d.chief_b1.chief
    FindingFactory(patrol=PatrolFactory(chief=chief_b, river=d.river_b1))
    api_client.force_authenticate(d.office_b)
    for url in ("/api/v1/patrols/", "/api/v1/findings/"):
        rows = api_client.get(url).json()["results"]
        assert [row["river"] for row in rows] == [d.river_b1.pk], url
