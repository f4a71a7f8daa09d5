"""The sample list's queryset is built once per scope and filters (monitoring.api): each
caller still reads only its own scope's samples, fresh, with its filters."""

import pytest

from core.services import create_api_client
from monitoring import api
from monitoring.models import MonitoringPoint
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/samples/"


@pytest.fixture(autouse=True)
def _nothing_kept():
    api._sample_lists.clear()
    yield
    api._sample_lists.clear()


def token(region) -> dict:
    _t, key = create_api_client(name=f"t-{region.code}", region=region, scope="read")
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def ids(client, headers, query="") -> list[int]:
    response = client.get(URL + query, **headers)
    assert response.status_code == 200
    return [s["id"] for s in response.json()["results"]]


def test_each_town_reads_its_own_samples_through_the_kept_lists(client, two_towns):
    d = two_towns
    point_a = MonitoringPointFactory(river__region=d.village_a1, code="A-01")
    point_b = MonitoringPointFactory(river__region=d.village_b1, code="B-01")
    border = MonitoringPointFactory(river=d.border_river, region=d.village_b1, code="X-01")
    mine = SampleFactory(point=point_a, sampled_at=at(2018, 5, 2)).pk
    theirs = SampleFactory(point=point_b, sampled_at=at(2018, 5, 3)).pk
    shared = SampleFactory(point=border, sampled_at=at(2018, 5, 4)).pk
    town_a, town_b = token(d.town_a), token(d.town_b)
    for _round in range(2):  # built, then kept
        assert ids(client, town_a) == [shared, mine]
        assert ids(client, town_b) == [shared, theirs]
        assert ids(client, town_a, "?point=B-01") == []
        assert ids(client, town_b, "?point=B-01") == [theirs]
        assert ids(client, town_a, f"?river={d.border_river.pk}") == [shared]
        assert ids(client, town_a, "?from=2018-05-03") == [shared]
        assert ids(client, town_b, "?from=2018-05&to=2018-05-03") == [theirs]
    client.force_login(d.chief_a2)
    assert ids(client, {}) == []  # a village chief of A2: no point there
    assert len(api._sample_lists) == 8
    # Kept lists are read again, not their rows: a new sample shows at once.
    newer = SampleFactory(point=point_a, sampled_at=at(2018, 5, 5)).pk
    assert ids(client, town_a) == [newer, shared, mine]
    MonitoringPoint.objects.filter(pk=border.pk).update(region=d.village_a1)
    assert ids(client, town_b, "?point=X-01") == [shared]  # still on the border river


def test_a_kept_list_reads_only_the_token_and_the_page(
    client, two_towns, django_assert_num_queries
):
    d = two_towns
    point = MonitoringPointFactory(river__region=d.village_a1)
    for day in range(1, 6):
        SampleFactory(point=point, sampled_at=at(2018, 5, day))
    headers = token(d.town_a)
    ids(client, headers)  # the list kept
    with django_assert_num_queries(2):  # the token (not remembered under tests), the page
        assert len(ids(client, headers)) == 5
