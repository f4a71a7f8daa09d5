"""Issue 13, items 1-3: one town cannot write into another, even through a shared river.

Policy (README "Security"): the town owning a river changes the river and appoints its chiefs;
a town the river crosses acts only on the reaches in its own villages, and only with its own
chiefs. Findings, plan measures, duty rules and thresholds stay inside the caller's scope.
"""

import uuid
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from patrols import selectors as patrol_selectors
from patrols import services as patrol_services
from patrols.models import AuthenticityPolicy, DutyRule, Finding
from plans import services as plan_services
from rivers import services as river_services
from rivers.models import ChiefAssignment, River
from tests import factories
from tests.patrols.factories import make_jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def current(river, reach=None, level="village"):
    return ChiefAssignment.objects.current().filter(river=river, reach=reach, level=level)


# --- 1. shared rivers -------------------------------------------------------------------------


def test_a_crossing_town_cannot_edit_a_river_another_town_owns(two_towns):
    d = two_towns
    assert River.objects.editable_by(d.office_b).filter(pk=d.border_river.pk).exists()
    assert not River.objects.editable_by(d.office_a).filter(pk=d.border_river.pk).exists()
    with pytest.raises(PermissionDenied):
        river_services.update_river(by=d.office_a, river=d.border_river, name="改名")


def test_a_crossing_town_cannot_end_the_owning_towns_chief_on_its_reach(two_towns):
    d = two_towns
    theirs = ChiefAssignment.objects.get(
        river=d.border_river, reach=d.reach_a1, chief=d.town_chief_b.chief
    )
    with pytest.raises(PermissionDenied):
        river_services.end_assignment(assignment=theirs, end_date=date.today(), by=d.office_a)
    theirs.refresh_from_db()
    assert theirs.end_date is None


def test_the_owning_town_cannot_end_the_crossing_towns_chief_of_its_reach(two_towns):
    d = two_towns
    theirs = ChiefAssignment.objects.get(river=d.border_river, reach=d.reach_a1, level="village")
    with pytest.raises(PermissionDenied):
        river_services.end_assignment(assignment=theirs, end_date=date.today(), by=d.office_b)


def test_a_crossing_town_cannot_hand_the_whole_river_to_its_own_chief(two_towns):
    d = two_towns
    with pytest.raises(PermissionDenied):
        river_services.assign_chief(
            chief=d.town_chief_a.chief,
            river=d.border_river,
            level="town",
            start_date=date.today(),
            by=d.office_a,
        )
    assert not ChiefAssignment.objects.filter(chief=d.town_chief_a.chief).exists()


def test_the_owning_town_cannot_hand_over_the_other_towns_reach_to_its_chief(two_towns):
    d = two_towns
    with pytest.raises(PermissionDenied):
        river_services.assign_chief(
            chief=d.chief_b1.chief,
            river=d.border_river,
            reach=d.reach_a1,
            level="village",
            start_date=date.today(),
            by=d.office_b,
        )
    assert [a.chief for a in current(d.border_river, d.reach_a1)] == [d.chief_a1.chief]


def test_each_town_appoints_its_own_chiefs_on_its_own_reach(two_towns):
    d = two_towns
    successor = d.chief_a2.chief
    river_services.assign_chief(
        chief=successor,
        river=d.border_river,
        reach=d.reach_a1,
        level="village",
        start_date=date.today(),
        by=d.office_a,
    )
    assert [a.chief for a in current(d.border_river, d.reach_a1)] == [successor]
    # ... and the owner still appoints the whole river's chiefs.
    river_services.assign_chief(
        chief=d.chief_b2.chief,
        river=d.border_river,
        reach=d.reach_b1,
        level="village",
        start_date=date.today(),
        by=d.office_b,
    )
    assert [a.chief for a in current(d.border_river, d.reach_b1)] == [d.chief_b2.chief]


