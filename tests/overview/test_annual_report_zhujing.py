"""The annual work report of the demo town for 2018 reproduces every figure of
shared/reference/zhujing.md."""

import pytest
from django.core.management import call_command

from core.models import Region, User
from overview.scoping import town_viewer
from overview.selectors.report import annual_report

pytestmark = pytest.mark.django_db

ZHUJING = "310116102"


@pytest.fixture
def report_2018(django_db_blocker):
    call_command("demo_town", stdout=open("/dev/null", "w"))  # noqa: SIM115
    office = User.objects.get(username="office")
    town = Region.objects.get(code=ZHUJING)
    return annual_report(viewer=town_viewer(office, town), town=town, year=2018)


def test_the_2018_report_of_the_demo_town_has_every_reference_figure(report_2018):
    r = report_2018
    # Registry (shared/reference/zhujing.md, "Registry").
    assert r.value("rivers") == 188
    assert r.value("rivers_town") == 23
    assert r.value("rivers_town_km") == 77
    assert r.value("rivers_village") == 165
    assert r.value("rivers_village_km") == 120
    # The reference says "about 198 km" in all, but its own levels add up to 77 + 120.
    assert r.value("rivers_km") == 197
    assert r.value("gates") == 97
    assert r.value("water_bodies") == 704
    # 2018 activity.
    assert r.value("chiefs_town") == 91
    assert r.value("patrolling_chiefs_town") == 91
    assert r.value("patrols_town") == 3344
    assert r.value("orders_issued") == 21
    assert r.value("orders_rectified") == 21
    assert r.value("orders_on_time") == 21
    assert r.value("rivers_monitored") == 125
    assert r.value("plan_rivers") == 25
    assert r.value("letter_batches") == 5
    assert r.value("letters") > 500
    assert r.value("inspection_rounds") == 1
    assert r.value("work_orders") == 5
    assert r.value("work_orders_answered") == 5
    # From the apps beside this one (CONTRACTS.md selectors).
    assert r.value("water_bodies_inspected") == 704
    assert r.value("sites_rivers") == 186
    assert r.value("sites_gates") == 97
    assert r.value("articles") == 39
    # Worse than Class V listed in 2018 (the demo's monitoring data, README: 17; 3 black-odorous).
    assert r.value("worse_than_v_year") == 17
    assert r.value("black_odour_year") == 3
