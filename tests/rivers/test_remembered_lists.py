"""The registry, the vacancies and the chief directory remembered while their tables are
unchanged (core.page_map.remembered).

A remembered list must be exactly what a fresh one would be, whatever changed since (a save, an
``update()``, raw SQL), and one town's list must never serve another's. The lists are only
remembered outside a transaction, so these tests commit: ``transaction=True``. On SQLite every
list is gathered again on every request, and the same pages hold trivially.
"""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import page_map
from rivers import selectors
from rivers.models import ChiefAssignment, River
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def nothing_remembered():
    page_map._results.clear()
    page_map._watched.clear()
    cache.clear()
    yield
    page_map._results.clear()
    cache.clear()


def get(client, name, **params):
    """The page and the SQL of its queries."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def gathers_the_scope(sql: list[str]) -> bool:
    """Whether a query looked up the town's rivers through its scope (owned UNION crossing)."""
    return any("UNION" in q for q in sql)


def test_a_towns_registry_is_remembered_and_the_other_towns_is_its_own(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    first, first_sql = get(client, "rivers:river-list")
    again, again_sql = get(client, "rivers:river-list")
    for html in (first, again):
        assert "共 3 条河道" in html
        for river in (d.river_a1, d.river_a2, d.border_river):
            assert river.name in html
        for river in (d.river_b1, d.river_b2):
            assert river.name not in html
    if POSTGRES:
        # The ids, then the check of the change notes instead of the scope's ids again.
        assert gathers_the_scope(first_sql)
        assert not gathers_the_scope(again_sql)
        # First: the watched tables (once a process), the snapshot and the ids; then 9.
        assert (len(first_sql), len(again_sql)) == (11, 9)
        assert sum(page_map.CHANGES in q for q in again_sql) == 1

    client.force_login(d.office_b)
    html_b, sql_b = get(client, "rivers:river-list")
    assert "共 3 条河道" in html_b
    for river in (d.river_b1, d.river_b2, d.border_river):
        assert river.name in html_b
    for river in (d.river_a1, d.river_a2):
        assert river.name not in html_b
    assert gathers_the_scope(sql_b)  # its own list, gathered

    client.force_login(d.chief_a1)
    html_chief, _sql = get(client, "rivers:river-list")
    assert d.river_a1.name in html_chief
    assert d.border_river.name in html_chief
    assert d.river_a2.name not in html_chief
    assert d.river_b1.name not in html_chief


def test_a_remembered_registry_follows_every_change(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    get(client, "rivers:river-list")

    new = factories.RiverFactory(name="新开河", region=d.village_a2)
    html, sql = get(client, "rivers:river-list")
    assert "共 4 条河道" in html
    assert new.name in html
    assert gathers_the_scope(sql)

    # Raw SQL, past the ORM: the statement trigger notes it all the same.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {River._meta.db_table} SET region_id = %s WHERE id = %s",
            [d.village_b2.pk, new.pk],
        )
        cursor.execute(
            f"UPDATE {River.regions.through._meta.db_table} SET region_id = %s WHERE river_id = %s",
            [d.village_b2.pk, new.pk],
        )
    html, _sql = get(client, "rivers:river-list")
    assert "共 3 条河道" in html
    assert new.name not in html

    # The order is the remembered one: a new code moves the river to the first row.
    River.objects.filter(pk=d.river_a2.pk).update(code="0000-first")
    html, _sql = get(client, "rivers:river-list")
    assert html.index(d.river_a2.name) < html.index(d.river_a1.name)


def test_each_filter_and_page_of_the_registry_is_its_own(client, two_towns):
    d = two_towns
    for n in range(60):
        factories.RiverFactory(name=f"支浜{n:02d}", region=d.village_a1)
    client.force_login(d.office_a)
    for _round in range(2):  # gathered, then remembered
        page_1, _sql = get(client, "rivers:river-list")
        page_2, _sql = get(client, "rivers:river-list", page=2)
        past_the_end, _sql = get(client, "rivers:river-list", page=99)
        search, _sql = get(client, "rivers:river-list", q="界泾")
        assert "共 63 条河道" in page_1
        assert "第 1 / 2 页" in page_1
        assert "第 2 / 2 页" in page_2
        assert "第 2 / 2 页" in past_the_end
        assert page_1.count("<tr>") == 51
        assert page_2.count("<tr>") == 14
        assert "共 1 条河道" in search
        assert d.river_a1.name not in search


def test_remembered_vacancies_follow_the_assignments_and_the_day(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    html, _sql = get(client, "rivers:vacancy-list")
    assert "没有空缺" in html
    html, sql = get(client, "rivers:vacancy-list")
    assert "没有空缺" in html
    if POSTGRES:
        assert sum(page_map.CHANGES in q for q in sql) == 1
        assert not any('"rivers_chiefassignment"' in q for q in sql)

    today = timezone.localdate()
    ChiefAssignment.objects.filter(river=d.river_a1).update(end_date=today)
    html, _sql = get(client, "rivers:vacancy-list")
    assert "没有空缺" in html  # in force to the end of today
    tomorrow = today + timedelta(days=1)
    found = selectors.vacancies_for(user=d.office_a, on=tomorrow)
    assert [(v.river.pk, v.reach, v.level) for v in found] == [(d.river_a1.pk, None, "village")]

    ChiefAssignment.objects.filter(reach=d.reach_a1, level="village").update(
        end_date=date(2020, 1, 1)
    )
    html, _sql = get(client, "rivers:vacancy-list")
    assert d.border_river.name in html
    assert d.reach_a1.name in html
    assert d.river_a1.name not in html
    # Town B's registry holds the border river too; town A's own river is not in it.
    client.force_login(d.office_b)
    html_b, _sql = get(client, "rivers:vacancy-list")
    assert d.reach_a1.name in html_b
    assert d.river_a1.name not in html_b


def test_the_remembered_directory_follows_chiefs_names_and_assignments(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    get(client, "rivers:chief-list")
    again, sql = get(client, "rivers:chief-list")
    if POSTGRES:
        assert sum(page_map.CHANGES in q for q in sql) == 1
        assert not any("ROW_NUMBER" in q for q in sql)  # the first rivers are remembered
    assert reverse("rivers:chief-detail", args=[d.chief_b1.chief.pk]) not in again
    assert d.river_b1.name not in again

    user = factories.UserFactory(username="chief-a3", role="village_chief", region=d.village_a2)
    factories.ChiefFactory(user=user, level="village", region=d.village_a2)
    html, _sql = get(client, "rivers:chief-list")
    assert reverse("rivers:chief-detail", args=[user.chief.pk]) in html

    type(user).objects.filter(pk=d.chief_a2.pk).update(last_name="龚", first_name="新名")
    html, _sql = get(client, "rivers:chief-list")
    assert "龚新名" in html

    ChiefAssignment.objects.filter(river=d.river_a1).update(end_date=date(2020, 1, 1))
    html, _sql = get(client, "rivers:chief-list")
    assert d.river_a1.name not in html

    client.force_login(d.chief_a1)
    html, _sql = get(client, "rivers:chief-list")
    assert reverse("rivers:chief-detail", args=[d.chief_a2.chief.pk]) not in html
