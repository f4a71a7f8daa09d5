"""District systems register and change monitoring points through the API, inside their scope."""

import pytest

from monitoring.models import MonitoringPoint
from tests.monitoring.factories import MonitoringPointFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/points/"


def auth(token):
    return {"HTTP_AUTHORIZATION": f"Token {token[1]}"}


def new_point(river, region=None, **extra):
    body = {"code": "ZJ-NEW", "name": "新建断面", "river_code": river.code, "position": 4}
    if region is not None:
        body["region_code"] = region.code
    return {**body, **extra}


def test_a_write_token_registers_a_point_on_a_river_of_its_district(api_client, two_towns):
    d = two_towns
    response = api_client.post(
        URL, new_point(d.river_a1, latitude="30.901234"), format="json", **auth(d.write_token)
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == "ZJ-NEW"
    assert body["river_code"] == d.river_a1.code
    assert body["region_code"] == d.village_a1.code  # the river's, when none is given
    point = MonitoringPoint.objects.get(code="ZJ-NEW")
    assert point.history.count() == 1
    # and its samples can now be posted
    sample = {
        "client_key": "N-1",
        "point": "ZJ-NEW",
        "sampled_at": "2018-07-01T09:00:00+08:00",
        "values": {"nh3n": 0.4},
    }
    response = api_client.post(
        "/api/v1/monitoring/samples/bulk/",
        {"samples": [sample]},
        format="json",
        **auth(d.write_token),
    )
    assert response.status_code == 201, response.json()


def test_a_write_token_changes_a_point(api_client, two_towns):
    d = two_towns
    point = MonitoringPointFactory(river=d.river_a1, code="ZJ-7", position=2)
    response = api_client.patch(
        f"{URL}{point.pk}/",
        {"name": "改名断面", "position": 9},
        format="json",
        **auth(d.write_token),
    )
    assert response.status_code == 200, response.json()
    point.refresh_from_db()
    assert (point.name, point.position) == ("改名断面", 9)
    assert point.history.count() == 2


def test_the_other_towns_token_cannot_create_a_point_in_town_b(api_client, two_towns):
    d = two_towns
    response = api_client.post(URL, new_point(d.river_b1), format="json", **auth(d.town_a_token))
    assert response.status_code == 403
    # nor hide it in its own village on a river it cannot see
    response = api_client.post(
        URL, new_point(d.river_b1, d.village_a1), format="json", **auth(d.town_a_token)
    )
    assert response.status_code == 403
    assert not MonitoringPoint.objects.filter(code="ZJ-NEW").exists()


def test_a_town_token_registers_a_point_on_the_border_river_in_its_own_village(
    api_client, two_towns
):
    d = two_towns
    response = api_client.post(
        URL, new_point(d.border_river, d.village_a1), format="json", **auth(d.town_a_token)
    )
    assert response.status_code == 201, response.json()
    # but not on town B's stretch of it
    response = api_client.post(
        URL,
        new_point(d.border_river, d.village_b1, code="TL-NEW"),
        format="json",
        **auth(d.town_a_token),
    )
    assert response.status_code == 403


def test_the_other_towns_token_cannot_change_town_bs_points(api_client, two_towns):
    d = two_towns
    hidden = MonitoringPointFactory(river=d.river_b1)
    border = MonitoringPointFactory(river=d.border_river, region=d.village_b1)
    own = MonitoringPointFactory(river=d.river_a1)

    response = api_client.patch(
        f"{URL}{hidden.pk}/", {"name": "x"}, format="json", **auth(d.town_a_token)
    )
    assert response.status_code == 404
    response = api_client.patch(
        f"{URL}{border.pk}/", {"name": "x"}, format="json", **auth(d.town_a_token)
    )
    assert response.status_code == 403  # visible through the border river, not its to change
    response = api_client.patch(
        f"{URL}{own.pk}/", {"region_code": d.village_b1.code}, format="json", **auth(d.town_a_token)
    )
    assert response.status_code == 403  # cannot move its own point into town B either
    assert MonitoringPoint.objects.get(pk=border.pk).name != "x"


def test_the_other_towns_office_cannot_change_a_point_through_the_api(api_client, two_towns):
    d = two_towns
    point = MonitoringPointFactory(river=d.border_river, region=d.village_a1)
    api_client.force_login(d.office_b)
    response = api_client.patch(f"{URL}{point.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403
    api_client.force_login(d.office_a)
    response = api_client.patch(f"{URL}{point.pk}/", {"name": "待泾村断面"}, format="json")
    assert response.status_code == 200


def test_a_read_token_and_a_village_chief_cannot_write_points(api_client, two_towns):
    d = two_towns
    response = api_client.post(URL, new_point(d.river_a1), format="json", **auth(d.read_token))
    assert response.status_code == 403
    api_client.force_login(d.chief_a1)
    response = api_client.post(URL, new_point(d.river_a1), format="json")
    assert response.status_code == 403


def test_points_are_validated_as_on_the_pages(api_client, two_towns):
    d = two_towns
    MonitoringPointFactory(river=d.river_a1, code="ZJ-NEW")
    response = api_client.post(URL, new_point(d.river_a1), format="json", **auth(d.write_token))
    assert response.status_code == 400
    assert "code" in response.json()["errors"]

    response = api_client.post(
        URL,
        {"code": "ZJ-X", "name": "无河道", "region_code": d.village_a1.code},
        format="json",
        **auth(d.write_token),
    )
    assert response.status_code == 400
    assert response.json()["detail"]

    response = api_client.post(
        URL, new_point(d.river_a1, code="ZJ-Y", latitude="95"), format="json", **auth(d.write_token)
    )
    assert response.status_code == 400
    assert "latitude" in response.json()["errors"]

    response = api_client.post(
        URL,
        {**new_point(d.river_a1, code="ZJ-Z"), "river_code": "NOPE"},
        format="json",
        **auth(d.write_token),
    )
    assert response.status_code == 400
    assert "river_code" in response.json()["errors"]
