"""GET /api/v1/monitoring/river-status/: a page of stored statuses, in the town's scope."""

import pytest
from django.db import connection

from monitoring.models import RiverPeriodStatus
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/river-status/?period=2018-05"


def _river(village, nh3n, name=None):
    point = MonitoringPointFactory(river__region=village, **({"river__name": name} if name else {}))
    SampleFactory(point=point, sampled_at=at(2018, 5, 3), nh3n=nh3n)
    return point.river


def test_the_other_town_cannot_read_my_river_status(api_client, two_towns):
    d = two_towns
    mine = _river(d.village_a1, 3.0, "朱泾黑水浜")
    theirs = _river(d.village_b1, 0.3, "亭林清水河")
    api_client.force_authenticate(d.office_b)
    names = [r["name"] for r in api_client.get(URL).json()["results"]]
    assert theirs.name in names
    assert mine.name not in names
    api_client.force_authenticate(d.office_a)
    names = [r["name"] for r in api_client.get(URL).json()["results"]]
    assert mine.name in names
    assert theirs.name not in names
    # and a village of the other town is not found
    response = api_client.get(f"{URL}&village={d.village_a1.code}")
    assert response.status_code == 200
    api_client.force_authenticate(d.office_b)
    assert api_client.get(f"{URL}&village={d.village_a1.code}").status_code == 404


def test_the_list_is_paginated_worse_than_v_first_with_the_period(api_client, two_towns):
    d = two_towns
    for i in range(7):
        _river(d.village_a1, 0.3 + i)  # classes II .. worse than V
    api_client.force_authenticate(d.office_a)
    first = api_client.get(f"{URL}&page_size=3").json()
    assert (first["period"], first["start"], first["end"]) == (
        "2018-05",
        "2018-05-01",
        "2018-05-31",
    )
    assert first["count"] == 7
    assert first["count_exact"] is True
    assert [r["water_class"] for r in first["results"]] == [6, 6, 6]
    rest = api_client.get(first["next"]).json()["results"]
    rest += api_client.get(f"{URL}&page_size=3&page=3").json()["results"]
    classes = [r["water_class"] for r in first["results"] + rest]
    assert classes == sorted(classes, reverse=True)
    only = api_client.get(f"{URL}&only=worse_than_v").json()  # NH3-N over 2.0 mg/L
    assert only["count"] == 5
    assert {r["water_class"] for r in only["results"]} == {6}
    cursor = api_client.get(f"{URL}&cursor=&page_size=4").json()
    after = api_client.get(cursor["next"]).json()
    assert [r["river"] for r in cursor["results"] + after["results"]] == [
        r["river"] for r in first["results"] + rest
    ]


@pytest.mark.parametrize("rivers", [2, 12])
def test_the_list_runs_a_constant_number_of_queries(
    api_client, two_towns, rivers, django_assert_num_queries
):
    d = two_towns
    for i in range(rivers):
        _river(d.village_a1 if i % 2 else d.village_a2, 0.5 * i)
    api_client.force_authenticate(d.office_a)
    # First read: the rivers, the stored check, three queries to compute, one to store, the
    # page, the villages (one page: no count).
    with django_assert_num_queries(8):
        assert api_client.get(URL).status_code == 200
    assert RiverPeriodStatus.objects.count() == rivers
    # Then: the rivers with their stored statuses (the stored check in the same query), the
    # page, the villages.
    with django_assert_num_queries(3):
        response = api_client.get(URL)
    assert len(response.json()["results"]) == rivers


def test_a_row_read_as_a_tuple_equals_the_stored_statuses_json(two_towns):
    from monitoring import selectors, serializers
    from monitoring.periods import Period

    d = two_towns
    for i in range(5):
        _river(d.village_a1 if i % 2 else d.village_a2, 0.7 * i)
    silent = MonitoringPointFactory(river__region=d.village_a1).river  # no sample in May
    point = MonitoringPointFactory(river=d.border_river, region=d.village_a1)  # crosses A1
    SampleFactory(point=point, sampled_at=at(2018, 5, 4), nh3n=2.5, do=1.2, transparency=20)
    SampleFactory(point=point, sampled_at=at(2018, 4, 4), nh3n=0.5)  # a trend
    period = Period.parse("2018-05")
    models = list(selectors.stored_status_rows(user=d.office_a, period=period))
    rows, total = selectors.stored_status_values(user=d.office_a, period=period)
    rows = list(rows)
    assert total == len(rows) == len(models)
    assert [r.river_id for r in rows] == [m.river_id for m in models]
    assert silent.pk in {r.river_id for r in rows}
    villages = selectors.village_codes([r.river_id for r in rows])
    assert serializers.status_rows_json(rows, villages) == [
        serializers.status_json(selectors.status_row(m)) for m in models
    ]
    assert villages[d.border_river.pk] == sorted([d.village_a1.code, d.village_b1.code])


