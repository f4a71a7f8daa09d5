"""The office's dashboard: water class now and over twelve months, patrol duty per village,
orders, plan measures and letters, each figure linked to its list; per town for the district."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from directives import services as directives
from tests import factories
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at
from tests.patrols.factories import PatrolFactory

pytestmark = pytest.mark.django_db

NOW = timezone.datetime(2026, 11, 20, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


def _work(d, village, river=None, *, n: int = 1):
    """Worse-than-V water last month and in August, an overdue order, a patrol this month."""
    for i in range(n):
        river = factories.RiverFactory(region=village, name=f"河{i}", target_class=4)
        point = MonitoringPointFactory(river=river)
        SampleFactory(point=point, sampled_at=at(2026, 10, 15), nh3n=6.1, do=3.0)
        SampleFactory(point=point, sampled_at=at(2026, 8, 15), nh3n=0.3, do=7.0)
        office = d.office_a if village.parent_id == d.town_a.pk else d.office_b
        directives.issue_directive(
            issued_by=office, river=river, title="河面漂浮垃圾", description="桥下漂浮垃圾",
            issued_on=date(2026, 11, 1), deadline=date(2026, 11, 10), source="phone_report",
            target_village=village,
        )  # fmt: skip
        chief = d.chief_a1.chief if village == d.village_a1 else None
        if chief is not None:
            PatrolFactory(river=river, chief=chief, started_at=NOW - timedelta(days=3))


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_shows_the_towns_water_month_by_month_with_links_to_the_filtered_list(
    client, two_towns
):
    d = two_towns
    _work(d, d.village_a1)
    client.force_login(d.office_a)
    response = client.get("/")
    board = response.context["board"]
    months = [m.period.key for m in board.water]
    assert (months[0], months[-1], len(months)) == ("2025-11", "2026-10", 12)
    by_key = {m.period.key: m for m in board.water}
    assert by_key["2026-10"].worse_than_v == 1
    assert by_key["2026-08"].worse_than_v == 0
    assert by_key["2026-08"].assessed == 1
    assert board.water_now.period.key == "2026-10"
    page = response.content.decode()
    assert "?period=2026-10&amp;only=worse_than_v" in page
    assert response.context["chart"]["water"]["6"][-1] == 1


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_counts_orders_duty_and_links_the_overdue_ones(client, two_towns):
    d = two_towns
    _work(d, d.village_a1)
    client.force_login(d.office_a)
    response = client.get("/")
    board = response.context["board"]
    assert board.orders["overdue"] == 1
    assert board.orders["open"] == 1
    villages = {row.region.name: row for row in board.duty}
    assert villages["待泾村"].chiefs == 1
    page = response.content.decode()
    assert reverse("directives:order-board") + "?overdue=true" in page
    assert f"region={d.village_a1.pk}&amp;behind=1" in page


@time_machine.travel(NOW, tick=False)
def test_a_town_office_sees_only_its_own_town_and_cannot_switch_to_the_other(client, two_towns):
    d = two_towns
    _work(d, d.village_b1)
    client.force_login(d.office_a)
    board = client.get("/").context["board"]
    assert board.town == d.town_a
    assert board.orders["overdue"] == 0
    assert board.water_now.worse_than_v == 0
    assert client.get("/", {"town": d.town_b.code}).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_district_inspector_switches_between_towns(client, two_towns):
    d = two_towns
    _work(d, d.village_b1)
    client.force_login(d.inspector)
    first = client.get("/")
    assert [t.name for t in first.context["towns"]] == ["朱泾镇", "亭林镇"]
    assert first.context["board"].town == d.town_a
    assert first.context["board"].orders["overdue"] == 0
    other = client.get("/", {"town": d.town_b.code}).context["board"]
    assert other.town == d.town_b
    assert other.orders["overdue"] == 1
    assert other.water_now.worse_than_v == 1
    assert 'id="town-switch"' in first.content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("size", [1, 6])
def test_the_dashboard_runs_a_constant_number_of_queries_whatever_the_data(
    client, two_towns, size, django_assert_max_num_queries
):
    d = two_towns
    _work(d, d.village_a1, n=size)
    _work(d, d.village_a2, n=size)
    client.force_login(d.office_a)
    # The first visit computes and stores the twelve months' statuses (four queries a month)
    with django_assert_max_num_queries(82):
        assert client.get("/").status_code == 200
    # then reads them: two queries for the twelve months.
    with django_assert_max_num_queries(34):
        assert client.get("/").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_reads_in_english(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    client.cookies["django_language"] = "en"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Worse than Class V" in page or "worse than Class V" in page
