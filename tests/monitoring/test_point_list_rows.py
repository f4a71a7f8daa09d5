"""The point list's plain rows (core.rows) equal DRF's field-by-field output."""

from decimal import Decimal

import pytest

from monitoring import selectors
from monitoring.serializers import PointSerializer
from tests.factories import SluiceGateFactory
from tests.monitoring.factories import MonitoringPointFactory
from tests.rows import drf_json

pytestmark = pytest.mark.django_db


def test_the_point_rows_equal_drfs_representation(api_client, point, river, office):
    gate = SluiceGateFactory(river=river)
    MonitoringPointFactory(
        river=None,
        sluice_gate=gate,
        region=river.region,
        latitude=Decimal("30.1"),
        longitude=None,
        responsible="auto_station",
        is_active=False,
    )
    MonitoringPointFactory(river=river, latitude=None, longitude=Decimal("121.123456"))
    api_client.force_authenticate(office)
    rows = api_client.get("/api/v1/monitoring/points/").json()["results"]
    assert len(rows) == 3
    points = selectors.points_for(user=office, sample_count=False).order_by("code")
    assert rows == drf_json(PointSerializer, points)
    assert {row["sluice_gate_code"] for row in rows} == {None, gate.code}


def test_the_point_list_takes_a_constant_number_of_queries(
    api_client, river, office, django_assert_max_num_queries
):
    api_client.force_authenticate(office)
    MonitoringPointFactory(river=river)
    with django_assert_max_num_queries(3) as few:
        assert api_client.get("/api/v1/monitoring/points/").status_code == 200
    for _ in range(20):
        MonitoringPointFactory(river=river, sluice_gate=SluiceGateFactory(river=river))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api_client.get("/api/v1/monitoring/points/").json()["results"]) == 21


def test_the_other_town_sees_none_of_town_as_points(api_client, two_towns):
    d = two_towns
    mine = MonitoringPointFactory(river=d.river_b1)
    MonitoringPointFactory(river=d.river_a1)
    api_client.force_authenticate(d.office_b)
    rows = api_client.get("/api/v1/monitoring/points/").json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
