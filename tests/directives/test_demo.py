"""The demo town's orders match the reference year (shared/reference/zhujing.md)."""

import pytest

from core.models import User
from directives import demo, selectors
from directives.models import Directive, InspectionRound, WorkOrder
from rivers import demo as rivers_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_town():
    rivers_demo.build()
    demo.build()


def test_the_demo_year_2018_matches_the_reference_figures(demo_town):
    office = User.objects.get(username="office")
    stats = selectors.yearly_statistics(user=office, year=2018)
    assert stats["total"]["issued"] == 21
    assert stats["total"]["rectified"] == 21
    assert stats["total"]["on_time"] == 21
    assert stats["work_orders"] == 5
    assert stats["work_orders_answered"] == 5
    inspection = InspectionRound.objects.get()
    assert inspection.group == "市水务局第三检查组"
    assert inspection.rivers.count() == 3
    numbers = list(
        Directive.objects.filter(year=2018).order_by("serial").values_list("number", flat=True)
    )
    assert numbers[6] == "朱泾河长办督〔2018〕第7号"


def test_the_demo_has_one_overdue_current_order_for_the_board(demo_town):
    assert Directive.objects.overdue().count() == 1
    c001 = User.objects.get(username="c001")
    assert selectors.orders_for_chief(user=c001).count() >= 3


def test_building_the_demo_twice_creates_nothing_more(demo_town):
    counts = (Directive.objects.count(), WorkOrder.objects.count())
    assert demo.build() == "orders_2018 +0, work_orders +0, current_orders +0"
    assert (Directive.objects.count(), WorkOrder.objects.count()) == counts


def test_the_demo_turns_nine_patrol_findings_of_2018_into_orders():
    from patrols import demo as patrols_demo
    from patrols.models import Finding

    rivers_demo.build()
    patrols_demo.build()
    demo.build()
    linked = Directive.objects.filter(year=2018, finding__isnull=False).select_related("finding")
    assert linked.count() == 9
    assert all(d.finding.status == Finding.Status.RESOLVED for d in linked)
    assert all(d.finding.found_at.date() <= d.issued_on for d in linked)
