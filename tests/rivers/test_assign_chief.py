from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from rivers import selectors, services
from rivers.models import ChiefAssignment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def river(village, other_village):
    return factories.RiverFactory(level="village", region=village)


def chief_in(village, level="village"):
    user = factories.UserFactory(role="village_chief", region=village)
    return factories.ChiefFactory(user=user, level=level, region=village)


def responsible_on(river, day, *, reach=None, level="village"):
    return [
        a
        for a in ChiefAssignment.objects.filter(river=river, reach=reach, level=level)
        if a.duty == "responsible" and a.covers(day)
    ]


def test_a_handover_ends_the_predecessor_the_day_before_the_successor_starts(
    town_staff, village, river
):
    first, second = chief_in(village), chief_in(village)
    old = services.assign_chief(
        chief=first, river=river, level="village", start_date=date(2018, 1, 1), by=town_staff
    )
    new = services.assign_chief(
        chief=second, river=river, level="village", start_date=date(2024, 6, 1), by=town_staff
    )
    old.refresh_from_db()
    assert old.end_date == date(2024, 5, 31)
    assert new.end_date is None
    assert [a.chief for a in responsible_on(river, date(2024, 5, 31))] == [first]
    assert [a.chief for a in responsible_on(river, date(2024, 6, 1))] == [second]
    # The handover is in the audit trail of the old assignment.
    assert old.history.count() == 2
    assert old.history.first().history_change_reason == "handover"


def test_at_most_one_responsible_chief_per_level_on_any_day(town_staff, village, river):
    chiefs = [chief_in(village) for _ in range(4)]
    starts = [date(2018, 1, 1), date(2020, 3, 1), date(2022, 7, 15), date(2025, 1, 1)]
    for chief, start in zip(chiefs, starts, strict=True):
        services.assign_chief(
            chief=chief, river=river, level="village", start_date=start, by=town_staff
        )
    day = date(2017, 12, 25)
    while day < date(2026, 1, 10):
        assert len(responsible_on(river, day)) <= 1, day
        day += timedelta(days=7)
    assert ChiefAssignment.objects.filter(river=river, end_date__isnull=True).count() == 1


def test_an_assignment_starting_inside_a_closed_period_is_refused(town_staff, village, river):
    first, second = chief_in(village), chief_in(village)
    services.assign_chief(
        chief=first,
        river=river,
        level="village",
        start_date=date(2018, 1, 1),
        end_date=date(2020, 12, 31),
        by=town_staff,
    )
    with pytest.raises(ValidationError) as exc:
        services.assign_chief(
            chief=second,
            river=river,
            level="village",
            start_date=date(2020, 6, 1),
            end_date=date(2021, 6, 1),
            by=town_staff,
        )
    assert "start_date" in exc.value.message_dict
    assert ChiefAssignment.objects.count() == 1


def test_a_successor_cannot_start_on_or_before_the_predecessors_first_day(
    town_staff, village, river
):
    first, second = chief_in(village), chief_in(village)
    services.assign_chief(
        chief=first, river=river, level="village", start_date=date(2020, 1, 1), by=town_staff
    )
    with pytest.raises(ValidationError):
        services.assign_chief(
            chief=second, river=river, level="village", start_date=date(2020, 1, 1), by=town_staff
        )
    assert ChiefAssignment.objects.get().end_date is None


def test_a_whole_river_chief_clashes_with_a_reach_chief_at_the_same_level(
    town_staff, village, river
):
    reach = factories.ReachFactory(river=river)
    first, second = chief_in(village), chief_in(village)
    services.assign_chief(
        chief=first,
        river=river,
        reach=reach,
        level="village",
        start_date=date(2020, 1, 1),
        by=town_staff,
    )
    with pytest.raises(ValidationError):
        services.assign_chief(
            chief=second, river=river, level="village", start_date=date(2021, 1, 1), by=town_staff
        )


