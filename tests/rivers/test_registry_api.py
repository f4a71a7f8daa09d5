"""The registry API: wiring, scoping, tokens, error shape, query counts."""

from datetime import date

import pytest

from rivers.models import ChiefAssignment, River
from tests import factories

pytestmark = pytest.mark.django_db


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.fixture
def rivers(town, village, other_village):
    mine = factories.RiverFactory(name="本村浜", region=village)
    theirs = factories.RiverFactory(name="邻村浜", region=other_village)
    factories.ReachFactory(river=mine, name="东段", village=village)
    return mine, theirs


@pytest.fixture
def elsewhere():
    """A river in another district altogether."""
    district = factories.DistrictFactory(code="310117", name="松江区")
    town = factories.TownFactory(parent=district, code="310117101")
    return factories.RiverFactory(region=factories.VillageFactory(parent=town))


def test_a_district_token_sees_only_its_districts_rivers(
    api_client, district_token, rivers, elsewhere
):
    _token, key = district_token
    response = api_client.get("/api/v1/rivers/", **auth(key))
    assert response.status_code == 200
    assert {r["name"] for r in response.json()["results"]} == {"本村浜", "邻村浜"}
    assert api_client.get(f"/api/v1/rivers/{elsewhere.pk}/", **auth(key)).status_code == 404


def test_the_river_detail_nests_reaches_and_current_chiefs(api_client, district_token, rivers):
    mine, _ = rivers
    chief = factories.ChiefFactory(region=mine.region)
    factories.AssignmentFactory(chief=chief, river=mine)
    _token, key = district_token
    data = api_client.get(f"/api/v1/rivers/{mine.pk}/", **auth(key)).json()
    assert [r["name"] for r in data["reaches"]] == ["东段"]
    assert data["current_chiefs"][0]["chief"] == chief.pk
    assert data["current_chiefs"][0]["phone"] == chief.user.phone


def test_village_chief_cannot_read_another_villages_river_through_the_api(
    api_client, village_chief, rivers
):
    mine, theirs = rivers
    api_client.force_login(village_chief)
    assert api_client.get(f"/api/v1/rivers/{theirs.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/rivers/{mine.pk}/").status_code == 200
    names = {r["name"] for r in api_client.get("/api/v1/rivers/").json()["results"]}
    assert names == {"本村浜"}


