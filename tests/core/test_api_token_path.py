"""Token requests to the API take a shorter middleware stack; nothing else changes.

``core.middleware.TokenApiMiddleware`` sends ``Authorization: Token`` requests to /api/ past
the session, CSRF, messages and lockout middleware; browser requests keep the whole stack.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import authentication
from core.services import revoke_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_tokens_remembered():
    authentication._recent.clear()
    yield
    authentication._recent.clear()


def codes(response) -> set[str]:
    return {row["code"] for row in response.json()["results"]}


def token(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_it_answers_a_token_request_without_touching_the_session(two_towns, client):
    _t, key = two_towns.town_a_token
    response = client.get("/api/v1/rivers/", **token(key))
    assert response.status_code == 200
    assert codes(response) == {
        r.code for r in (two_towns.river_a1, two_towns.river_a2, two_towns.border_river)
    }
    assert not hasattr(response.wsgi_request, "session")  # the short stack answered
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")
    # What the stack above and the short stack add is still there.
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Language"] == "zh-hans"


def test_the_token_decides_even_beside_another_towns_session(two_towns, client):
    client.force_login(two_towns.office_b)
    _t, key = two_towns.town_a_token
    response = client.get("/api/v1/rivers/", **token(key))
    assert two_towns.river_b1.code not in codes(response)
    assert two_towns.river_a1.code in codes(response)


def test_a_wrong_token_is_refused_on_the_short_path(two_towns, client):
    response = client.get("/api/v1/rivers/", **token("not-a-key"))
    assert response.status_code == 401
    client.force_login(two_towns.office_a)  # a session does not rescue a wrong token
    assert client.get("/api/v1/rivers/", **token("not-a-key")).status_code == 401


def test_a_session_user_still_reads_the_api(two_towns, client):
    client.force_login(two_towns.office_a)
    response = client.get("/api/v1/rivers/")
    assert response.status_code == 200
    assert hasattr(response.wsgi_request, "session")  # the whole stack answered
    assert two_towns.river_a1.code in codes(response)
    assert two_towns.river_b1.code not in codes(response)


def test_csrf_is_still_enforced_for_session_writes_to_the_api(two_towns):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(two_towns.office_a)
    url = f"/api/v1/rivers/{two_towns.river_a1.pk}/"
    response = browser.patch(url, {"name": "改名"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    two_towns.river_a1.refresh_from_db()
    assert two_towns.river_a1.name != "改名"
    # A write token needs no CSRF token: it is the credential.
    _t, key = two_towns.town_a_token
    response = browser.patch(url, {"name": "改名"}, content_type="application/json", **token(key))
    assert response.status_code == 200


def test_the_other_towns_token_cannot_read_or_write_my_rows(two_towns, client):
    _t, key = two_towns.town_a_token
    url = f"/api/v1/rivers/{two_towns.river_b1.pk}/"
    assert client.get(url, **token(key)).status_code == 404
    response = client.patch(url, {"name": "x"}, content_type="application/json", **token(key))
    assert response.status_code == 404
    two_towns.river_b1.refresh_from_db()
    assert two_towns.river_b1.name != "x"


def test_a_token_write_still_records_who_made_it(two_towns, client):
    api_token, key = two_towns.town_a_token
    url = f"/api/v1/rivers/{two_towns.river_a1.pk}/"
    response = client.patch(url, {"name": "新名"}, content_type="application/json", **token(key))
    assert response.status_code == 200
    assert two_towns.river_a1.history.first().history_user == api_token.user


def test_a_filter_still_filters_and_a_bad_one_still_answers_400(two_towns, client):
    _t, key = two_towns.read_token
    response = client.get("/api/v1/rivers/?level=town", **token(key))
    assert codes(response) == {two_towns.border_river.code}
    assert client.get("/api/v1/rivers/?level=sea", **token(key)).status_code == 400
    # A parameter no filter knows leaves the list whole, as before.
    assert len(codes(client.get("/api/v1/rivers/?unknown=1", **token(key)))) == 5


# --- the tokens each process remembers -------------------------------------------------------


def token_queries(client, key) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/rivers/", **token(key)).status_code == 200
    return [q["sql"] for q in captured if "core_apitoken" in q["sql"]]


def test_a_remembered_token_costs_no_query(two_towns, client, settings):
    settings.API_TOKEN_CACHE_SECONDS = 5
    _t, key = two_towns.read_token
    assert len(token_queries(client, key)) == 2  # found, and its last use written
    assert token_queries(client, key) == []


def test_without_the_cache_every_request_looks_the_token_up(two_towns, client, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    _t, key = two_towns.read_token
    token_queries(client, key)
    assert len(token_queries(client, key)) == 1


def test_a_token_revoked_here_is_refused_at_once(two_towns, client, settings):
    settings.API_TOKEN_CACHE_SECONDS = 5
    api_token, key = two_towns.read_token
    assert client.get("/api/v1/rivers/", **token(key)).status_code == 200
    revoke_api_token(token=api_token)
    assert client.get("/api/v1/rivers/", **token(key)).status_code == 401


def test_a_token_revoked_by_another_process_is_refused_within_the_cache_time(
    two_towns, client, settings, monkeypatch
):
    settings.API_TOKEN_CACHE_SECONDS = 5
    api_token, key = two_towns.read_token
    now = [1000.0]
    monkeypatch.setattr(authentication.time, "monotonic", lambda: now[0])
    assert client.get("/api/v1/rivers/", **token(key)).status_code == 200
    # Another web process revokes it, and deactivates the other token's user.
    type(api_token).objects.filter(pk=api_token.pk).update(revoked_at="2026-01-01T00:00:00Z")
    write_token, write_key = two_towns.write_token
    assert client.get("/api/v1/rivers/", **token(write_key)).status_code == 200
    type(write_token.user).objects.filter(pk=write_token.user_id).update(is_active=False)
    now[0] += 4.9
    assert client.get("/api/v1/rivers/", **token(key)).status_code == 200
    now[0] += 0.2
    assert client.get("/api/v1/rivers/", **token(key)).status_code == 401
    assert client.get("/api/v1/rivers/", **token(write_key)).status_code == 401


def test_an_expired_remembered_token_is_refused_on_its_expiry(two_towns, client, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.API_TOKEN_CACHE_SECONDS = 5
    api_token, key = two_towns.read_token
    assert client.get("/api/v1/rivers/", **token(key)).status_code == 200
    authentication._recent[api_token.key_hash][1].expires_at = timezone.now() - timedelta(seconds=1)
    assert client.get("/api/v1/rivers/", **token(key)).status_code == 401


def test_what_a_request_sets_on_its_user_stays_with_that_request(two_towns, client, settings):
    settings.API_TOKEN_CACHE_SECONDS = 5
    _t, key = two_towns.read_token
    authentication.ApiTokenAuthentication().authenticate_credentials(key)
    user, _token = authentication.ApiTokenAuthentication().authenticate_credentials(key)
    user.first_name = "changed by a view"
    again, _token = authentication.ApiTokenAuthentication().authenticate_credentials(key)
    assert again.first_name != "changed by a view"
    assert again is not user


# --- the paths the short stack remembers -----------------------------------------------------


def test_a_remembered_path_leads_to_the_same_view_and_row(two_towns, client, monkeypatch):
    from django.urls.resolvers import URLResolver

    from core import middleware

    middleware._resolved.clear()
    _t, key = two_towns.read_token
    calls = []
    original = URLResolver.resolve

    def counted(self, path):
        calls.append(path)
        return original(self, path)

    monkeypatch.setattr(URLResolver, "resolve", counted)
    for river in (two_towns.river_a1, two_towns.river_b1, two_towns.river_a1):
        response = client.get(f"/api/v1/rivers/{river.pk}/", **token(key))
        assert response.json()["code"] == river.code
    assert client.get("/api/v1/rivers/", **token(key)).status_code == 200
    resolved = len(calls)
    assert client.get("/api/v1/rivers/", **token(key)).status_code == 200
    assert client.get(f"/api/v1/rivers/{two_towns.river_b1.pk}/", **token(key)).status_code == 200
    assert len(calls) == resolved  # both paths were remembered
    # A path that leads nowhere is a 404 every time, and is not kept.
    assert client.get("/api/v1/no-such-list/", **token(key)).status_code == 404
    assert client.get("/api/v1/no-such-list/", **token(key)).status_code == 404
    assert all(path != "/api/v1/no-such-list/" for _conf, path in middleware._resolved)


def test_the_other_towns_token_gets_no_row_through_a_remembered_path(two_towns, client):
    from core import middleware
    from core.services import create_api_client

    middleware._resolved.clear()
    url = f"/api/v1/rivers/{two_towns.river_b1.pk}/"
    _t, district_key = two_towns.read_token
    assert client.get(url, **token(district_key)).status_code == 200
    _t, town_a_key = create_api_client(name="a", region=two_towns.town_a, scope="read")
    assert client.get(url, **token(town_a_key)).status_code == 404
