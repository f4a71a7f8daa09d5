from datetime import date

from django.utils import timezone

from plans import selectors
from plans.models import Measure
from tests import factories
from tests.plans.factories import MeasureFactory, PlanFactory, ResponsibilityLetterFactory


def test_programme_progress_counts_by_river_and_by_village(
    programme, plan, measure, town, village, other_village, town_staff
):
    MeasureFactory(plan=plan, progress=100, status=Measure.Status.DONE)
    town_river = factories.RiverFactory(region=town, level="town", regions=[village, other_village])
    town_plan = PlanFactory(programme=programme, river=town_river)
    MeasureFactory(plan=town_plan, progress=50, status="in_progress", deadline=date(2018, 6, 30))
    ResponsibilityLetterFactory(programme=programme, region=village)

    out = selectors.programme_progress(user=town_staff, programme=programme, on=date(2019, 1, 1))

    assert out["total"].measures == 3
    assert out["total"].done == 1
    assert out["total"].overdue == 1
    assert out["total"].progress == 50.0
    rows = {r.label: r for r in out["by_plan"]}
    assert rows[plan.river.name].measures == 2
    villages = {r.key: r for r in out["by_village"]}
    assert villages[village.pk].measures == 3  # its own river and the town river crossing it
    assert villages[village.pk].signed
    assert villages[other_village.pk].measures == 1
    assert not villages[other_village.pk].signed


def test_measure_progress_for_rivers_reads_the_state_at_a_past_moment(measure, village_chief):
    from plans import services

    before = timezone.now()
    services.update_progress(measure=measure, by=village_chief, progress=70, note="ok")
    now = selectors.measure_progress_for_rivers(river_ids=[measure.plan.river_id])
    then = selectors.measure_progress_for_rivers(river_ids=[measure.plan.river_id], at=before)
    assert now[measure.plan.river_id]["progress"] == 70.0
    assert then[measure.plan.river_id]["progress"] == 0.0


def test_village_chief_sees_plans_of_their_village_only(plan, village_chief, other_village):
    other_plan = PlanFactory(
        programme=plan.programme, river=factories.RiverFactory(region=other_village)
    )
    visible = set(selectors.plans_for(user=village_chief).values_list("pk", flat=True))
    assert plan.pk in visible
    assert other_plan.pk not in visible
