"""An unfiltered order list's queryset is built once per caller (directives.api): each town,
village chief and token still reads only its own orders, fresh; filters apply per request."""

from datetime import date

import pytest

from directives import api, services
from directives.models import Source

pytestmark = pytest.mark.django_db

URL = "/api/v1/directives/"


@pytest.fixture(autouse=True)
def _nothing_kept():
    api._directive_lists.clear()
    yield
    api._directive_lists.clear()


def order(by, river, village, **more):
    return services.issue_directive(
        issued_by=by,
        river=river,
        title="河面漂浮垃圾",
        description="桥下有漂浮垃圾",
        deadline=date(2026, 3, 10),
        issued_on=date(2026, 3, 1),
        source=Source.PHONE_REPORT,
        target_village=village,
        notify_target=False,
        **more,
    ).pk


def ids(client, user, query="") -> list[int]:
    client.force_authenticate(user)
    response = client.get(URL + query)
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def test_each_caller_reads_its_own_orders_through_the_kept_lists(api_client, two_towns):
    d = two_towns
    a1 = order(d.office_a, d.river_a1, d.village_a1)
    a2 = order(d.office_a, d.river_a2, d.village_a2)
    b1 = order(d.office_b, d.river_b1, d.village_b1)
    for _round in range(2):  # built, then kept
        assert ids(api_client, d.office_a) == [a2, a1]
        assert ids(api_client, d.office_b) == [b1]
        assert ids(api_client, d.chief_a1) == [a1]
        assert ids(api_client, d.chief_a2) == [a2]
        assert ids(api_client, d.chief_b1) == [b1]
        assert ids(api_client, d.inspector) == [a2, b1, a1]  # serials per town
        assert ids(api_client, d.office_a, "?page_size=1&page=2") == [a1]
    assert len(api._directive_lists) == 6 + 1  # a page's parameters: another key
    # Kept lists are read again, not their rows: a new order shows at once.
    a3 = order(d.office_a, d.river_a1, d.village_a1)
    assert ids(api_client, d.office_a) == [a3, a2, a1]
    assert ids(api_client, d.chief_a1) == [a3, a1]
    assert ids(api_client, d.office_b) == [b1]
    # A filter is applied per request, not kept.
    assert ids(api_client, d.office_a, f"?river={d.river_a2.pk}") == [a2]
    assert ids(api_client, d.office_b, f"?river={d.river_a2.pk}") == []
    assert len(api._directive_lists) == 7


def test_a_kept_list_reads_the_page_and_its_names(api_client, two_towns, django_assert_num_queries):
    d = two_towns
    for _ in range(3):
        order(d.office_a, d.river_a1, d.village_a1)
    ids(api_client, d.office_a)  # kept
    with django_assert_num_queries(2):  # the page, the names by id
        assert len(ids(api_client, d.office_a)) == 3
