"""The office dashboard's figures are remembered per town for a short time: a second visit
reads them from the cache, a save or delete of a record they count shows at once, another
town never gets them, and they never outlive the day they were counted on."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from directives import services as directives
from tests import factories

pytestmark = pytest.mark.django_db

NOW = timezone.datetime(2026, 11, 20, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


@pytest.fixture(autouse=True)
def _cached(settings):
    settings.DASHBOARD_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


def _order(d, *, village, deadline=date(2026, 11, 10)):
    office = d.office_a if village.parent_id == d.town_a.pk else d.office_b
    river = d.river_a1 if village == d.village_a1 else d.river_b1
    return directives.issue_directive(
        issued_by=office, river=river, title="河面漂浮垃圾", description="桥下漂浮垃圾",
        issued_on=date(2026, 11, 1), deadline=deadline, source="phone_report",
        target_village=village,
    )  # fmt: skip


@time_machine.travel(NOW, tick=False)
def test_it_reads_the_second_visit_from_the_cache(client, two_towns, django_assert_max_num_queries):
    d = two_towns
    _order(d, village=d.village_a1)
    client.force_login(d.office_a)
    first = client.get("/")
    assert first.context["board"].orders["overdue"] == 1
    # session, user, region, the towns, the unread notices: none of the dashboard's own
    with django_assert_max_num_queries(6):
        second = client.get("/")
    assert second.context["board"].orders["overdue"] == 1
    assert second.context["summary"] == first.context["summary"]
    assert 'id="as-at"' in second.content.decode()
    assert "10:00" in second.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_new_order_shows_at_once_on_a_cached_dashboard(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    assert client.get("/").context["board"].orders["overdue"] == 0
    order = _order(d, village=d.village_a1)
    assert client.get("/").context["board"].orders["overdue"] == 1
    order.delete()
    assert client.get("/").context["board"].orders["overdue"] == 0


@time_machine.travel(NOW, tick=False)
def test_a_new_river_shows_at_once_in_the_summary(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    before = client.get("/").context["summary"]["rivers"]
    factories.RiverFactory(region=d.village_a2)
    assert client.get("/").context["summary"]["rivers"] == before + 1


@time_machine.travel(NOW, tick=False)
def test_a_bulk_write_shows_within_the_cache_time(client, two_towns):
    d = two_towns
    order = _order(d, village=d.village_a1)
    client.force_login(d.office_a)
    assert client.get("/").context["board"].orders["overdue"] == 1
    # An update in bulk sends no signal: the figure is the one counted at 10:00 ...
    type(order).objects.filter(pk=order.pk).update(deadline=date(2026, 11, 25))
    assert client.get("/").context["board"].orders["overdue"] == 1
    # ... until the cache time has passed.
    with time_machine.travel(NOW + timedelta(seconds=31), tick=False):
        assert client.get("/").context["board"].orders["overdue"] == 0


@time_machine.travel(NOW, tick=False)
def test_the_other_town_never_gets_town_as_cached_figures(client, two_towns):
    d = two_towns
    _order(d, village=d.village_a1)
    client.force_login(d.office_a)
    assert client.get("/").context["board"].orders["overdue"] == 1
    client.force_login(d.office_b)
    board = client.get("/").context["board"]
    assert board.town == d.town_b
    assert board.orders["overdue"] == 0
    # The district inspector switching towns gets each town's own figures, from the cache too.
    client.force_login(d.inspector)
    for _ in range(2):
        assert client.get("/", {"town": d.town_a.code}).context["board"].orders["overdue"] == 1
        assert client.get("/", {"town": d.town_b.code}).context["board"].orders["overdue"] == 0


def test_the_figures_never_outlive_the_day_they_were_counted_on(client, two_towns):
    d = two_towns
    with time_machine.travel(NOW, tick=False):
        _order(d, village=d.village_a1, deadline=date(2026, 11, 20))
        client.force_login(d.office_a)
    # Counted ten seconds before midnight (local time), the order is not overdue yet ...
    midnight = timezone.datetime(2026, 11, 21, tzinfo=NOW.tzinfo)
    with time_machine.travel(midnight - timedelta(seconds=10), tick=False):
        assert client.get("/").context["board"].orders["overdue"] == 0
    with time_machine.travel(midnight - timedelta(seconds=5), tick=False):
        assert client.get("/").context["board"].orders["overdue"] == 0
    # ... five seconds after it, well within the cache time, it is.
    with time_machine.travel(midnight + timedelta(seconds=5), tick=False):
        assert client.get("/").context["board"].orders["overdue"] == 1
