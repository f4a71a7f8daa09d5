"""Every figure in a letter equals what the patrol, order, water-quality and plan selectors (the
ones their own pages use) give for the same chief and month."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from directives import services as directive_services
from directives.models import Source
from directives.selectors import order_counts_for_rivers
from letters import services
from monitoring.selectors import river_status
from patrols.selectors import duty_for
from plans import services as plan_services
from plans.selectors import measure_progress_for_rivers
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory
from tests.patrols.factories import PatrolFactory
from tests.plans.factories import MeasureFactory, PlanFactory, ProgrammeFactory

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def august_2018(town, village, town_staff, chief_a):
    """Patrols, orders, samples and plan measures around August 2018 for chief A's rivers."""
    chief, (river, other) = chief_a
    for day in (3, 17):  # village chiefs: once a week; two patrols in August is behind
        with time_machine.travel(datetime(2018, 8, day, 11, tzinfo=SH), tick=False):
            PatrolFactory(chief=chief, river=river, started_at=datetime(2018, 8, day, 9, tzinfo=SH))
    PatrolFactory(chief=chief, river=other, started_at=datetime(2018, 9, 2, 9, tzinfo=SH))

    def order(**kw):
        fields = {
            "issued_by": town_staff,
            "river": river,
            "title": "河面漂浮垃圾",
            "description": "桥下垃圾",
            "deadline": date(2018, 8, 20),
            "issued_on": date(2018, 8, 5),
            "source": Source.PHONE_REPORT,
            "target_village": village,
            "notify_target": False,
        }
        fields.update(kw)
        return directive_services.issue_directive(**fields)

    order()  # overdue on 1 September
    order(deadline=date(2018, 9, 15))  # open, not overdue
    order(river=other, deadline=date(2018, 8, 25))

    point = MonitoringPointFactory(river=river)
    for day, nh3n, do in ((datetime(2018, 7, 10, 9, tzinfo=SH), 1.2, 5.5),
                          (datetime(2018, 8, 10, 9, tzinfo=SH), 2.6, 4.0)):  # fmt: skip
        SampleFactory(point=point, sampled_at=day, nh3n=nh3n, do=do, created_at=day)

    with time_machine.travel(datetime(2018, 3, 1, 10, tzinfo=SH), tick=False):
        plan = PlanFactory(programme=ProgrammeFactory(region=town), river=river)
        late = MeasureFactory(plan=plan, deadline=date(2018, 6, 30), owner_chief=chief)
        done = MeasureFactory(plan=plan, deadline=date(2019, 6, 30), owner_chief=chief)
    with time_machine.travel(datetime(2018, 7, 20, 10, tzinfo=SH), tick=False):
        plan_services.update_progress(measure=late, by=chief.user, progress=40, note="进行中")
        plan_services.update_progress(measure=done, by=chief.user, progress=100, note="完成")
    # Reported after the letter's month: the letter must not see it.
    plan_services.update_progress(measure=late, by=chief.user, progress=90, note="后来")
    return chief, river, other


def test_every_figure_in_a_letter_equals_what_the_other_pages_show(
    august_2018, town, town_staff, django_capture_on_commit_callbacks
):
    chief, river, other = august_2018
    batch = services.create_batch(town=town, month="2018-09", by=town_staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_batch(batch=batch, by=town_staff)
    letter = batch.letters.get(chief=chief)
    f = letter.figures
    assert letter.status == "sent"

    duty = duty_for(chiefs=[chief], month=date(2018, 8, 1), at=batch.as_at, snapshot=True)
    duty = duty[chief.pk]
    assert (f["patrols"]["done"], f["patrols"]["required"]) == (duty.done, duty.required)
    assert f["patrols"]["behind"] is duty.behind is True
    assert f["patrols"]["missed"] == len(duty.missed)
    assert duty.done == 2

    orders = order_counts_for_rivers(river_ids=[river.pk, other.pk], at=batch.as_at)
    quality = river_status(
        river_ids=[river.pk, other.pk],
        period_start=date(2018, 8, 1),
        period_end=date(2018, 8, 31),
        at=batch.as_at,
        region_code=town.code,
    )
    plans = measure_progress_for_rivers(
        river_ids=[river.pk, other.pk], at=batch.as_at, region_code=town.code
    )
    sections = {r["id"]: r for r in f["rivers"]}
    assert set(sections) == {river.pk, other.pk}
    for rid, section in sections.items():
        assert section["orders_open"] == orders[rid]["open"]
        assert section["orders_overdue"] == orders[rid]["overdue"]
        assert section["water_class_value"] == quality[rid].water_class
        assert section["meets_target"] == quality[rid].meets_target
        assert section["trend_code"] == (quality[rid].trend or "")
        assert section["measures"] == plans.get(rid, {}).get("measures", 0)
        assert section["measure_progress"] == plans.get(rid, {}).get("progress", 0)
        assert section["measures_overdue"] == plans.get(rid, {}).get("overdue", 0)
    # And the figures are the ones we set up, so the comparison is not between two zeros.
    assert (sections[river.pk]["orders_open"], sections[river.pk]["orders_overdue"]) == (2, 1)
    assert sections[other.pk]["orders_overdue"] == 1
    assert sections[river.pk]["water_class"] == "劣Ⅴ类"
    assert sections[river.pk]["trend_code"] == "worse"
    assert sections[river.pk]["meets_target"] is False
    assert (sections[river.pk]["measures"], sections[river.pk]["measures_overdue"]) == (2, 1)
    assert sections[river.pk]["measure_progress"] == 70.0
    # The text says it too.
    assert f"实际巡河 {duty.done} 次" in letter.body
    assert "未办结 2 张，其中超期 1 张" in letter.body
    assert "劣Ⅴ类" in letter.body
    assert any("督办单超期" in item for item in f["attention"])
    assert any("巡河" in item for item in f["attention"])
