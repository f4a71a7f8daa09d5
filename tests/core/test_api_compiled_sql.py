"""API list reads keep each query's SQL by the whole query (core/compiled.py): an equal query
is not compiled again, and a query is never answered with the SQL of another."""

import pytest
from django.test import Client

from core import authentication, compiled
from core.services import create_api_client, revoke_api_token
from rivers.models import River

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_kept():
    compiled.forget()
    authentication._recent.clear()
    yield
    compiled.forget()
    authentication._recent.clear()


@pytest.fixture
def compiles(monkeypatch):
    """How many queries Django compiled itself (not found among the kept ones)."""
    counted = []
    original = compiled._as_sql

    def counting(self, *args, **kwargs):
        counted.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(compiled, "_as_sql", counting)
    return counted


def token(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def codes(client: Client, path: str, key: str) -> set[str]:
    response = client.get(path, **token(key))
    assert response.status_code == 200
    return {row["code"] for row in response.json()["results"]}


def river_names(client: Client, path: str, key: str) -> set[str]:
    response = client.get(path, **token(key))
    assert response.status_code == 200
    return {row["river_name"] for row in response.json()["results"]}


def test_each_towns_token_reads_its_own_rows_through_the_kept_sql(two_towns, client):
    d = two_towns
    _t, key_a = d.town_a_token
    _t, key_b = create_api_client(name="town-b-r", region=d.town_b, scope="read")
    town_a = {d.river_a1.code, d.river_a2.code, d.border_river.code}
    town_b = {d.river_b1.code, d.river_b2.code, d.border_river.code}
    for _ in range(2):  # the second time round, every query's SQL is a kept one
        assert codes(client, "/api/v1/rivers/", key_a) == town_a
        assert codes(client, "/api/v1/rivers/", key_b) == town_b
        assert codes(client, "/api/v1/rivers/?cursor=", key_b) == town_b
        assert codes(client, "/api/v1/rivers/?cursor=", key_a) == town_a
        # The assignments of the river across the border: each town's own and the river's.
        assert river_names(client, "/api/v1/assignments/", key_a) == {
            d.river_a1.name,
            d.river_a2.name,
            d.border_river.name,
        }
        assert river_names(client, "/api/v1/assignments/", key_b) == {
            d.river_b1.name,
            d.river_b2.name,
            d.border_river.name,
        }
    assert compiled._compiled  # the lists' SQL was kept


def test_an_equal_query_is_compiled_once(two_towns, client, compiles):
    _t, key = two_towns.town_a_token
    codes(client, "/api/v1/rivers/", key)
    assert River in compiles
    compiles.clear()
    codes(client, "/api/v1/rivers/", key)
    assert compiles == []
    # Another town's list is another query: compiled for itself.
    _t, key_b = create_api_client(name="town-b-r", region=two_towns.town_b, scope="read")
    codes(client, "/api/v1/rivers/", key_b)
    assert River in compiles


def test_a_query_with_other_values_has_another_key(two_towns):
    a = River.objects.visible_to(two_towns.office_a).order_by("code")
    b = River.objects.visible_to(two_towns.office_b).order_by("code")
    again = River.objects.visible_to(two_towns.office_a).order_by("code")
    assert compiled.query_key(a.query) == compiled.query_key(again.query)
    assert compiled.query_key(a.query) != compiled.query_key(b.query)
    assert compiled.query_key(a[:5].query) != compiled.query_key(a[5:10].query)
    assert compiled.query_key(a.filter(name="界泾").query) != compiled.query_key(
        a.filter(name="界").query
    )


def test_nothing_is_kept_outside_a_list_read(two_towns, client):
    _t, key = two_towns.town_a_token
    response = client.get(f"/api/v1/rivers/{two_towns.river_a1.pk}/", **token(key))
    assert response.status_code == 200
    client.force_login(two_towns.office_a)
    assert client.get("/rivers/").status_code == 200
    assert compiled._compiled == {}


def test_a_filter_keeps_filtering_with_kept_sql(two_towns, client):
    _t, key = two_towns.town_a_token
    for _ in range(2):
        assert codes(client, f"/api/v1/rivers/?q={two_towns.river_a2.name}", key) == {
            two_towns.river_a2.code
        }
        assert codes(client, f"/api/v1/rivers/?q={two_towns.river_a1.name}", key) == {
            two_towns.river_a1.code
        }


def test_a_revoked_token_is_refused_at_once_with_kept_sql(two_towns, client, settings):
    settings.API_TOKEN_CACHE_SECONDS = 5
    api_token, key = two_towns.town_a_token
    codes(client, "/api/v1/rivers/", key)
    codes(client, "/api/v1/rivers/", key)
    revoke_api_token(token=api_token)
    assert client.get("/api/v1/rivers/", **token(key)).status_code == 401


def test_it_is_off_at_zero(two_towns, client, settings):
    settings.API_COMPILED_QUERIES = 0
    _t, key = two_towns.town_a_token
    codes(client, "/api/v1/rivers/", key)
    assert compiled._compiled == {}