def test_chiefs_of_different_levels_share_a_reach(town_staff, town, village, river):
    reach = factories.ReachFactory(river=river)
    town_chief = factories.ChiefFactory(
        user=factories.UserFactory(role="town_chief", region=town), level="town", region=town
    )
    services.assign_chief(
        chief=chief_in(village),
        river=river,
        reach=reach,
        level="village",
        start_date=date(2020, 1, 1),
        by=town_staff,
    )
    services.assign_chief(
        chief=town_chief,
        river=river,
        reach=reach,
        level="town",
        start_date=date(2020, 1, 1),
        by=town_staff,
    )
    assert ChiefAssignment.objects.filter(reach=reach, end_date__isnull=True).count() == 2


def test_deputies_may_be_several_but_not_the_same_chief_twice(town_staff, village, river):
    a, b = chief_in(village), chief_in(village)
    for chief in (a, b):
        services.assign_chief(
            chief=chief,
            river=river,
            level="village",
            duty="deputy",
            start_date=date(2020, 1, 1),
            by=town_staff,
        )
    with pytest.raises(ValidationError):
        services.assign_chief(
            chief=a,
            river=river,
            level="village",
            duty="deputy",
            start_date=date(2021, 1, 1),
            by=town_staff,
        )


def test_a_chief_cannot_take_an_assignment_of_another_level(town_staff, village, river):
    with pytest.raises(ValidationError) as exc:
        services.assign_chief(
            chief=chief_in(village),
            river=river,
            level="town",
            start_date=date(2020, 1, 1),
            by=town_staff,
        )
    assert "level" in exc.value.message_dict


def test_a_village_chief_cannot_assign_chiefs(village_chief, village, river):
    with pytest.raises(PermissionDenied):
        services.assign_chief(
            chief=chief_in(village),
            river=river,
            level="village",
            start_date=date(2020, 1, 1),
            by=village_chief,
        )
    assert not ChiefAssignment.objects.exists()


def test_office_staff_cannot_assign_on_another_towns_river(town_staff):
    elsewhere = factories.VillageFactory()
    river = factories.RiverFactory(region=elsewhere)
    with pytest.raises(PermissionDenied):
        services.assign_chief(
            chief=chief_in(elsewhere),
            river=river,
            level="village",
            start_date=date(2020, 1, 1),
            by=town_staff,
        )


def test_ending_an_assignment_leaves_a_vacancy(town_staff, village, river):
    assignment = services.assign_chief(
        chief=chief_in(village),
        river=river,
        level="village",
        start_date=date(2020, 1, 1),
        by=town_staff,
    )
    assert selectors.vacancies_for(user=town_staff, on=date(2024, 1, 1)) == []
    services.end_assignment(assignment=assignment, end_date=date(2023, 12, 31), by=town_staff)
    vacancies = selectors.vacancies_for(user=town_staff, on=date(2024, 1, 1))
    assert [(v.river, v.reach, v.level) for v in vacancies] == [(river, None, "village")]
    with pytest.raises(ValidationError):
        services.end_assignment(assignment=assignment, end_date=date(2024, 3, 1), by=town_staff)
    with pytest.raises(ValidationError):
        services.end_assignment(assignment=assignment, end_date=date(2019, 1, 1), by=town_staff)


def test_a_town_river_needs_a_town_and_a_village_chief_on_each_reach(town_staff, town, village):
    river = factories.RiverFactory(level="town", region=town, regions=[town, village])
    reaches = [factories.ReachFactory(river=river) for _ in range(2)]
    town_chief = factories.ChiefFactory(
        user=factories.UserFactory(role="town_chief", region=town), level="town", region=town
    )
    services.assign_chief(
        chief=town_chief, river=river, level="town", start_date=date(2020, 1, 1), by=town_staff
    )
    services.assign_chief(
        chief=chief_in(village),
        river=river,
        reach=reaches[0],
        level="village",
        start_date=date(2020, 1, 1),
        by=town_staff,
    )
    found = selectors.vacancies_for(user=town_staff, on=date(2024, 1, 1))
    assert [(v.reach, v.level) for v in found] == [(reaches[1], "village")]


def test_the_database_refuses_two_open_responsible_chiefs_even_without_the_service(village, river):
    factories.AssignmentFactory(chief=chief_in(village), river=river)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AssignmentFactory(chief=chief_in(village), river=river)