def test_village_chief_cannot_change_a_river_through_the_api(api_client, village_chief, rivers):
    mine, theirs = rivers
    api_client.force_login(village_chief)
    response = api_client.patch(f"/api/v1/rivers/{theirs.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 404
    response = api_client.patch(f"/api/v1/rivers/{mine.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "只有河长办工作人员可以修改河道名录", "errors": {}}
    assert not River.objects.filter(name="改名").exists()


def test_a_read_token_cannot_write(api_client, district_token, rivers):
    mine, _ = rivers
    _token, key = district_token
    response = api_client.patch(
        f"/api/v1/rivers/{mine.pk}/", {"name": "改名"}, format="json", **auth(key)
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "令牌只有只读权限"
    mine.refresh_from_db()
    assert mine.name == "本村浜"


def test_a_write_token_registers_a_river_with_reaches(
    api_client, district_write_token, town, village, other_village
):
    _token, key = district_write_token
    payload = {
        "code": "ZJ-Z500",
        "name": "新开河",
        "level": "town",
        "length_km": "4.30",
        "region": town.pk,
        "regions": [village.pk, other_village.pk],
        "target_class": 4,
        "geometry": {"type": "LineString", "coordinates": [[121.16, 30.90], [121.18, 30.91]]},
        "reaches": [
            {"name": "西段", "village": village.pk, "length_km": "2.10"},
            {"name": "东段", "village": other_village.pk, "length_km": "2.20"},
        ],
    }
    response = api_client.post("/api/v1/rivers/", payload, format="json", **auth(key))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [r["name"] for r in data["reaches"]] == ["西段", "东段"]
    assert set(data["regions"]) == {town.pk, village.pk, other_village.pk}
    assert River.objects.get(code="ZJ-Z500").history.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"length_km": "-2"}, "length_km"),
        ({"length_km": "950"}, "length_km"),
        ({"code": "DUP"}, "code"),
        ({"name": ""}, "name"),
        ({"level": "village"}, "region"),
        ({"geometry": {"type": "Point", "coordinates": [121, 30]}}, "geometry"),
        ({"target_class": 6}, "target_class"),
    ],
)
def test_bad_input_is_a_400_with_field_messages_and_nothing_saved(
    api_client, town_staff, town, change, field
):
    factories.RiverFactory(code="DUP", region=factories.VillageFactory(parent=town))
    api_client.force_login(town_staff)
    payload = {
        "code": "ZJ-Z600",
        "name": "河",
        "level": "town",
        "length_km": "1",
        "region": town.pk,
    }
    response = api_client.post("/api/v1/rivers/", {**payload, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "提交的数据有误"
    assert field in body["errors"], body
    assert isinstance(body["errors"][field], list)
    assert River.objects.count() == 1


def test_office_staff_cannot_register_a_river_in_another_town(api_client, town_staff):
    other_town = factories.TownFactory()
    api_client.force_login(town_staff)
    payload = {
        "code": "X1",
        "name": "外镇河",
        "level": "town",
        "length_km": "1",
        "region": other_town.pk,
    }
    response = api_client.post("/api/v1/rivers/", payload, format="json")
    assert response.status_code == 400
    assert "region" in response.json()["errors"]
    assert not River.objects.exists()


def test_assignments_through_the_api_hand_over_and_end(
    api_client, district_write_token, rivers, village
):
    mine, _ = rivers
    first = factories.ChiefFactory(region=village)
    second = factories.ChiefFactory(region=village)
    _token, key = district_write_token
    for chief, start in ((first, "2019-01-01"), (second, "2024-01-01")):
        response = api_client.post(
            "/api/v1/assignments/",
            {"chief": chief.pk, "river": mine.pk, "level": "village", "start_date": start},
            format="json",
            **auth(key),
        )
        assert response.status_code == 201, response.json()
    old = ChiefAssignment.objects.get(chief=first)
    assert old.end_date == date(2023, 12, 31)
    current = api_client.get(
        "/api/v1/assignments/", {"river": mine.pk, "current": "true"}, **auth(key)
    ).json()["results"]
    assert [a["chief"] for a in current] == [second.pk]
    new = ChiefAssignment.objects.get(chief=second)
    response = api_client.post(
        f"/api/v1/assignments/{new.pk}/end/", {"end_date": "2023-01-01"}, format="json", **auth(key)
    )
    assert response.status_code == 400
    assert "end_date" in response.json()["errors"]


def test_an_overlapping_assignment_is_a_400(api_client, town_staff, rivers, village):
    mine, _ = rivers
    factories.AssignmentFactory(river=mine, chief=factories.ChiefFactory(region=village))
    api_client.force_login(town_staff)
    response = api_client.post(
        "/api/v1/assignments/",
        {
            "chief": factories.ChiefFactory(region=village).pk,
            "river": mine.pk,
            "level": "village",
            "start_date": "2018-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "start_date" in response.json()["errors"]


def test_unauthenticated_requests_are_refused_with_the_error_shape(api_client, rivers):
    response = api_client.get("/api/v1/rivers/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "errors"}
    response = api_client.get("/api/v1/rivers/", HTTP_AUTHORIZATION="Token wrong")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效或已吊销"


@pytest.mark.parametrize(
    "url", ["/api/v1/rivers/", "/api/v1/chiefs/", "/api/v1/assignments/", "/api/v1/regions/"]
)
def test_api_lists_take_a_constant_number_of_queries(
    api_client, town_staff, village, url, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            river = factories.RiverFactory(region=village)
            factories.AssignmentFactory(river=river, chief=factories.ChiefFactory(region=village))
            factories.VillageFactory(parent=village.parent)

    api_client.force_login(town_staff)
    grow(3)
    with django_assert_max_num_queries(8) as few:
        api_client.get(url)
    grow(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api_client.get(url).status_code == 200


def test_water_bodies_sluice_gates_and_regions_are_scoped(
    api_client, village_chief, village, other_village
):
    factories.WaterBodyFactory(village=village, name="本村塘")
    factories.WaterBodyFactory(village=other_village, name="邻村塘")
    factories.SluiceGateFactory(river=factories.RiverFactory(region=village), name="本村闸")
    factories.SluiceGateFactory(river=factories.RiverFactory(region=other_village), name="邻村闸")
    api_client.force_login(village_chief)

    def names(url):
        return {r["name"] for r in api_client.get(url).json()["results"]}

    assert names("/api/v1/water-bodies/") == {"本村塘"}
    assert names("/api/v1/sluice-gates/") == {"本村闸"}
    assert names("/api/v1/regions/") == {village.name}


def test_the_river_filters_are_the_pages_filters(api_client, town_staff, rivers, other_village):
    api_client.force_login(town_staff)
    data = api_client.get("/api/v1/rivers/", {"village": other_village.pk}).json()
    assert [r["name"] for r in data["results"]] == ["邻村浜"]
    data = api_client.get("/api/v1/rivers/", {"q": "本村"}).json()
    assert [r["name"] for r in data["results"]] == ["本村浜"]