def test_assignment_api_refuses_the_crossing_towns_office_with_403(two_towns, client):
    d = two_towns
    theirs = ChiefAssignment.objects.get(
        river=d.border_river, reach=d.reach_b1, chief=d.chief_b1.chief
    )
    client.force_login(d.office_a)
    response = client.post(
        f"/api/v1/assignments/{theirs.pk}/end/",
        {"end_date": date.today().isoformat()},
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    theirs.refresh_from_db()
    assert theirs.end_date is None


def test_an_office_finding_on_a_border_river_lands_in_its_own_town(two_towns, client):
    d = two_towns
    client.force_login(d.office_a)
    response = client.post(
        "/api/v1/findings/",
        {"river": d.border_river.pk, "category": Finding.Category.choices[0][0], "note": "漂浮物"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    finding = Finding.objects.get()
    assert finding.region.code.startswith(d.town_a.code)
    assert not Finding.objects.filter(region__code__startswith=d.town_b.code).exists()


def test_a_crossing_towns_office_cannot_change_the_owners_plan_measure(two_towns):
    d = two_towns
    programme = plan_services.create_programme(
        name="消除劣V类",
        region=d.town_b,
        start_date=date(2018, 1, 1),
        end_date=date(2020, 12, 31),
        by=d.office_b,
    )
    plan = plan_services.create_plan(
        programme=programme, title="界泾一河一策", river=d.border_river, by=d.office_b
    )
    measure = plan_services.add_measure(
        plan=plan,
        title="清淤",
        owner_unit="亭林镇水务站",
        deadline=date(2019, 6, 30),
        by=d.office_b,
    )
    with pytest.raises(PermissionDenied):
        plan_services.update_progress(measure=measure, by=d.office_a, progress=50)
    with pytest.raises(PermissionDenied):
        plan_services.set_target(plan=plan, year=2018, water_class=3, by=d.office_a)
    plan_services.update_progress(measure=measure, by=d.office_b, progress=50)


# --- 2. patrol rules per region --------------------------------------------------------------


def test_a_towns_duty_rule_changes_its_own_chiefs_duty_only(two_towns):
    d = two_towns
    default = DutyRule.objects.get(level="village", region__isnull=True)
    rule = patrol_services.own_copy(rule=default, by=d.office_a)
    rule.times = 4
    rule.period = DutyRule.Period.MONTH
    patrol_services.save_duty_rule(rule=rule, by=d.office_a)

    default.refresh_from_db()
    assert default.times == 1
    assert default.period == DutyRule.Period.WEEK
    month = date(2018, 3, 1)
    duty = patrol_selectors.duty_for(chiefs=[d.chief_a1.chief, d.chief_b1.chief], month=month)
    required_a = sum(p.required for p in duty[d.chief_a1.chief.pk].periods)
    required_b = sum(p.required for p in duty[d.chief_b1.chief.pk].periods)
    assert required_a == 4
    assert required_b >= 4
    assert all(p.required == 1 for p in duty[d.chief_b1.chief.pk].periods)


def test_an_office_cannot_change_the_default_or_another_towns_rule(two_towns):
    d = two_towns
    default = DutyRule.objects.get(level="town", region__isnull=True)
    default.times = 4
    with pytest.raises(PermissionDenied):
        patrol_services.save_duty_rule(rule=default, by=d.office_a)
    theirs = DutyRule.objects.create(level="town", period="month", times=2, region=d.town_b)
    theirs.times = 9
    with pytest.raises(PermissionDenied):
        patrol_services.save_duty_rule(rule=theirs, by=d.office_a)
    assert DutyRule.objects.get(pk=theirs.pk).times == 2


def test_the_rule_page_of_another_towns_rule_makes_an_override_of_ones_own(two_towns, client):
    d = two_towns
    theirs = DutyRule.objects.create(level="town", period="month", times=2, region=d.town_b)
    client.force_login(d.office_a)
    response = client.post(
        f"/patrols/rules/{theirs.pk}/",
        {
            "level": "town",
            "period": "month",
            "times": 4,
            "season_start_month": 1,
            "season_end_month": 12,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert DutyRule.objects.get(pk=theirs.pk).times == 2
    assert DutyRule.objects.get(region=d.town_a).times == 4


def test_authenticity_thresholds_belong_to_a_town(two_towns, client):
    d = two_towns
    client.force_login(d.office_a)
    response = client.post(
        "/patrols/rules/authenticity/",
        {
            "min_minutes": 40,
            "min_distance_m": 1000,
            "max_speed_kmh": 25,
            "max_river_distance_m": 300,
            "min_points": 5,
            "photo_tolerance_minutes": 10,
        },
    )
    assert response.status_code == 302
    assert AuthenticityPolicy.for_region(d.village_a1).min_minutes == 40
    assert AuthenticityPolicy.for_region(d.village_b1).min_minutes == 10
    assert AuthenticityPolicy.current().min_minutes == 10


# --- 3. smaller leaks ------------------------------------------------------------------------


def test_the_responsibility_letters_api_shows_a_village_chief_only_the_villages_letter(
    two_towns, client
):
    from plans.models import Programme, ResponsibilityLetter

    d = two_towns
    programme = Programme.objects.create(
        name="消除劣V类",
        region=d.district,
        start_date=date(2018, 1, 1),
        end_date=date(2020, 12, 31),
    )
    for village in (d.village_a1, d.village_a2, d.village_b1, d.village_b2):
        ResponsibilityLetter.objects.create(
            programme=programme,
            region=village,
            signed_on=date(2018, 3, 1),
            party_a="镇长",
            party_b="村主任",
        )
    client.force_login(d.chief_a1)
    body = client.get("/api/v1/responsibility-letters/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["region"] for r in rows] in ([d.village_a1.pk], [d.village_a1.name])


def test_an_order_cannot_be_linked_to_another_towns_work_order(two_towns):
    from directives.models import InspectionRound, WorkOrder
    from directives.services import issue_directive

    d = two_towns
    round_b = InspectionRound.objects.create(
        name="第三督查组", town=d.town_b, start_date=date(2018, 5, 1), end_date=date(2018, 5, 31)
    )
    work_order_b = WorkOrder.objects.create(
        inspection_round=round_b,
        number="WO-1",
        content="清理",
        issued_on=date(2018, 5, 2),
        reply_deadline=date(2018, 5, 20),
    )
    with pytest.raises(ValidationError) as caught:
        issue_directive(
            issued_by=d.office_a,
            river=d.river_a1,
            title="清理",
            description="漂浮物",
            deadline=date(2030, 1, 1),
            source="phone_report",
            target_village=d.village_a1,
            work_order=work_order_b,
            notify_target=False,
        )
    assert "work_order" in caught.value.message_dict


def test_an_error_never_names_a_river_the_caller_cannot_see(two_towns):
    from directives.services import issue_directive

    d = two_towns
    elsewhere = factories.RiverFactory(name="外区秘密河", region=factories.TownFactory())
    with pytest.raises(ValidationError) as caught:
        issue_directive(
            issued_by=d.office_a,
            river=elsewhere,
            title="清理",
            description="漂浮物",
            deadline=date(2030, 1, 1),
            source="phone_report",
            target_village=d.village_a1,
            notify_target=False,
        )
    assert "外区秘密河" not in str(caught.value)


def test_reusing_a_photos_client_id_never_returns_another_towns_photo(two_towns):
    d = two_towns
    category = Finding.Category.choices[0][0]
    finding_b = patrol_services.report_finding(by=d.chief_b1, river=d.river_b1, category=category)
    finding_a = patrol_services.report_finding(by=d.chief_a1, river=d.river_a1, category=category)
    client_id = uuid.uuid4()

    def upload():
        return SimpleUploadedFile("p.jpg", make_jpeg(), content_type="image/jpeg")

    theirs = patrol_services.add_finding_photo(
        finding=finding_b, by=d.chief_b1, upload=upload(), client_id=client_id
    )
    with pytest.raises(ValidationError):
        patrol_services.add_finding_photo(
            finding=finding_a, by=d.chief_a1, upload=upload(), client_id=client_id
        )
    again = patrol_services.add_finding_photo(
        finding=finding_b, by=d.chief_b1, upload=upload(), client_id=client_id
    )
    assert again.pk == theirs.pk
