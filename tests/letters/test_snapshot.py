"""Every figure of a monthly letter is taken as the records stood at its snapshot (the 1st of the
month, 00:00 Asia/Shanghai), and a town's letter counts its own town's records only.

Each test moves records of one source (orders, patrols, samples, plan measures) across the
snapshot of the September 2018 batch (2018-09-01 00:00) and reads the letters' figures.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from directives import services as orders
from directives.models import Source
from letters import services
from patrols.models import Patrol
from patrols.services.patrols import review_patrol
from plans import services as plans
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory
from tests.patrols.factories import PatrolFactory
from tests.plans.factories import MeasureFactory, PlanFactory, ProgrammeFactory

SH = ZoneInfo("Asia/Shanghai")
SNAPSHOT = datetime(2018, 9, 1, 0, 0, tzinfo=SH)
BEFORE = SNAPSHOT - timedelta(minutes=1)
AFTER = SNAPSHOT + timedelta(minutes=1)

pytestmark = pytest.mark.django_db


def at(moment):
    return time_machine.travel(moment, tick=False)


def figures(town, user):
    """The figures of ``user``'s letter in the town's September 2018 batch."""
    from letters.models import LetterBatch

    batch = LetterBatch.objects.filter(town=town, month=date(2018, 9, 1)).first()
    batch = batch or services.create_batch(town=town, month="2018-09")
    assert batch.as_at == SNAPSHOT
    letter = batch.letters.select_related("batch__town", "chief__user", "chief__region").get(
        chief=user.chief
    )
    return services.compose(letters=[letter])[letter.pk][2]


def section(figs, river):
    return next(r for r in figs["rivers"] if r["id"] == river.pk)


def issue(office, river, *, village, issued_on, deadline, reach=None):
    return orders.issue_directive(
        issued_by=office,
        river=river,
        reach=reach,
        title="河面漂浮垃圾",
        description="桥下垃圾",
        deadline=deadline,
        issued_on=issued_on,
        source=Source.PHONE_REPORT,
        target_village=village,
        notify_target=False,
    )


# --- orders -----------------------------------------------------------------------------------


def test_an_order_issued_after_the_snapshot_is_not_in_the_letter(two_towns):
    d = two_towns
    with at(datetime(2018, 8, 31, 17, tzinfo=SH)):
        issue(d.office_a, d.river_a1, village=d.village_a1, issued_on=date(2018, 8, 31),
              deadline=date(2018, 9, 30))  # fmt: skip
    with at(datetime(2018, 9, 1, 9, tzinfo=SH)):
        issue(d.office_a, d.river_a1, village=d.village_a1, issued_on=date(2018, 9, 1),
              deadline=date(2018, 9, 30))  # fmt: skip
    # Today's orders (the 2018 letters listed 2026 orders as 未办结).
    issue(d.office_a, d.river_a1, village=d.village_a1, issued_on=None,
          deadline=date.today() + timedelta(days=30))  # fmt: skip

    river = section(figures(d.town_a, d.chief_a1), d.river_a1)
    assert (river["orders_open"], river["orders_overdue"]) == (1, 0)


def test_an_order_closed_after_the_snapshot_still_counts_as_open_and_overdue(two_towns):
    d = two_towns

    def closed_at(moment):
        with at(datetime(2018, 8, 5, 9, tzinfo=SH)):
            order = issue(d.office_a, d.river_a1, village=d.village_a1,
                          issued_on=date(2018, 8, 5), deadline=date(2018, 8, 20))  # fmt: skip
            orders.accept_directive(directive=order, by=d.chief_a1)
        with at(moment):
            orders.submit_rectification(directive=order, by=d.chief_a1, text="已清理")
            orders.close_directive(directive=order, by=d.office_a)
        return order

    closed_at(BEFORE)
    closed_at(AFTER)  # open and owed by the village on 1 September

    river = section(figures(d.town_a, d.chief_a1), d.river_a1)
    assert (river["orders_open"], river["orders_overdue"]) == (1, 1)
    assert any("督办单超期" in item for item in river["attention"])


def test_an_order_awaiting_review_at_the_snapshot_is_open_but_not_overdue(two_towns):
    d = two_towns
    with at(datetime(2018, 8, 5, 9, tzinfo=SH)):
        order = issue(d.office_a, d.river_a1, village=d.village_a1,
                      issued_on=date(2018, 8, 5), deadline=date(2018, 8, 20))  # fmt: skip
        orders.accept_directive(directive=order, by=d.chief_a1)
    with at(BEFORE):
        orders.submit_rectification(directive=order, by=d.chief_a1, text="已清理")
    with at(AFTER):  # returned after the snapshot: owed again today, not on 1 September
        orders.return_directive(directive=order, by=d.office_a, reason="仍有垃圾")

    river = section(figures(d.town_a, d.chief_a1), d.river_a1)
    assert (river["orders_open"], river["orders_overdue"]) == (1, 0)


def test_a_deadline_extended_after_the_snapshot_was_still_overdue_at_it(two_towns):
    d = two_towns
    with at(datetime(2018, 8, 5, 9, tzinfo=SH)):
        order = issue(d.office_a, d.river_a1, village=d.village_a1,
                      issued_on=date(2018, 8, 5), deadline=date(2018, 8, 20))  # fmt: skip
        ext = orders.request_extension(
            directive=order, by=d.chief_a1, requested_deadline=date(2018, 9, 10), reason="雨天"
        )
    with at(AFTER):
        orders.decide_extension(extension=ext, by=d.office_a, grant=True)

    river = section(figures(d.town_a, d.chief_a1), d.river_a1)
    assert (river["orders_open"], river["orders_overdue"]) == (1, 1)


def test_a_town_letter_counts_the_other_towns_orders_only_on_the_border_reach_it_answers_for(
    two_towns,
):
    d = two_towns
    kw = {"issued_on": date(2018, 8, 5), "deadline": date(2018, 8, 20)}
    with at(datetime(2018, 8, 5, 9, tzinfo=SH)):
        issue(d.office_b, d.border_river, village=d.village_b1, reach=d.reach_a1, **kw)
        issue(d.office_b, d.border_river, village=d.village_b1, reach=d.reach_b1, **kw)
        issue(d.office_b, d.border_river, village=d.village_b1, **kw)  # no reach: town B's
        issue(d.office_a, d.border_river, village=d.village_a1, **kw)  # no reach: town A's
        issue(d.office_b, d.river_b1, village=d.village_b1, **kw)

    # Chief A1 answers for the reach in town A: B's order on it and A's own order.
    border = section(figures(d.town_a, d.chief_a1), d.border_river)
    assert (border["orders_open"], border["orders_overdue"]) == (2, 2)
    assert border["reach"] == d.reach_a1.name
    a1 = figures(d.town_a, d.chief_a1)
    assert {r["id"] for r in a1["rivers"]} == {d.river_a1.pk, d.border_river.pk}
    assert a1["totals"]["orders_open"] == 2

    # Chief B1 (reach in town B): B's orders on that reach and on no reach; never A's.
    assert section(figures(d.town_b, d.chief_b1), d.border_river)["orders_open"] == 2
    # Town chief B answers for both reaches: B's three orders, not A's order on no reach.
    town_b = figures(d.town_b, d.town_chief_b)
    border_b = section(town_b, d.border_river)
    assert border_b["orders_open"] == 3
    assert border_b["reach"] == f"{d.reach_b1.name}、{d.reach_a1.name}"
    assert section(figures(d.town_b, d.chief_b1), d.river_b1)["orders_open"] == 1


# --- patrols ----------------------------------------------------------------------------------


def test_a_patrol_entered_or_finished_after_the_snapshot_does_not_count_but_one_rejected_after_it_does(
    two_towns,
):
    d = two_towns
    chief = d.chief_a1.chief

    def patrol(entered, started, minutes=45):
        with at(entered):
            return PatrolFactory(
                chief=chief,
                river=d.river_a1,
                started_at=started,
                ended_at=started + timedelta(minutes=minutes),
            )

    patrol(datetime(2018, 8, 3, 10, tzinfo=SH), datetime(2018, 8, 3, 9, tzinfo=SH))
    rejected = patrol(datetime(2018, 8, 10, 10, tzinfo=SH), datetime(2018, 8, 10, 9, tzinfo=SH))
    # Walked on 30 August, entered afterwards on 2 September: not in the records on the 1st.
    patrol(datetime(2018, 9, 2, 10, tzinfo=SH), datetime(2018, 8, 30, 9, tzinfo=SH))
    # Started before midnight, finished after it.
    patrol(datetime(2018, 8, 31, 23, 30, tzinfo=SH), datetime(2018, 8, 31, 23, 30, tzinfo=SH), 60)
    with at(datetime(2018, 9, 5, 10, tzinfo=SH)):
        review_patrol(patrol=rejected, by=d.office_a, decision="rejected", note="轨迹不符")
    rejected.refresh_from_db()
    assert rejected.review == Patrol.Review.REJECTED

    assert figures(d.town_a, d.chief_a1)["patrols"]["done"] == 2
    # The duty page (now) sees what is true today: the rejection and the late entries.
    from patrols.selectors import duty_for

    assert duty_for(chiefs=[chief], month=date(2018, 8, 1))[chief.pk].done == 3


# --- samples ----------------------------------------------------------------------------------


def test_a_sample_entered_after_the_snapshot_is_not_in_the_letter(two_towns):
    d = two_towns
    point = MonitoringPointFactory(river=d.river_a1, region=d.village_a1)
    august = datetime(2018, 8, 10, 9, tzinfo=SH)
    SampleFactory(point=point, sampled_at=august, nh3n=0.4, do=7.0, created_at=BEFORE)
    # The lab's bad result of August arrives on 3 September: the letter cannot know it.
    SampleFactory(
        point=point, sampled_at=august + timedelta(days=1), nh3n=9.0, do=1.0, created_at=AFTER
    )

    river = section(figures(d.town_a, d.chief_a1), d.river_a1)
    assert river["water_class_value"] is not None
    assert river["water_class_value"] <= 2
    assert river["meets_target"] is True


def test_a_town_letter_reads_only_its_own_points_on_a_border_river(two_towns):
    d = two_towns
    own = MonitoringPointFactory(river=d.border_river, region=d.village_a1)
    other = MonitoringPointFactory(river=d.border_river, region=d.village_b1)
    august = datetime(2018, 8, 10, 9, tzinfo=SH)
    SampleFactory(point=own, sampled_at=august, nh3n=0.4, do=7.0, created_at=BEFORE)
    SampleFactory(point=other, sampled_at=august, nh3n=9.0, do=1.0, created_at=BEFORE)

    mine = section(figures(d.town_a, d.chief_a1), d.border_river)
    theirs = section(figures(d.town_b, d.chief_b1), d.border_river)
    assert mine["water_class_value"] <= 2
    assert theirs["water_class"] == "劣Ⅴ类"


# --- plan measures ----------------------------------------------------------------------------


def test_a_measure_added_or_progressed_after_the_snapshot_is_not_in_the_letter(two_towns):
    d = two_towns
    chief = d.chief_a1.chief
    with at(datetime(2018, 3, 1, 10, tzinfo=SH)):
        plan = PlanFactory(programme=ProgrammeFactory(region=d.town_a), river=d.river_a1)
        late = MeasureFactory(plan=plan, deadline=date(2018, 6, 30), owner_chief=chief)
    with at(BEFORE):
        plans.update_progress(measure=late, by=d.chief_a1, progress=40, note="进行中")
    with at(AFTER):
        plans.update_progress(measure=late, by=d.chief_a1, progress=100, note="完成")
        MeasureFactory(plan=plan, deadline=date(2019, 6, 30), owner_chief=chief)

    river = section(figures(d.town_a, d.chief_a1), d.river_a1)
    assert (river["measures"], river["measures_done"], river["measures_overdue"]) == (1, 0, 1)
    assert river["measure_progress"] == 40.0


def test_a_town_letter_counts_another_towns_plan_only_for_measures_its_chiefs_own(two_towns):
    d = two_towns
    with at(datetime(2018, 3, 1, 10, tzinfo=SH)):
        plan = PlanFactory(programme=ProgrammeFactory(region=d.town_b), river=d.border_river)
        MeasureFactory(plan=plan, deadline=date(2018, 6, 30), owner_chief=d.chief_b1.chief)
        MeasureFactory(plan=plan, deadline=date(2019, 6, 30), owner_chief=d.chief_a1.chief)

    assert section(figures(d.town_a, d.chief_a1), d.border_river)["measures"] == 1
    assert section(figures(d.town_b, d.chief_b1), d.border_river)["measures"] == 2


def test_the_batch_totals_count_each_order_once_over_the_reaches_of_the_towns_chiefs(two_towns):
    d = two_towns
    kw = {"issued_on": date(2018, 8, 5), "deadline": date(2018, 8, 20)}
    with at(datetime(2018, 8, 5, 9, tzinfo=SH)):
        issue(d.office_b, d.border_river, village=d.village_b1, reach=d.reach_a1, **kw)
        issue(d.office_b, d.border_river, village=d.village_b1, reach=d.reach_b1, **kw)
        issue(d.office_b, d.border_river, village=d.village_b1, **kw)
        issue(d.office_a, d.border_river, village=d.village_a1, **kw)  # town A's: not in B's
        issue(d.office_b, d.river_b1, village=d.village_b1, **kw)
    batch_b = services.create_batch(town=d.town_b, month="2018-09")
    totals = services.batch_totals(batch=batch_b)
    # Town B's chiefs answer for both reaches of the border river (chief B1 for one, the town
    # chief for both): B's three orders there and the one on B1's own river, once each.
    assert (totals["orders_open"], totals["orders_overdue"]) == (4, 4)
    batch_a = services.create_batch(town=d.town_a, month="2018-09")
    assert services.batch_totals(batch=batch_a)["orders_open"] == 2
