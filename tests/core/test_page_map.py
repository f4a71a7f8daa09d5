"""Deep page numbers read by keyset from a cached page map (core/page_map.py).

Every page must hold exactly what an OFFSET over the same order holds, whatever changed since
the map was walked, and one caller's map must never serve another's rows. The maps are only
walked outside a transaction that has written (its view is its own), so these tests commit:
``transaction=True``. On SQLite every page is read with an OFFSET, and the same comparisons
hold trivially.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import page_map, pagination
from core.models import User
from core.services import create_api_client
from patrols.models import Patrol
from rivers.models import Chief, River
from tests import factories
from tests.patrols.factories import PatrolFactory

pytestmark = pytest.mark.django_db(transaction=True)
POSTGRES = connection.vendor == "postgresql"
START = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)


def auth(key):
    """A token's header; none for a key of None (the client's session: a village chief)."""
    return {} if key is None else {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.fixture(autouse=True)
def deep_from_page_2(monkeypatch):
    """Page 2 onwards is "deep" (read ids first, or by the map), so a small list shows it."""
    monkeypatch.setattr(pagination, "IDS_FIRST_FROM", 1)
    page_map._maps.clear()
    page_map._watched.clear()
    cache.clear()
    yield
    page_map._maps.clear()
    cache.clear()


@pytest.fixture
def district(two_towns):
    """The two towns with a dozen rivers each, their names and lengths tied in threes."""
    d = two_towns
    for n in range(12):
        for village in (d.village_a1, d.village_b2):
            factories.RiverFactory(
                region=village, name=f"支浜{n // 3}", length_km=Decimal(n % 4) + Decimal("0.5")
            )
    chief = d.chief_a1.chief
    for n in range(9):
        PatrolFactory(chief=chief, river=d.river_a1, started_at=START + timedelta(hours=n // 3))
        PatrolFactory(chief=d.chief_b1.chief, river=d.river_b1, started_at=START)
    d.town_b_token = create_api_client(name="town-b-r", region=d.town_b, scope="read")
    return d


def pages(client, url, key, size=2, **params) -> list[list[int]]:
    """Every page by number until ``next`` is null: each page's ids."""
    found, number = [], 1
    while True:
        response = client.get(url, {"page": number, "page_size": size, **params}, **auth(key))
        assert response.status_code == 200, response.content
        body = response.json()
        found.append([row["id"] for row in body["results"]])
        if not body["next"]:
            return found
        number += 1


def offset_pages(monkeypatch, client, url, key, size=2, **params) -> list[list[int]]:
    """The same pages with the maps turned off: an OFFSET over the same order."""
    with monkeypatch.context() as patched:
        patched.setattr(page_map, "page_rows", lambda *args, **kwargs: None)
        return pages(client, url, key, size, **params)


def walks(captured) -> int:
    return sum("ROW_NUMBER() OVER" in q["sql"] for q in captured.captured_queries)


LISTS = [
    ("/api/v1/rivers/", {}),
    ("/api/v1/rivers/", {"ordering": "name"}),
    ("/api/v1/rivers/", {"ordering": "-length_km"}),
    ("/api/v1/rivers/", {"q": "支浜"}),
    ("/api/v1/patrols/", {}),
    ("/api/v1/patrols/", {"ordering": "started_at"}),
    ("/api/v1/chiefs/", {}),
    ("/api/v1/assignments/", {}),
]


@pytest.mark.parametrize("who", ["read_token", "town_a_token", "town_b_token"])
def test_every_deep_page_holds_what_an_offset_gives(api_client, district, monkeypatch, who):
    _, key = getattr(district, who)
    for url, params in LISTS:
        expected = offset_pages(monkeypatch, api_client, url, key, **params)
        assert len(expected) >= 2, url
        first = pages(api_client, url, key, **params)  # walks the map
        again = pages(api_client, url, key, **params)  # reads by it
        assert first == again == expected, (url, params)
        assert len({pk for page in expected for pk in page}) == sum(map(len, expected))


def test_the_rivers_pages_are_the_scopes_rivers_in_code_order(api_client, district):
    d = district
    _, key = d.town_a_token
    seen = [pk for page in pages(api_client, "/api/v1/rivers/", key) for pk in page]
    expected = River.objects.visible_to(d.office_a).order_by("code").values_list("pk", flat=True)
    assert seen == list(expected)
    assert d.border_river.pk in seen  # owned by town B, crossing village_a1
    assert d.river_b1.pk not in seen


