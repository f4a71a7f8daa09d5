"""The plan and measure lists' plain rows (core.rows) equal DRF's field-by-field output."""

from datetime import date

import pytest

from plans import selectors
from plans.models import Plan
from plans.serializers import MeasureSerializer, PlanSerializer
from tests import factories
from tests.plans.factories import MeasureFactory, PlanFactory, PlanTargetFactory
from tests.rows import drf_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(programme, river, village, village_chief):
    first = PlanFactory(programme=programme, river=river)
    PlanTargetFactory(plan=first, year=2019, water_class=4, black_odour_eliminated=True)
    PlanTargetFactory(plan=first, year=2018, water_class=None, note="待定")
    MeasureFactory(plan=first, owner_chief=village_chief.chief, deadline=date(2019, 1, 1))
    MeasureFactory(plan=first, status="done", progress=100, deadline=date(2018, 1, 1))
    MeasureFactory(plan=first, owner_chief=factories.ChiefFactory(region=village), note="进展")
    water_bodies = PlanFactory(programme=programme, river=None, region=village)
    PlanFactory(programme=programme, river=factories.RiverFactory(region=village))
    return first, water_bodies


def test_the_plan_rows_equal_drfs_representation(api_client, town_staff, plans):
    api_client.force_authenticate(town_staff)
    rows = api_client.get("/api/v1/plans/").json()["results"]
    assert len(rows) == 3
    every = Plan.objects.visible_to(town_staff).order_by("id")
    assert rows == drf_json(PlanSerializer, every.prefetch_related("targets", "measures"))
    assert [len(row["measures"]) for row in rows] == [3, 0, 0]
    assert [t["year"] for t in rows[0]["targets"]] == [2018, 2019]
    assert rows[1]["river_code"] is None


def test_the_measure_rows_equal_drfs_representation(api_client, town_staff, plans):
    api_client.force_authenticate(town_staff)
    rows = api_client.get("/api/v1/measures/").json()["results"]
    assert len(rows) == 3
    measures = selectors.measures_for(user=town_staff).order_by("id")
    assert rows == drf_json(MeasureSerializer, measures)
    assert [row["is_overdue"] for row in rows] == [True, False, True]
    assert rows[1]["owner_chief_name"] == ""


def test_the_other_town_sees_none_of_town_as_plans_or_measures(api_client, two_towns):
    from tests.plans.factories import ProgrammeFactory

    d = two_towns
    MeasureFactory(plan=PlanFactory(programme=ProgrammeFactory(region=d.town_a), river=d.river_a1))
    mine = PlanFactory(programme=ProgrammeFactory(region=d.town_b), river=d.river_b1)
    MeasureFactory(plan=mine)
    api_client.force_authenticate(d.office_b)
    assert [p["id"] for p in api_client.get("/api/v1/plans/").json()["results"]] == [mine.pk]
    measures = api_client.get("/api/v1/measures/").json()["results"]
    assert [m["plan"] for m in measures] == [mine.pk]


def test_the_measure_list_takes_a_constant_number_of_queries(
    api_client, town_staff, plans, programme, village, django_assert_max_num_queries
):
    api_client.force_authenticate(town_staff)
    with django_assert_max_num_queries(2) as few:
        assert api_client.get("/api/v1/measures/").status_code == 200
    for _ in range(5):
        MeasureFactory(
            plan=PlanFactory(programme=programme, river=factories.RiverFactory(region=village)),
            owner_chief=factories.ChiefFactory(region=village),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api_client.get("/api/v1/measures/").json()["results"]) == 8


def test_plans_and_measures_are_scoped_by_their_region_or_their_rivers(two_towns):
    """Plan.visible_to: the plan's region in scope, or its river visible (owned or crossed)."""
    from django.db.models import Exists, OuterRef, Q

    from core.models import User
    from core.scoping import scope_code
    from plans.models import Measure
    from rivers.models import River
    from tests.plans.factories import ProgrammeFactory

    d = two_towns
    programme_a = ProgrammeFactory(region=d.town_a)
    programme_b = ProgrammeFactory(region=d.town_b)
    plans = [
        PlanFactory(programme=programme_a, river=d.river_a1),
        PlanFactory(programme=programme_b, river=d.border_river),  # crosses village A1
        PlanFactory(programme=programme_b, river=d.river_b2),
        PlanFactory(programme=programme_a, river=None, region=d.village_a2),
    ]
    for plan in plans:
        MeasureFactory(plan=plan)
    district = User.objects.get(pk=d.read_token[0].user_id)
    users = [d.office_a, d.office_b, d.chief_a1, d.chief_a2, d.chief_b2, district]

    def as_before(user):  # the rule as written before: an EXISTS over River.visible_to
        code = scope_code(user)
        rivers = River.objects.visible_to(user).filter(pk=OuterRef("river_id"))
        return set(
            Plan.objects.filter(Q(region__code__startswith=code) | Exists(rivers)).values_list(
                "pk", flat=True
            )
        )

    for user in users:
        seen = set(Plan.objects.visible_to(user).values_list("pk", flat=True))
        assert seen == as_before(user), user
        measured = set(Measure.objects.visible_to(user).values_list("plan_id", flat=True))
        assert measured == seen, user
    a1, border, b2, water = (p.pk for p in plans)
    assert set(Plan.objects.visible_to(d.office_a).values_list("pk", flat=True)) == {
        a1,
        border,
        water,
    }
    assert set(Plan.objects.visible_to(d.chief_a2).values_list("pk", flat=True)) == {water}
    assert set(Plan.objects.visible_to(d.office_b).values_list("pk", flat=True)) == {border, b2}
