"""The river filter of the patrol and finding lists (core.filters.RecordFilter): an id, a
code or a unique name, in the page and the API, and a string in the API's schema; the lists'
river, chief and village choices are the asking user's in the API as in the pages."""

import pytest

pytestmark = pytest.mark.django_db


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_a_code_of_digits_alone_finds_its_river_and_an_id_still_wins(two_towns, client):
    from tests.patrols.factories import PatrolFactory

    d = two_towns
    a1 = PatrolFactory(chief=d.chief_a1.chief, river=d.river_a1)
    a2 = PatrolFactory(chief=d.chief_a2.chief, river=d.river_a2)
    # A code of digits that is no river's id in town A: read as the code.
    d.river_a1.code = "990000001"
    d.river_a1.save()
    client.force_login(d.office_a)
    response = client.get("/patrols/", {"river": "990000001"})
    assert [p.pk for p in response.context["page"]] == [a1.pk]
    # A code of digits that is also the id of another river of the town: the id wins.
    d.river_a1.code = str(d.river_a2.pk)
    d.river_a1.save()
    response = client.get("/patrols/", {"river": str(d.river_a2.pk)})
    assert [p.pk for p in response.context["page"]] == [a2.pk]
    # Town B's river, by its id or a code of digits, is not town A's to filter by.
    d.river_b1.code = "990000002"
    d.river_b1.save()
    for value in (d.river_b1.pk, "990000002"):
        response = client.get("/patrols/", {"river": value})
        assert response.context["filter"].errors["river"], value


def test_the_api_takes_a_code_and_refuses_another_towns_with_a_field_message(two_towns, api_client):
    from tests.patrols.factories import FindingFactory, PatrolFactory

    d = two_towns
    mine = PatrolFactory(chief=d.chief_a1.chief, river=d.river_a1)
    PatrolFactory(chief=d.chief_b1.chief, river=d.river_b1)
    PatrolFactory(chief=d.chief_a2.chief, river=d.river_a2)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {d.town_a_token[1]}")
    for asked in (
        {"river": d.river_a1.pk},
        {"river": d.river_a1.code},
        {"chief": d.chief_a1.chief.pk},
        {"region": d.village_a1.pk},
    ):
        response = api_client.get("/api/v1/patrols/", asked)
        assert response.status_code == 200, (asked, response.content)
        assert ids(response) == {mine.pk}, asked
    # The other town's river, chief or village: a field message, nothing of theirs.
    for asked in (
        {"river": d.river_b1.code},
        {"river": d.river_b1.pk},
        {"chief": d.chief_b1.chief.pk},
        {"region": d.village_b1.pk},
    ):
        response = api_client.get("/api/v1/patrols/", asked)
        assert response.status_code == 400, asked
        assert set(response.json()["errors"]) == set(asked)
    # A district's read-only token reads both towns' patrols by either town's river.
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {d.read_token[1]}")
    for river in (d.river_a1, d.river_b1):
        response = api_client.get("/api/v1/patrols/", {"river": river.code})
        assert response.status_code == 200
        assert [row["river"] for row in response.json()["results"]] == [river.pk]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {d.town_a_token[1]}")
    # The findings list answers the river filter the same way.
    FindingFactory(patrol=mine)
    response = api_client.get("/api/v1/findings/", {"river": d.river_a1.code})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_the_schema_says_what_each_river_parameter_takes(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    def parameter(path, name):
        (found,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        return found

    for path in ("/api/v1/patrols/", "/api/v1/findings/"):
        river = parameter(path, "river")
        assert river["schema"]["type"] == "string"
        assert "编码" in river["description"]
    for path in ("/api/v1/assignments/", "/api/v1/sluice-gates/"):
        river = parameter(path, "river")
        assert river["schema"] == {"type": "integer", "minimum": 1}
        assert river["description"]