@pytest.mark.parametrize(
    "params", [{}, {"ordering": "name"}, {"ordering": "-length_km"}], ids=["code", "name", "len"]
)
def test_a_deep_page_after_inserts_deletes_and_moves_holds_what_an_offset_gives(
    api_client, district, monkeypatch, params
):
    d = district
    url = "/api/v1/rivers/"
    _, key = d.read_token

    def same():
        pages(api_client, url, key, **params)  # whatever map there was, used or walked again
        assert pages(api_client, url, key, **params) == offset_pages(
            monkeypatch, api_client, url, key, **params
        )

    same()
    rivers = list(River.objects.order_by("code"))
    # An insert in the middle of every order.
    factories.RiverFactory(
        region=d.village_a2, code=rivers[3].code + "5", name="支浜1", length_km=Decimal("1.5")
    )
    same()
    # A delete near the start (its reach and assignments first).
    gone = rivers[1]
    gone.assignments.all().delete()
    gone.reaches.all().delete()
    gone.delete()
    same()
    # A save that moves a row across page boundaries in every order.
    mover = River.objects.order_by("-code").first()
    mover.code, mover.name, mover.length_km = "A0000", "支浜0", Decimal("9.5")
    mover.save()
    same()
    # A bulk update, which leaves updated_at alone, and raw SQL.
    River.objects.filter(pk=rivers[5].pk).update(code="Z9999", name="支浜9")
    same()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {River._meta.db_table} SET length_km = 0.1, name = 'A' WHERE id = %s",
            [rivers[6].pk],
        )
    same()


def test_a_river_crossing_into_a_town_changes_that_towns_pages(api_client, district, monkeypatch):
    """The scope reads the crossings: a river of town B that comes to cross a village of town
    A (no change to the river's own row) is on town A's pages at once."""
    d = district
    url = "/api/v1/rivers/"
    _, key = d.town_a_token
    before = pages(api_client, url, key)
    d.river_b2.regions.add(d.village_a2)
    after = pages(api_client, url, key)
    assert after == offset_pages(monkeypatch, api_client, url, key)
    assert d.river_b2.pk in {pk for page in after for pk in page}
    assert after != before


def test_one_towns_page_map_never_serves_another_town(api_client, district, monkeypatch):
    d = district
    url = "/api/v1/rivers/"
    _, key_a = d.town_a_token
    _, key_b = d.town_b_token
    _, key_d = d.read_token
    town_a = pages(api_client, url, key_a)  # town A's map walked and kept
    town_b = pages(api_client, url, key_b)
    district_pages = pages(api_client, url, key_d)
    assert town_b == offset_pages(monkeypatch, api_client, url, key_b)
    assert district_pages == offset_pages(monkeypatch, api_client, url, key_d)
    seen_a = {pk for page in town_a for pk in page}
    seen_b = {pk for page in town_b for pk in page}
    assert seen_a == set(River.objects.visible_to(d.office_a).values_list("pk", flat=True))
    assert seen_b == set(River.objects.visible_to(d.office_b).values_list("pk", flat=True))
    assert seen_a & seen_b == {d.border_river.pk}
    assert {pk for page in district_pages for pk in page} == seen_a | seen_b


@pytest.mark.skipif(not POSTGRES, reason="the maps are PostgreSQL's; SQLite keeps the OFFSET")
def test_a_deep_page_by_its_map_costs_one_query_more_than_page_1_and_no_offset(
    api_client, district
):
    _, key = district.read_token
    url = "/api/v1/rivers/"
    api_client.get(url, {"page": 3, "page_size": 2}, **auth(key))  # token used, map walked
    with CaptureQueriesContext(connection) as first:
        api_client.get(url, {"page_size": 2}, **auth(key))
    with CaptureQueriesContext(connection) as deep:
        body = api_client.get(url, {"page": 3, "page_size": 2}, **auth(key)).json()
    assert len(body["results"]) == 2
    # The page read by keyset from page 2's last row, then the check that nothing changed.
    assert len(deep) == len(first) + 1
    assert walks(deep) == 0
    sql = [q["sql"] for q in deep.captured_queries]
    assert not any(" OFFSET " in q for q in sql)
    assert sum(page_map.CHANGES in q for q in sql) == 1
    # A deeper page than the map knows extends it from its last page, without the OFFSET.
    with CaptureQueriesContext(connection) as deeper:
        api_client.get(url, {"page": 5, "page_size": 2}, **auth(key))
    assert walks(deeper) == 1
    assert not any(" OFFSET " in q["sql"] for q in deeper.captured_queries)


@pytest.mark.skipif(not POSTGRES, reason="the maps are PostgreSQL's")
def test_the_map_is_walked_again_only_after_a_change(api_client, district):
    _, key = district.read_token
    url = "/api/v1/rivers/"
    params = {"page": 3, "page_size": 2}
    with CaptureQueriesContext(connection) as first:
        api_client.get(url, params, **auth(key))
    with CaptureQueriesContext(connection) as second:
        api_client.get(url, params, **auth(key))
    assert (walks(first), walks(second)) == (1, 0)
    # A change to a table the river list does not read (a chief's post) walks nothing.
    Chief.objects.filter(pk=district.chief_a1.chief.pk).update(position="副镇长")
    with CaptureQueriesContext(connection) as unrelated:
        api_client.get(url, params, **auth(key))
    assert walks(unrelated) == 0
    River.objects.filter(pk=district.river_a1.pk).update(note="复核")
    with CaptureQueriesContext(connection) as changed:
        api_client.get(url, params, **auth(key))
    assert walks(changed) == 1


