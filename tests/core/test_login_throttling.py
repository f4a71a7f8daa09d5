"""Issue 13, item 11: login throttling per account and address, short and growing; unlock."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.services import unlock_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

OFFICE_ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.LOGIN_FAILURE_LIMIT = 5


def login(client, username, password, address=OFFICE_ADDRESS):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(response) -> bool:
    return response.status_code == 302 and "/login/" not in response["Location"]


def fail(client, username, times, address=OFFICE_ADDRESS):
    for _ in range(times):
        assert not logged_in(login(client, username, "wrong-password", address))


def test_wrong_passwords_for_one_account_do_not_lock_out_colleagues_at_the_same_address(
    two_towns, client
):
    d = two_towns
    fail(client, d.chief_a1.username, 5)
    assert not logged_in(login(client, d.chief_a1.username, PASSWORD))
    # The colleague behind the same public address logs in.
    assert logged_in(login(client, d.chief_a2.username, PASSWORD))


def test_the_same_account_from_another_address_is_not_locked(two_towns, client):
    d = two_towns
    fail(client, d.chief_a1.username, 5)
    assert logged_in(login(client, d.chief_a1.username, PASSWORD, address="198.51.100.9"))


def test_the_lock_is_short_and_grows_with_each_further_failure(two_towns, client):
    name = two_towns.chief_a1.username
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        fail(client, name, 5)
        clock.shift(timedelta(seconds=61))  # the first lock lasted a minute...
        # ... and the next failure of the same pair locks it again at once, for two minutes.
        assert login(client, name, "wrong-password").status_code == 429
        clock.shift(timedelta(seconds=121))
        assert logged_in(login(client, name, PASSWORD))


def test_the_delay_doubles_per_failure_up_to_a_quarter_of_an_hour(two_towns, rf):
    from axes.models import AccessFailureLog

    from core import lockout

    name = two_towns.chief_a1.username
    request = rf.post("/login/", {"username": name}, REMOTE_ADDR=OFFICE_ADDRESS)
    delays = []
    for _ in range(10):
        AccessFailureLog.objects.create(
            username=name, ip_address=OFFICE_ADDRESS, user_agent="", path_info="/login/"
        )
        delays.append(lockout.cool_off(request).total_seconds() / 60)
    assert delays == [1, 1, 1, 1, 1, 2, 4, 8, 15, 15]


def test_the_office_unlocks_its_own_users_only(two_towns, client):
    d = two_towns
    fail(client, d.chief_a1.username, 5)
    with pytest.raises(Exception, match="管辖范围"):
        unlock_login(username=d.chief_a1.username, by=d.office_b)
    office = type(client)()
    office.force_login(d.office_a)
    page = office.get("/accounts/locked/").content.decode()
    assert d.chief_a1.username in page
    office.post("/accounts/locked/", {"username": d.chief_a1.username})
    assert logged_in(login(client, d.chief_a1.username, PASSWORD))
