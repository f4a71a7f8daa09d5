"""The region list's plain rows (core.rows) equal DRF's output; a town lists only its own."""

import pytest

from core.models import Region
from core.serializers import RegionSerializer
from tests.rows import drf_json

pytestmark = pytest.mark.django_db


def test_the_region_rows_equal_drfs_representation(api_client, two_towns):
    d = two_towns
    _token, key = d.read_token
    response = api_client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Token {key}")
    rows = response.json()["results"]
    assert len(rows) == 7  # the district, two towns, four villages
    regions = Region.objects.filter(code__startswith=d.district.code)
    assert rows == drf_json(RegionSerializer, regions)
    assert rows[0]["parent"] == d.district.parent_id


def test_the_other_town_lists_none_of_town_as_regions(api_client, two_towns):
    d = two_towns
    api_client.force_authenticate(d.office_b)
    rows = api_client.get("/api/v1/regions/").json()["results"]
    assert {row["id"] for row in rows} == {d.town_b.pk, d.village_b1.pk, d.village_b2.pk}