@pytest.mark.skipif(not POSTGRES, reason="the maps are PostgreSQL's")
def test_a_readers_own_uncommitted_change_is_on_its_pages(api_client, district, monkeypatch):
    d = district
    _, key = d.read_token
    url = "/api/v1/rivers/"
    pages(api_client, url, key)  # the committed list's map
    with transaction.atomic():
        factories.RiverFactory(region=d.village_a1, code="A0001")
        inside = pages(api_client, url, key)
        assert inside == offset_pages(monkeypatch, api_client, url, key)
        assert inside[0][0] == River.objects.get(code="A0001").pk
        transaction.set_rollback(True)
    assert pages(api_client, url, key) == offset_pages(monkeypatch, api_client, url, key)


@pytest.mark.skipif(not POSTGRES, reason="the maps are PostgreSQL's")
def test_pruning_the_noted_changes_walks_every_older_map_again(api_client, district):
    _, key = district.read_token
    url = "/api/v1/rivers/"
    params = {"page": 3, "page_size": 2}
    api_client.get(url, params, **auth(key))
    assert page_map.prune_changes() > 0
    with CaptureQueriesContext(connection) as after:
        api_client.get(url, params, **auth(key))
    assert walks(after) == 1


@pytest.mark.skipif(not POSTGRES, reason="the triggers are PostgreSQL's")
def test_every_watched_table_has_the_trigger_and_the_hot_ones_none():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [page_map.TRIGGER],
        )
        triggered = {row[0] for row in cursor.fetchall()}
    assert set(page_map.watched_tables()) <= triggered
    for table in ("rivers_river", "rivers_river_regions", "core_region", "patrols_patrol"):
        assert table in triggered
    for table in ("django_session", "core_apitoken", "rivers_historicalriver"):
        assert table not in triggered


# --- the walk reads what decides the rows and their order, not what a row shows ----------

PATROLS = "/api/v1/patrols/"


def caller(api_client, district, who) -> str | None:
    """A token's key, or None after logging the client in (a village chief's session)."""
    if who.startswith("chief"):
        api_client.force_login(getattr(district, who))
        return None
    return getattr(district, who)[1]


def walk_sql(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "ROW_NUMBER() OVER" in q["sql"]]


@pytest.mark.parametrize("who", ["read_token", "town_a_token", "town_b_token", "chief_a1"])
def test_a_deep_patrol_page_after_writes_and_logins_holds_what_an_offset_gives(
    api_client, district, monkeypatch, who
):
    d = district
    key = caller(api_client, d, who)

    def same():
        pages(api_client, PATROLS, key)  # whatever map there was, used or walked again
        found = pages(api_client, PATROLS, key)
        assert found == offset_pages(monkeypatch, api_client, PATROLS, key)
        assert len(found) >= 3
        return found

    same()
    own_a, own_b = d.chief_a1.chief, d.chief_b1.chief
    # Inserts between the rows of every caller's list.
    for chief, river in ((own_a, d.river_a1), (own_b, d.river_b1)):
        PatrolFactory(chief=chief, river=river, started_at=START + timedelta(minutes=90))
    same()
    # A delete near the start, and a save that moves a row across pages.
    Patrol.objects.filter(chief=own_a).order_by("-started_at", "-id").first().delete()
    mover = Patrol.objects.filter(chief=own_a).order_by("started_at", "id").first()
    mover.started_at = START + timedelta(days=3)
    mover.ended_at = mover.started_at + timedelta(minutes=45)
    mover.save()
    same()
    # A bulk update, and raw SQL.
    first = Patrol.objects.filter(chief=own_a).order_by("-started_at", "-id").first()
    Patrol.objects.filter(pk=first.pk).update(started_at=START - timedelta(days=1))
    moved = START + timedelta(hours=1, minutes=30)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Patrol._meta.db_table} SET started_at = %s, ended_at = %s WHERE id = %s",
            [moved, moved + timedelta(minutes=45), Patrol.objects.filter(chief=own_b).first().pk],
        )
    before = same()
    # Logins (each writes the user's last_login) decide nothing of a patrol list: the maps
    # hold, and the pages are still right.
    Client().force_login(d.office_b)
    Client().force_login(d.chief_a1)
    with CaptureQueriesContext(connection) as captured:
        after = pages(api_client, PATROLS, key)
    assert walks(captured) == 0 or not POSTGRES
    assert after == before == offset_pages(monkeypatch, api_client, PATROLS, key)


