"""How the patrol list page reads a town's patrols: a deep page as a merge of its villages,
a chief's count from one index, each row as plain values (the same rows and HTML)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patrols import selectors
from patrols.models import Patrol
from patrols.selectors import lists
from tests.patrols.factories import FindingFactory, PatrolFactory, chief_on_river

START = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
def office(client, town_staff):
    client.force_login(town_staff)
    return client


@pytest.fixture
def town_patrols(town, village, other_village):
    """Patrols of a town chief and of two villages' chiefs, interleaved in time, some at the
    same moment (the id breaks the tie)."""
    made = []
    for i, region in enumerate((village, other_village, town, village, other_village)):
        level, role = ("town", "town_chief") if region == town else ("village", "village_chief")
        chief, river = chief_on_river(region, level=level, role=role)
        for day in range(7):
            moment = START + timedelta(days=day, hours=i % 2)
            made.append(PatrolFactory(chief=chief, river=river, started_at=moment))
    return made


def newest_first(patrols):
    return [p.pk for p in sorted(patrols, key=lambda p: (p.started_at, p.pk), reverse=True)]


def test_every_page_of_a_towns_list_holds_the_plain_orders_rows(office, town_patrols, monkeypatch):
    monkeypatch.setattr(lists, "MERGE_FROM", 1)  # every page but the first is "deep"
    expected = newest_first(town_patrols)
    seen = []
    for number in (1, 2):
        with CaptureQueriesContext(connection) as captured:
            page = office.get("/patrols/", {"page": number}).context["page"]
        seen += [p.pk for p in page]
        merged = any("UNION ALL" in q["sql"] for q in captured.captured_queries)
        assert merged == (number > 1 and connection.vendor == "postgresql")
    assert seen == expected


def test_newest_ids_leaves_a_chosen_river_or_village_to_the_plain_query(
    town_staff, town_patrols, village, monkeypatch
):
    monkeypatch.setattr(lists, "MERGE_FROM", 1)
    qs = selectors.patrols_for(user=town_staff)
    for chosen in ({"river": town_patrols[0].river}, {"region": village}, {"chief": 1}):
        assert lists.newest_ids(qs, user=town_staff, chosen=chosen, offset=5, limit=5) is None
    assert lists.newest_ids(qs, user=town_staff, chosen={}, offset=0, limit=5) is None


def test_newest_ids_keep_the_filters_of_the_list(town_staff, town_patrols, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the merge is PostgreSQL's (SQLite reads the plain OFFSET)")
    monkeypatch.setattr(lists, "MERGE_FROM", 1)
    Patrol.objects.filter(pk__in=[p.pk for p in town_patrols[::3]]).update(review="rejected")
    qs = selectors.patrols_for(user=town_staff, filters={"review": "rejected"})
    ids = lists.newest_ids(qs, user=town_staff, chosen={}, offset=2, limit=4)
    assert ids == list(qs.values_list("pk", flat=True)[2:6])
    assert len(ids) == 4


def test_a_deep_page_merges_the_villages_in_their_index_order(town_staff, town_patrols):
    """Each region's branch walks ``patrol_region_started`` in order and PostgreSQL merges
    them (Merge Append) instead of sorting the town's patrols: a change that loses the
    branches' order (or their index) fails here."""
    if connection.vendor != "postgresql":
        pytest.skip("the merge is PostgreSQL's")
    qs = selectors.patrols_for(user=town_staff, finding_count=False)
    with CaptureQueriesContext(connection) as captured:
        lists.newest_ids(qs, user=town_staff, chosen={}, offset=1000, limit=30)
    sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        # A test table is tiny, so the planner's choice between sorting a few rows and
        # merging ordered branches is a coin toss: sorting is ruled out, so the plan merges
        # only if each branch can be read in order from the index.
        for knob in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{knob} = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Merge Append" in plan, plan
    assert "patrol_region_started" in plan, plan


def test_a_village_chiefs_count_reads_the_region_chief_index_alone(client, village):
    """The chief's list counts ``region = X AND (chief's user = U OR recorded_by = U)``: the
    index ``patrol_region_chief`` (patrols/0006) holds the patrol's side of it, so the count
    needs no heap row."""
    if connection.vendor != "postgresql":
        pytest.skip("the index is built on PostgreSQL only")
    chief, river = chief_on_river(village)
    PatrolFactory(chief=chief, river=river)
    client.force_login(chief.user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/patrols/").context["page"].paginator.count == 1
    count = next(
        q["sql"]
        for q in captured.captured_queries
        if "COUNT(*)" in q["sql"] and "patrols_patrol" in q["sql"]
    )
    with connection.cursor() as cursor:
        for knob in ("seqscan", "indexscan", "bitmapscan"):
            cursor.execute(f"SET LOCAL enable_{knob} = off")
        cursor.execute(f"EXPLAIN {count}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using patrol_region_chief on patrols_patrol" in plan, plan


def test_a_list_row_prints_what_the_patrol_holds(office, village):
    chief, river = chief_on_river(village)
    chief.user.last_name, chief.user.first_name = "张", "三"
    chief.user.save()
    patrol = PatrolFactory(
        chief=chief,
        river=river,
        started_at=START,
        ended_at=START + timedelta(minutes=95),
        status="finished",
        distance_m=2345,
        walker_name="李四",
        review="accepted",
        flags=["too_short"],
    )
    FindingFactory(patrol=patrol)
    FindingFactory(patrol=patrol)
    r = office.get("/patrols/")
    row = r.context["page"][0]
    assert (row.pk, row.chief_id, row.river_id) == (patrol.pk, chief.pk, river.pk)
    body = r.content.decode()
    for text in (
        f'<a href="/patrols/{patrol.pk}/">2018-03-05 09:00</a>',
        '张三<br><small class="muted">李四 代巡</small>',
        f"村级 · {village.name}",
        "95 分钟",
        "2.35 公里",
        '<td class="num">2</td>',
        '<span class="tag ok">已认可</span>',
    ):
        assert text in body, text


def test_the_chief_filter_labels_each_chief_by_name_and_title(office, village):
    chief, _river = chief_on_river(village)
    user = chief.user
    user.last_name, user.first_name = "王", "五"
    user.save()
    nameless, _ = chief_on_river(village)
    nameless.title = "deputy_chief"
    nameless.save()
    nameless.user.last_name = nameless.user.first_name = ""
    nameless.user.save()
    body = office.get("/patrols/").content.decode()
    assert f'<option value="{chief.pk}">王五（河长）</option>' in body
    assert f'<option value="{nameless.pk}">{nameless.user.username}（副河长）</option>' in body
    assert str(chief) == "王五（河长）"


@pytest.mark.parametrize("metres", [0, 5, 994, 995, 1005, 2345, 12_345_678, 999_999_999])
def test_a_rows_distance_reads_as_the_km_filter_writes_it(metres):
    from django.utils.translation import gettext as _

    from core.templatetags.numbers import km

    assert _("%(n)s 公里") % {"n": f"{metres / 1000:,.2f}"} == km(round(metres / 1000, 2))
