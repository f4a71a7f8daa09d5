"""The registry lists' plain rows (core.rows) are exactly what DRF's generic path gives."""

from datetime import date
from decimal import Decimal

import pytest

from rivers.models import Chief, ChiefAssignment, River
from rivers.serializers import AssignmentSerializer, ChiefSerializer, RiverSerializer
from tests import factories
from tests.rows import drf_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(town_staff):
    village = factories.VillageFactory(parent=town_staff.region)
    other = factories.VillageFactory(parent=town_staff.region)
    river = factories.RiverFactory(
        region=village, regions=[village, other], length_km=Decimal("12.5")
    )
    lake = factories.RiverFactory(region=other, water_type="lake", is_active=False)
    reach = factories.ReachFactory(river=river)
    boss = factories.ChiefFactory(region=town_staff.region, level="town", position="镇长")
    chief = factories.ChiefFactory(region=village, superior=boss)
    chief.user.first_name, chief.user.last_name = "", ""  # no name: the username is shown
    chief.user.save()
    factories.AssignmentFactory(river=river, chief=chief, start_date=date(2018, 1, 1), note="交接")
    factories.AssignmentFactory(
        river=river,
        reach=reach,
        start_date=date(2017, 1, 1),
        end_date=date(2017, 12, 31),
        duty="deputy",
    )
    factories.AssignmentFactory(river=lake, chief=boss, level="town")
    return river, lake


def results(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 200
    return response.json()["results"]


def test_the_river_rows_equal_drfs_representation(api_client, town_staff, registry):
    api_client.force_login(town_staff)
    rows = results(api_client, "/api/v1/rivers/")
    rivers = River.objects.visible_to(town_staff).order_by("code")
    assert rows == drf_json(RiverSerializer, rivers)
    assert rows[0]["length_km"] == "12.50"
    assert [len(row["regions"]) for row in rows] == [2, 1]


def test_the_river_rows_by_cursor_equal_drfs_representation(api_client, town_staff, registry):
    api_client.force_login(town_staff)
    first = api_client.get("/api/v1/rivers/?cursor=&page_size=1").json()
    second = api_client.get(first["next"]).json()
    rivers = River.objects.visible_to(town_staff).order_by("code")
    assert first["results"] + second["results"] == drf_json(RiverSerializer, rivers)


def test_the_assignment_rows_equal_drfs_representation(api_client, town_staff, registry):
    api_client.force_login(town_staff)
    rows = results(api_client, "/api/v1/assignments/")
    assignments = ChiefAssignment.objects.visible_to(town_staff).order_by(
        "river_id", "level", "-start_date", "-id"
    )
    assert len(rows) == 3
    assert rows == drf_json(AssignmentSerializer, assignments)
    assert {row["reach_name"] for row in rows} >= {None}


def test_the_chief_rows_equal_drfs_representation(api_client, town_staff, registry):
    api_client.force_login(town_staff)
    rows = results(api_client, "/api/v1/chiefs/")
    chiefs = Chief.objects.visible_to(town_staff)
    assert len(rows) == 2
    assert rows == drf_json(ChiefSerializer, chiefs)
    # Page by page with cursors over the default order (level, region code, surname).
    page = api_client.get("/api/v1/chiefs/?cursor=&page_size=1").json()
    assert page["results"] + api_client.get(page["next"]).json()["results"] == rows


def test_the_other_town_sees_none_of_these_rows(api_client, two_towns):
    d = two_towns
    api_client.force_login(d.office_b)
    town_a_rivers = {d.river_a1.pk, d.river_a2.pk}
    town_a_regions = {d.town_a.pk, d.village_a1.pk, d.village_a2.pk}
    rivers = results(api_client, "/api/v1/rivers/")
    assert rivers
    assert not town_a_rivers & {row["id"] for row in rivers}
    assignments = results(api_client, "/api/v1/assignments/")
    assert assignments
    assert not town_a_rivers & {row["river"] for row in assignments}
    chiefs = results(api_client, "/api/v1/chiefs/")
    assert chiefs
    assert not town_a_regions & {row["region"] for row in chiefs}
