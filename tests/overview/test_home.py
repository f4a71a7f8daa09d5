"""The chiefs' home page: the registry at a glance and what needs attention now, from every
app (office staff and the inspector get the dashboard instead: test_dashboard.py)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from directives import services as directives
from tests import factories
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at
from tests.patrols.factories import FindingFactory, PatrolFactory

pytestmark = pytest.mark.django_db

NOW = timezone.datetime(2026, 11, 20, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


def _town_with_work(town, village, town_staff):
    river = factories.RiverFactory(region=village, name="秀州塘", target_class=4)
    directives.issue_directive(
        issued_by=town_staff, river=river, title="河面漂浮垃圾", description="桥下漂浮垃圾",
        issued_on=date(2026, 11, 1), deadline=date(2026, 11, 10), source="phone_report",
        target_village=village,
    )  # fmt: skip
    patrol = PatrolFactory(
        river=river,
        chief=factories.ChiefFactory(
            user=factories.UserFactory(role="village_chief", region=village)
        ),
        started_at=NOW - timedelta(days=3),
    )
    FindingFactory(patrol=patrol)
    point = MonitoringPointFactory(river=river)
    SampleFactory(point=point, sampled_at=at(2026, 10, 15), nh3n=6.1, do=3.0)
    return river


@time_machine.travel(NOW, tick=False)
def test_the_town_chiefs_home_shows_what_needs_attention_from_every_app(
    client, town, village, town_staff, django_assert_max_num_queries
):
    _town_with_work(town, village, town_staff)
    client.force_login(factories.UserFactory(role="town_chief", region=town))
    with django_assert_max_num_queries(30):
        page = client.get("/").content.decode()
    work = client.get("/").context["work"]
    assert work["orders"]["overdue"] == 1
    assert work["patrols_this_month"] == 1
    assert work["open_findings"] == 1
    assert work["water"]["worse_than_v"] == 1
    assert str(work["water_period"]) == "2026年10月"
    assert "张督办单已逾期" in page
    assert "?period=2026-10&amp;only=worse_than_v" in page


@time_machine.travel(NOW, tick=False)
def test_the_home_page_costs_the_same_queries_whatever_the_amount_of_work(
    client, town, village, town_staff, django_assert_num_queries
):
    _town_with_work(town, village, town_staff)
    client.force_login(factories.UserFactory(role="town_chief", region=town))
    client.get("/")  # warm the session and the content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for _ in range(5):
        _town_with_work(town, village, town_staff)
    with django_assert_num_queries(len(few)):
        client.get("/")


@time_machine.travel(NOW, tick=False)
def test_a_village_chief_sees_only_the_work_of_their_village(
    client, town, village, other_village, town_staff
):
    _town_with_work(town, other_village, town_staff)
    chief = factories.UserFactory(role="village_chief", region=village)
    client.force_login(chief)
    work = client.get("/").context["work"]
    assert work["orders"]["overdue"] == 0
    assert work["patrols_this_month"] == 0
    assert work["water"]["worse_than_v"] == 0
