"""Issue 13, item 8: malformed query parameters answer 400 (or are ignored), never 500."""

import pytest

pytestmark = pytest.mark.django_db

CASES = [
    "/patrols/duty/?month=9999-12",
    "/patrols/duty/?month=0000-01",
    "/patrols/duty.xlsx?month=9999-12",
    "/patrols/stats/?year=0",
    "/patrols/stats/?year=99999",
    "/patrols/?river=abc",
    "/directives/statistics/?year=0",
    "/directives/export.xlsx?year=0",
    "/monitoring/?period=0001-01",
    "/monitoring/?period=9999-12",
    "/rivers/?q=%00",
    "/api/v1/rivers/?q=%00",
    "/api/v1/directives/?modified_since=9999-12-31T23:59:59",
    "/api/v1/monitoring/river-status/?period=0001-01",
    "/api/v1/patrols/?river=abc",
]


@pytest.mark.parametrize("url", CASES)
def test_a_malformed_parameter_never_answers_500(two_towns, client, url):
    client.raise_request_exception = False
    client.force_login(two_towns.office_a)
    response = client.get(url)
    assert response.status_code in (200, 400), response.status_code
