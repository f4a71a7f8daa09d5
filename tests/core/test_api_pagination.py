"""API pagination: keyset cursors and modified_since for district systems, cheap counts.

Every list keeps page numbers; ``?cursor=`` reads by keyset (no count, no OFFSET) and
``?modified_since=`` reads the rows changed since a moment, oldest change first.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from patrols.models import Patrol
from rivers.models import River
from tests import factories
from tests.patrols.factories import PatrolFactory

START = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def read_all(client, url, key, **params):
    """Follow ``next`` links to the end: (ids in order, number of pages)."""
    ids, pages = [], 0
    response = client.get(url, params, **auth(key))
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["count"] is None
        ids += [row["id"] for row in body["results"]]
        pages += 1
        if not body["next"]:
            return ids, pages
        response = client.get(body["next"], **auth(key))


@pytest.fixture
def rivers(town):
    village = factories.VillageFactory(parent=town)
    return [factories.RiverFactory(region=village, code=f"K{n:03d}") for n in (5, 1, 4, 2, 3)]


def test_a_district_client_reads_every_river_once_by_cursor_in_code_order(
    api_client, rivers, district_token
):
    _, key = district_token
    ids, pages = read_all(api_client, "/api/v1/rivers/", key, cursor="", page_size=2)
    assert ids == [r.pk for r in sorted(rivers, key=lambda r: r.code)]
    assert pages == 3


def test_a_cursor_walks_patrols_newest_first_through_ties_on_the_start_time(
    api_client, district_token, village
):
    chief = factories.ChiefFactory(region=village, level="village")
    river = factories.RiverFactory(region=village)
    times = [START, START, START + timedelta(hours=1), START, START - timedelta(days=1)]
    made = [PatrolFactory(chief=chief, river=river, started_at=t) for t in times]
    _, key = district_token
    ids, _pages = read_all(api_client, "/api/v1/patrols/", key, cursor="", page_size=2)
    expected = sorted(made, key=lambda p: (p.started_at, p.pk), reverse=True)
    assert ids == [p.pk for p in expected]


def test_modified_since_gives_the_rows_changed_since_oldest_change_first(
    api_client, rivers, district_token
):
    since = timezone.now()
    River.objects.update(updated_at=since - timedelta(days=1))
    first, second = rivers[3], rivers[0]
    River.objects.filter(pk=second.pk).update(updated_at=since + timedelta(minutes=2))
    River.objects.filter(pk=first.pk).update(updated_at=since + timedelta(minutes=1))
    _, key = district_token
    ids, _pages = read_all(
        api_client, "/api/v1/rivers/", key, modified_since=since.isoformat(), page_size=1
    )
    assert ids == [first.pk, second.pk]


def test_saving_a_river_moves_its_updated_at(rivers, town_staff):
    from rivers import services

    river = rivers[0]
    before = River.objects.get(pk=river.pk).updated_at
    services.update_river(by=town_staff, river=river, note="清淤后复核")
    assert River.objects.get(pk=river.pk).updated_at > before


def test_a_cursor_page_reads_without_counting(
    api_client, rivers, district_token, django_assert_max_num_queries
):
    _, key = district_token
    # token, last use, rivers page, their crossing regions
    with django_assert_max_num_queries(4) as queries:
        response = api_client.get("/api/v1/rivers/", {"cursor": "", "page_size": 2}, **auth(key))
    assert response.status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_a_forged_or_stale_cursor_is_a_400(api_client, rivers, district_token):
    _, key = district_token
    response = api_client.get("/api/v1/rivers/", {"cursor": "bm90LWEtY3Vyc29y"}, **auth(key))
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]
    page = api_client.get("/api/v1/rivers/", {"cursor": "", "page_size": 2}, **auth(key)).json()
    other_order = page["next"] + "&ordering=-length_km"
    response = api_client.get(other_order, **auth(key))
    assert response.status_code == 400


def test_modified_since_on_a_list_without_change_times_is_a_400(api_client, district_token):
    _, key = district_token
    response = api_client.get("/api/v1/regions/", {"modified_since": "2018-01-01"}, **auth(key))
    assert response.status_code == 400
    assert "modified_since" in response.json()["errors"]


def test_page_numbers_still_count_exactly_below_the_limit(api_client, rivers, district_token):
    _, key = district_token
    body = api_client.get("/api/v1/rivers/", {"page_size": 2, "page": 2}, **auth(key)).json()
    assert (body["count"], body["count_exact"]) == (5, True)
    assert [r["code"] for r in body["results"]] == ["K003", "K004"]
    assert body["next"]
    assert body["previous"]


def test_past_the_limit_the_count_stops_counting(api_client, rivers, district_token, settings):
    settings.API_EXACT_COUNT_UP_TO = 3
    _, key = district_token
    body = api_client.get("/api/v1/rivers/", {"page_size": 2}, **auth(key)).json()
    if connection.vendor == "postgresql":
        # The planner's estimate: never below what was seen to exist.
        assert body["count_exact"] is False
        assert body["count"] >= 4
    else:
        assert (body["count"], body["count_exact"]) == (5, True)


def test_the_last_page_needs_no_count_query(
    api_client, rivers, district_token, django_assert_max_num_queries
):
    _, key = district_token
    with django_assert_max_num_queries(4) as queries:
        body = api_client.get("/api/v1/rivers/", {"page_size": 10}, **auth(key)).json()
    assert body["count"] == 5
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_a_town_token_reads_by_cursor_only_its_own_town(api_client, two_towns):
    from core.services import create_api_client

    d = two_towns
    _, key = create_api_client(name="a", region=d.town_a, scope="read")
    ids, _pages = read_all(api_client, "/api/v1/rivers/", key, cursor="", page_size=1)
    visible = set(River.objects.visible_to(d.office_a).values_list("pk", flat=True))
    assert set(ids) == visible
    assert d.border_river.pk in ids  # crossing village_a1, owned by town B


def test_patrols_read_since_a_moment_skip_older_ones(api_client, district_token, village):
    chief = factories.ChiefFactory(region=village, level="village")
    old, new = PatrolFactory.create_batch(2, chief=chief, started_at=START)
    since = timezone.now()
    Patrol.objects.filter(pk=old.pk).update(updated_at=since - timedelta(hours=1))
    Patrol.objects.filter(pk=new.pk).update(updated_at=since + timedelta(seconds=1))
    _, key = district_token
    ids, _pages = read_all(api_client, "/api/v1/patrols/", key, modified_since=since.isoformat())
    assert ids == [new.pk]


def test_a_cursor_over_an_empty_sort_column_is_a_400_not_an_error(
    api_client, district_token, village
):
    river = factories.RiverFactory(region=village)
    factories.AssignmentFactory(river=river)  # open-ended: no end date
    factories.AssignmentFactory(river=factories.RiverFactory(region=village))
    _, key = district_token
    first = api_client.get(
        "/api/v1/assignments/", {"cursor": "", "page_size": 1, "ordering": "end_date"}, **auth(key)
    )
    assert first.status_code == 200
    response = api_client.get(first.json()["next"], **auth(key))
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def count_queries(captured) -> int:
    return sum(
        1 for q in captured if "COUNT(" in q["sql"].upper() or q["sql"].startswith("EXPLAIN")
    )


def test_an_estimated_count_is_remembered_for_the_same_list_and_caller(
    api_client, rivers, district_token, settings
):
    from django.test.utils import CaptureQueriesContext

    from core import pagination

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL estimates counts")
    settings.API_EXACT_COUNT_UP_TO = 3
    settings.API_ESTIMATED_COUNT_SECONDS = 30
    pagination._estimates.clear()
    _, key = district_token
    with CaptureQueriesContext(connection) as first:
        one = api_client.get("/api/v1/rivers/", {"page_size": 2}, **auth(key)).json()
    with CaptureQueriesContext(connection) as second:
        two = api_client.get("/api/v1/rivers/", {"page_size": 2, "page": 2}, **auth(key)).json()
    assert count_queries(first) == 2  # the bounded count, then the planner's estimate
    assert count_queries(second) == 0
    assert (two["count"], two["count_exact"]) == (one["count"], False)
    # Other filters are another list: counted again.
    with CaptureQueriesContext(connection) as filtered:
        api_client.get("/api/v1/rivers/", {"page_size": 2, "q": "K"}, **auth(key))
    assert count_queries(filtered) == 2
    pagination._estimates.clear()


def test_an_exact_count_is_never_remembered(api_client, rivers, district_token, settings):
    from django.test.utils import CaptureQueriesContext

    settings.API_ESTIMATED_COUNT_SECONDS = 30
    _, key = district_token
    for _round in range(2):
        with CaptureQueriesContext(connection) as captured:
            body = api_client.get("/api/v1/rivers/", {"page_size": 2}, **auth(key)).json()
        assert (body["count"], body["count_exact"]) == (5, True)
        assert count_queries(captured) == 1
    factories.RiverFactory(region=River.objects.first().region, code="K006")
    assert api_client.get("/api/v1/rivers/", {"page_size": 2}, **auth(key)).json()["count"] == 6


def pages_of(client, url, key, size, **params) -> list[list[int]]:
    found, number = [], 1
    while True:
        body = client.get(url, {"page": number, "page_size": size, **params}, **auth(key)).json()
        found.append([row["id"] for row in body["results"]])
        if not body["next"]:
            return found
        number += 1


@pytest.mark.parametrize("url", ["/api/v1/rivers/", "/api/v1/patrols/", "/api/v1/chiefs/"])
def test_a_deep_page_read_ids_first_holds_the_same_rows(api_client, two_towns, monkeypatch, url):
    from core import pagination

    d = two_towns
    for river in (d.river_a1, d.river_a2, d.river_b1):
        PatrolFactory.create_batch(2, chief=d.chief_a1.chief, river=river)
    _, key = d.read_token
    plain = pages_of(api_client, url, key, 2)
    plain_desc = pages_of(api_client, url, key, 2, ordering="-pk")
    monkeypatch.setattr(pagination, "IDS_FIRST_FROM", 2)
    assert pages_of(api_client, url, key, 2) == plain
    assert pages_of(api_client, url, key, 2, ordering="-pk") == plain_desc
    assert len(plain) >= 3


def test_a_deep_page_read_ids_first_costs_one_more_query_and_stays_in_scope(
    api_client, two_towns, monkeypatch
):
    from django.test.utils import CaptureQueriesContext

    from core import pagination
    from core.services import create_api_client

    d = two_towns
    _, key = create_api_client(name="a", region=d.town_a, scope="read")
    api_client.get("/api/v1/rivers/", **auth(key))  # its last use written
    params = {"page": 2, "page_size": 1}
    with CaptureQueriesContext(connection) as plain:
        page_2 = api_client.get("/api/v1/rivers/", params, **auth(key)).json()
    monkeypatch.setattr(pagination, "IDS_FIRST_FROM", 1)
    with CaptureQueriesContext(connection) as ids_first:
        again = api_client.get("/api/v1/rivers/", params, **auth(key))
    assert len(ids_first) == len(plain) + 1
    assert again.json()["results"] == page_2["results"]
    seen = [
        row["id"]
        for number in (1, 2, 3)
        for row in api_client.get(
            "/api/v1/rivers/", {"page": number, "page_size": 1}, **auth(key)
        ).json()["results"]
    ]
    assert set(seen) == set(River.objects.visible_to(d.office_a).values_list("pk", flat=True))
    assert d.river_b1.pk not in seen


def test_a_deep_page_reads_its_ids_from_the_covering_index_alone(
    api_client, rivers, district_token, monkeypatch
):
    """``?page=900`` of the district's rivers reads the skipped rows' ids first; the index
    ``river_code_covering`` (rivers/0004) holds everything that query reads, so it needs no
    heap row. With plain index scans, sorts and sequential scans priced out, the plan is an
    index-only scan of it: a change to the query that needs another column fails here."""
    from django.test.utils import CaptureQueriesContext

    from core import pagination

    if connection.vendor != "postgresql":
        pytest.skip("the covering index is PostgreSQL's (SQLite has no INCLUDE columns)")
    monkeypatch.setattr(pagination, "IDS_FIRST_FROM", 1)  # this small list's page 3 is "deep"
    _, key = district_token
    with CaptureQueriesContext(connection) as captured:
        body = api_client.get("/api/v1/rivers/", {"page_size": 1, "page": 3}, **auth(key)).json()
    assert [r["code"] for r in body["results"]] == ["K003"]
    ids_query = next(q["sql"] for q in captured.captured_queries if "OFFSET 2" in q["sql"])
    with connection.cursor() as cursor:
        for knob in ("seqscan", "indexscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{knob} = off")
        cursor.execute(f"EXPLAIN {ids_query}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using river_code_covering on rivers_river" in plan, plan
