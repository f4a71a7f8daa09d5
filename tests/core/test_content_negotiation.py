"""core.negotiation: the JSON shortcut answers what DRF's negotiation answers."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept", "query", "expected"),
    [
        (None, "", "application/json"),
        ("*/*", "", "application/json"),
        ("application/json", "", "application/json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "", "text/html"),
        (None, "?format=api", "text/html"),
        ("*/*", "?format=json", "application/json"),
    ],
)
def test_it_picks_the_renderer_drf_would_pick(two_towns, client, accept, query, expected):
    _t, key = two_towns.read_token
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    if accept is not None:
        headers["HTTP_ACCEPT"] = accept
    response = client.get(f"/api/v1/rivers/{query}", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(expected)


def test_an_unknown_media_type_is_still_refused(two_towns, client):
    _t, key = two_towns.read_token
    response = client.get(
        "/api/v1/rivers/", HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT="application/xml"
    )
    assert response.status_code == 406


def test_a_search_parameter_still_searches(two_towns, client):
    from tests.monitoring.factories import MonitoringPointFactory

    MonitoringPointFactory(river=two_towns.river_a1, code="ZJ-01", name="朱泾塘桥")
    MonitoringPointFactory(river=two_towns.river_b1, code="TL-02", name="亭林桥")
    _t, key = two_towns.read_token
    url = "/api/v1/monitoring/points/"
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}

    def codes(query: str) -> set[str]:
        return {row["code"] for row in client.get(url + query, **headers).json()["results"]}

    assert codes("") == {"ZJ-01", "TL-02"}
    assert codes("?search=") == {"ZJ-01", "TL-02"}
    assert codes("?search=TL") == {"TL-02"}
