"""The patrol list's queryset is built once per scope and visibility (patrols.api): each town,
village chief and token still reads only its own patrols, fresh, and filters apply per
request."""

import pytest

from patrols import api
from rivers.models import Chief
from tests.patrols.factories import PatrolFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/patrols/"


@pytest.fixture(autouse=True)
def _nothing_kept():
    api._patrol_lists.clear()
    yield
    api._patrol_lists.clear()


def ids(client, user, query="") -> list[int]:
    client.force_authenticate(user)
    response = client.get(URL + query)
    assert response.status_code == 200
    return sorted(row["id"] for row in response.json()["results"])


def patrol(user, river) -> int:
    return PatrolFactory(chief=Chief.objects.get(user=user), river=river).pk


def test_each_caller_reads_its_own_patrols_through_the_kept_lists(api_client, two_towns):
    d = two_towns
    a1 = patrol(d.chief_a1, d.river_a1)
    a2 = patrol(d.chief_a2, d.river_a2)
    b1 = patrol(d.chief_b1, d.river_b1)
    for _round in range(2):  # built, then kept
        assert ids(api_client, d.office_a) == [a1, a2]
        assert ids(api_client, d.office_b) == [b1]
        assert ids(api_client, d.chief_a1) == [a1]
        assert ids(api_client, d.chief_a2) == [a2]
        assert ids(api_client, d.inspector) == [a1, a2, b1]
    assert len(api._patrol_lists) == 5
    # Kept lists are read again, not their rows: a new patrol shows at once.
    newer = patrol(d.chief_a1, d.river_a1)
    assert ids(api_client, d.chief_a1) == [a1, newer]
    assert ids(api_client, d.chief_a2) == [a2]
    assert ids(api_client, d.office_b) == [b1]
    # Filters apply per request.
    assert ids(api_client, d.office_a, f"?river={d.river_a2.pk}") == [a2]
    assert ids(api_client, d.office_a, "?review=rejected") == []
    assert len(api._patrol_lists) == 5
