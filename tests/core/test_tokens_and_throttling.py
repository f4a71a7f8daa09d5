"""Issue 13, item 12: tokens may expire and record their last use; throttling is active."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import ApiToken
from core.services import create_api_client
from core.throttling import SessionRateThrottle, TokenRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def get(client, key, path="/api/v1/rivers/"):
    return client.get(path, HTTP_AUTHORIZATION=f"Token {key}")


def test_an_expired_token_is_refused(two_towns, client):
    token, key = create_api_client(
        name="short",
        region=two_towns.district,
        scope="read",
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert get(client, key).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = get(client, key)
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


def test_a_token_records_when_it_was_last_used(two_towns, client):
    token, key = two_towns.read_token
    assert token.last_used_at is None
    get(client, key)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_each_token_has_its_own_request_budget(two_towns, client, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    _token, key = two_towns.read_token
    _other, other_key = two_towns.write_token
    answers = [get(client, key).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    # Another district system is not slowed down by the first one.
    assert get(client, other_key).status_code == 200


def test_a_browser_session_is_throttled_per_user(two_towns, client, monkeypatch):
    monkeypatch.setattr(SessionRateThrottle, "THROTTLE_RATES", {"user": "2/min"})
    client.force_login(two_towns.office_a)
    answers = [client.get("/api/v1/rivers/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


# --- counters, not request lists -------------------------------------------------------------


class Clock:
    def __init__(self, at: float):
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock(monkeypatch):
    from core.throttling import WindowCounterThrottle

    at = Clock(6_000_000.0)  # the start of a minute
    monkeypatch.setattr(WindowCounterThrottle, "timer", at)
    return at


def test_a_budget_is_kept_as_counters_whatever_the_rate(two_towns, client, monkeypatch, clock):
    from django.core.cache import cache

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "100000/min"})
    token, key = two_towns.read_token
    for _ in range(5):
        assert get(client, key).status_code == 200
    # One number for the window, not a list of five request times.
    assert cache.get(f"throttle_token_{token.pk}:100000") == 5


def test_the_budget_holds_across_a_window_boundary(two_towns, client, monkeypatch, clock):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "4/min"})
    _token, key = two_towns.read_token
    clock.at += 50
    assert [get(client, key).status_code for _ in range(5)] == [200, 200, 200, 200, 429]
    clock.at += 15  # a new window; the last one's 4 requests still weigh 4 x 55/60, about 3.7
    assert [get(client, key).status_code for _ in range(2)] == [200, 429]
    response = get(client, key)
    assert 0 < int(response["Retry-After"]) <= 60
    clock.at += 60  # a whole period later, the budget is back
    assert get(client, key).status_code == 200


def test_an_anonymous_address_has_its_budget(client, monkeypatch, clock):
    from core.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    url = "/api/v1/open311/v2/services.json"  # open to anyone (GeoReport)
    answers = [client.get(url).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