@pytest.mark.skipif(not POSTGRES, reason="the maps are PostgreSQL's")
@pytest.mark.parametrize("who", ["read_token", "town_a_token", "chief_a1"])
def test_the_patrol_walk_reads_no_table_a_row_only_shows(api_client, district, who):
    key = caller(api_client, district, who)
    with CaptureQueriesContext(connection) as captured:
        pages(api_client, PATROLS, key)
    sql = walk_sql(captured)
    assert sql
    for walk in sql:
        # The chief's name, the river's: shown on each row, read by the page alone.
        assert '"core_user"' not in walk
        assert '"rivers_river"' not in walk
        if who != "chief_a1":  # a chief's own patrols: the chief's user decides them
            assert "JOIN" not in walk


@pytest.mark.parametrize("who", ["read_token", "town_a_token"])
def test_a_search_through_a_join_walks_again_after_a_write_to_the_joined_table(
    api_client, district, monkeypatch, who
):
    """``?search=`` reads the river's name and the chief's user: a write to either can change
    which patrols are on the pages, so it walks the map again."""
    d = district
    key = caller(api_client, d, who)
    search = {"search": d.river_a1.name}

    def walked() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as captured:
            found = pages(api_client, PATROLS, key, **search)
        n = walks(captured)  # before more queries move the connection's log
        assert found == offset_pages(monkeypatch, api_client, PATROLS, key, **search)
        return n, found

    pages(api_client, PATROLS, key, **search)
    assert walked()[0] == 0 or not POSTGRES
    # The other town's river takes the name (a river of town B: on the district's pages).
    River.objects.filter(pk=d.river_b1.pk).update(name=d.river_a1.name + "西")
    n, found = walked()
    assert n >= 1 or not POSTGRES
    b1 = set(Patrol.objects.filter(river=d.river_b1).values_list("pk", flat=True))
    seen = {pk for page in found for pk in page}
    assert b1 <= seen if who == "read_token" else not b1 & seen
    River.objects.filter(pk=d.river_b1.pk).update(name="亭东村浜")
    a2 = PatrolFactory(chief=d.chief_a2.chief, river=d.river_a2, started_at=START).pk
    walked()
    # Two chiefs' surnames now match: their patrols come in by writes to core_user alone.
    for user in (d.chief_a2, d.chief_b1):
        User.objects.filter(pk=user.pk).update(last_name=d.river_a1.name)
    n, found = walked()
    assert n >= 1 or not POSTGRES
    seen = {pk for page in found for pk in page}
    assert a2 in seen
    assert b1 <= seen if who == "read_token" else not b1 & seen


def test_the_keys_keep_a_join_to_many_rows_and_drop_one_to_one_row():
    many = River.objects.values_list("code", "regions__name").order_by("code", "pk")
    keys = many.values_list("code", "pk")
    assert page_map.deciding(keys) is keys  # a river crossing three villages: three rows
    one = River.objects.values_list("code", "region__name").order_by("code", "pk")
    reduced = page_map.deciding(one.values_list("code", "pk"))
    assert "JOIN" not in str(reduced.query)
    assert list(reduced) == list(one.values_list("code", "pk"))


# --- a login is no list change ------------------------------------------------------------


def notes(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_listchange WHERE tbl = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(not POSTGRES, reason="the triggers are PostgreSQL's")
def test_a_login_notes_no_change_and_a_renamed_user_does(district):
    before = notes("core_user")
    assert Client().login(username=district.chief_a1.username, password=factories.PASSWORD)
    assert notes("core_user") == before  # last_login alone
    User.objects.filter(pk=district.chief_a1.pk).update(last_name="河")
    assert notes("core_user") == before + 1
    user = User.objects.get(pk=district.chief_a1.pk)
    user.save()  # the whole row, last_login among its columns
    assert notes("core_user") == before + 2
    User.objects.create(username="new-user-x")
    assert notes("core_user") == before + 3


@pytest.mark.skipif(not POSTGRES, reason="the triggers are PostgreSQL's")
def test_an_older_trigger_on_every_update_is_narrowed_at_the_next_migrate(district):
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER {page_map.TRIGGER} ON "core_user"')
        cursor.execute(
            f"CREATE TRIGGER {page_map.TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            'ON "core_user" FOR EACH STATEMENT EXECUTE FUNCTION core_note_list_change()'
        )
    before = notes("core_user")
    User.objects.filter(pk=district.chief_a1.pk).update(last_login=START)
    assert notes("core_user") == before + 1
    page_map.install_triggers()
    User.objects.filter(pk=district.chief_a1.pk).update(last_login=START + timedelta(days=1))
    assert notes("core_user") == before + 1
    User.objects.filter(pk=district.chief_a1.pk).update(first_name="甲")
    assert notes("core_user") == before + 2