def test_a_page_of_many_counts_the_rivers_without_a_count_query(
    api_client, two_towns, django_assert_num_queries
):
    d = two_towns
    for i in range(7):
        _river(d.village_a1, 0.3 + i)
    _river(d.village_b1, 3.0)  # the other town's: not counted
    api_client.force_authenticate(d.office_a)
    api_client.get(URL)  # stores the statuses
    # The rivers with their statuses, the page, the villages: the count is the rivers'.
    with django_assert_num_queries(3):
        first = api_client.get(f"{URL}&page_size=3").json()
    assert (first["count"], first["count_exact"]) == (7, True)
    # Narrowed by ``only``, counted from the statuses read with the rivers: no query more.
    with django_assert_num_queries(3):
        only = api_client.get(f"{URL}&only=worse_than_v&page_size=2").json()
    assert (only["count"], only["count_exact"]) == (5, True)
    api_client.force_authenticate(d.office_b)
    assert api_client.get(f"{URL}&page_size=3").json()["count"] == 1


def test_the_rivers_count_stays_exact_past_the_exact_count_limit(
    api_client, two_towns, settings, django_assert_num_queries
):
    # Past API_EXACT_COUNT_UP_TO a list is counted again (PostgreSQL: the planner's estimate);
    # here the number of rivers is known exactly anyway: no count query, and exact.
    settings.API_EXACT_COUNT_UP_TO = 3
    d = two_towns
    for i in range(7):
        _river(d.village_a1, 0.3 + i)
    api_client.force_authenticate(d.office_a)
    api_client.get(URL)  # stores the statuses
    with django_assert_num_queries(3):
        first = api_client.get(f"{URL}&page_size=2").json()
    assert (first["count"], first["count_exact"], len(first["results"])) == (7, True, 2)
    # Narrowed by ``only``, past the limit the count is the paginator's, as for any list
    # (its bounded count, then the planner's estimate or, elsewhere, a full count).
    with django_assert_num_queries(5):
        only = api_client.get(f"{URL}&only=worse_than_v&page_size=2").json()
    exact = connection.vendor != "postgresql"  # PostgreSQL: the planner's estimate
    assert (only["count_exact"], len(only["results"])) == (exact, 2)


def test_the_monitored_river_ids_are_the_monitored_rivers_of_each_scope(two_towns):
    from monitoring import selectors

    d = two_towns
    for village in (d.village_a1, d.village_a2, d.village_b1):
        _river(village, 0.5)
    MonitoringPointFactory(river=d.border_river, region=d.village_a1)  # crosses A1 and B1
    MonitoringPointFactory(river__region=d.village_a2, is_active=False)  # not monitored
    for user in (d.office_a, d.office_b, d.chief_a1, d.inspector):
        for village in (None, d.village_a1, d.village_b1):
            expected = sorted(
                selectors.monitored_rivers(user=user, village=village).values_list("pk", flat=True)
            )
            assert selectors.monitored_river_ids(user=user, village=village) == expected
    assert d.border_river.pk in selectors.monitored_river_ids(user=d.office_b)
    assert len(selectors.monitored_river_ids(user=d.office_a)) == 3  # two own, the border one


def test_only_counts_from_the_rivers_statuses_equal_the_rows_of_each_scope(
    api_client, two_towns, django_assert_num_queries
):
    from monitoring import selectors
    from monitoring.periods import Period

    d = two_towns
    for i in range(6):
        _river(d.village_a1 if i % 2 else d.village_a2, 0.4 + 0.6 * i)
    for i in range(3):
        _river(d.village_b1, 2.5 + i)  # the other town's, all worse than Class V
    point = MonitoringPointFactory(river=d.border_river, region=d.village_a1)  # crosses B1
    SampleFactory(point=point, sampled_at=at(2018, 5, 4), nh3n=2.5, do=1.2, transparency=20)
    period = Period.parse("2018-05")
    for user in (d.office_a, d.office_b, d.chief_a1):
        api_client.force_authenticate(user)
        api_client.get(URL)  # stores the statuses
        for only in ("worse_than_v", "off_target", "black_odour"):
            rows, total = selectors.stored_status_values(user=user, period=period, only=only)
            assert total == len(list(rows)), (user, only)
            body = api_client.get(f"{URL}&only={only}&page_size=1").json()
            assert (body["count"], body["count_exact"]) == (total, True)
    api_client.force_authenticate(d.office_b)
    rivers = [r["river"] for r in api_client.get(f"{URL}&only=worse_than_v").json()["results"]]
    assert d.border_river.pk in rivers
    assert len(rivers) == 4  # its three and the border river, none of town A's


def test_a_river_without_a_stored_status_is_stored_before_its_page(api_client, two_towns):
    d = two_towns
    stored = _river(d.village_a1, 0.3)
    api_client.force_authenticate(d.office_a)
    api_client.get(URL)
    fresh = _river(d.village_a1, 3.0)  # monitored since: no status of May stored
    assert not RiverPeriodStatus.objects.filter(river=fresh).exists()
    body = api_client.get(f"{URL}&only=worse_than_v").json()
    assert [r["river"] for r in body["results"]] == [fresh.pk]
    assert body["count"] == 1
    assert RiverPeriodStatus.objects.filter(river__in=[stored, fresh]).count() == 2
