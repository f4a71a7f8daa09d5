from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans import services
from plans.models import Measure
from tests import factories


def test_a_measure_with_a_deadline_outside_its_programme_is_refused(plan, town_staff):
    with pytest.raises(ValidationError) as exc:
        services.add_measure(
            plan=plan, title="疏浚", owner_unit="镇水务站", deadline=date(2021, 1, 1), by=town_staff
        )
    assert "deadline" in exc.value.message_dict
    assert not Measure.objects.exists()


def test_a_measure_inside_the_programme_is_added(plan, town_staff, village_chief):
    m = services.add_measure(
        plan=plan,
        title="疏浚",
        owner_unit="镇水务站",
        owner_chief=village_chief.chief,
        deadline=date(2020, 12, 31),
        by=town_staff,
    )
    assert m.progress == 0
    assert m.status == Measure.Status.PLANNED


def test_the_owner_reports_progress_and_history_keeps_the_note(measure, village_chief):
    services.update_progress(measure=measure, by=village_chief, progress=40, note="完成40%")
    services.update_progress(measure=measure, by=village_chief, progress=100, note="完成验收")
    measure.refresh_from_db()
    assert measure.progress == 100
    assert measure.status == Measure.Status.DONE
    notes = list(measure.history.order_by("history_date").values_list("progress", "note"))
    assert notes[-2:] == [(40, "完成40%"), (100, "完成验收")]
    assert measure.history.first().history_user == village_chief


@pytest.mark.parametrize("value", [-1, 101, "abc"])
def test_progress_outside_0_to_100_is_refused(measure, village_chief, value):
    with pytest.raises(ValidationError) as exc:
        services.update_progress(measure=measure, by=village_chief, progress=value, note="x")
    assert "progress" in exc.value.message_dict
    measure.refresh_from_db()
    assert measure.progress == 0


def test_progress_going_backwards_needs_a_note(measure, village_chief):
    services.update_progress(measure=measure, by=village_chief, progress=60)
    with pytest.raises(ValidationError) as exc:
        services.update_progress(measure=measure, by=village_chief, progress=30, note="  ")
    assert "note" in exc.value.message_dict
    measure.refresh_from_db()
    assert measure.progress == 60
    services.update_progress(measure=measure, by=village_chief, progress=30, note="护岸塌方返工")
    measure.refresh_from_db()
    assert (measure.progress, measure.note) == (30, "护岸塌方返工")


def test_another_village_chief_cannot_update_the_measure(measure, other_village):
    other = factories.UserFactory(role="village_chief", region=other_village)
    factories.ChiefFactory(user=other, region=other_village)
    with pytest.raises(PermissionDenied):
        services.update_progress(measure=measure, by=other, progress=50)


def test_office_staff_of_another_town_cannot_update_the_measure(measure):
    stranger = factories.UserFactory(role="office", region=factories.TownFactory())
    with pytest.raises(PermissionDenied):
        services.update_progress(measure=measure, by=stranger, progress=50)


def test_done_needs_full_progress(measure, village_chief):
    with pytest.raises(ValidationError) as exc:
        services.update_progress(measure=measure, by=village_chief, progress=80, status="done")
    assert "status" in exc.value.message_dict


def test_a_measure_past_its_deadline_and_not_done_is_overdue(measure):
    assert measure.is_overdue(on=date(2019, 7, 1))
    assert not measure.is_overdue(on=date(2019, 6, 30))
    assert Measure.objects.overdue(on=date(2019, 7, 1)).count() == 1
    measure.progress, measure.status = 100, Measure.Status.DONE
    measure.save()
    assert not measure.is_overdue(on=date(2019, 7, 1))


def test_a_target_year_outside_the_programme_is_refused(plan, town_staff):
    with pytest.raises(ValidationError) as exc:
        services.set_target(plan=plan, year=2021, water_class=4, by=town_staff)
    assert "year" in exc.value.message_dict


def test_a_river_gets_one_plan_per_programme(plan, town_staff):
    with pytest.raises(ValidationError) as exc:
        services.create_plan(
            programme=plan.programme, river=plan.river, title="again", by=town_staff
        )
    assert "river" in exc.value.message_dict


def test_a_region_signs_one_responsibility_letter_per_programme(programme, village, town_staff):
    services.record_responsibility_letter(
        programme=programme,
        region=village,
        signed_on=date(2018, 3, 1),
        party_a="总河长",
        party_b="村书记",
        by=town_staff,
    )
    with pytest.raises(ValidationError):
        services.record_responsibility_letter(
            programme=programme,
            region=village,
            signed_on=date(2018, 3, 2),
            party_a="总河长",
            party_b="村书记",
            by=town_staff,
        )
