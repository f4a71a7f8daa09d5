from django.urls import reverse

from plans.models import Measure
from tests.factories import PASSWORD


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_office_sees_programme_progress_by_river_and_village(client, town_staff, measure):
    _login(client, town_staff)
    r = client.get(reverse("plans:programme-list"))
    assert r.status_code == 200
    assert measure.plan.title in r.content.decode()
    r = client.get(reverse("plans:programme-list") + "?view=village")
    assert measure.plan.river.region.name in r.content.decode()


def test_programme_list_queries_do_not_grow_with_plans(
    client, town_staff, programme, village, django_assert_max_num_queries
):
    from tests import factories
    from tests.plans.factories import MeasureFactory, PlanFactory

    for _ in range(8):
        MeasureFactory(
            plan=PlanFactory(programme=programme, river=factories.RiverFactory(region=village))
        )
    _login(client, town_staff)
    with django_assert_max_num_queries(16):
        r = client.get(reverse("plans:programme-list"))
    assert r.status_code == 200
    assert r.content.decode().count('href="/plans/plan/') == 8


def test_owner_updates_progress_on_the_phone_form(client, village_chief, measure):
    _login(client, village_chief)
    url = reverse("plans:measure-update", args=[measure.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"progress": 45, "note": "清淤完成一半", "status": ""})
    assert r.status_code == 302
    measure.refresh_from_db()
    assert measure.progress == 45
    r = client.post(url, {"progress": 10, "note": "", "status": ""})
    assert r.status_code == 200
    assert "必须说明原因" in r.content.decode()
    measure.refresh_from_db()
    assert measure.progress == 45


def test_plan_detail_shows_overdue_measures(client, town_staff, measure):
    Measure.objects.filter(pk=measure.pk).update(deadline="2018-06-30")
    _login(client, town_staff)
    r = client.get(reverse("plans:plan-detail", args=[measure.plan_id]))
    assert "已超期" in r.content.decode()


def test_another_villages_chief_cannot_open_the_measure(client, measure, other_village):
    from tests import factories

    other = factories.UserFactory(role="village_chief", region=other_village)
    _login(client, other)
    r = client.get(reverse("plans:measure-update", args=[measure.pk]))
    assert r.status_code == 404


def test_office_sees_the_responsibility_letters_of_a_programme(
    client, town_staff, programme, village
):
    from tests.plans.factories import ResponsibilityLetterFactory

    ResponsibilityLetterFactory(programme=programme, region=village, party_b="王村长")
    _login(client, town_staff)
    r = client.get(reverse("plans:programme-list") + f"?programme={programme.pk}&view=letters")
    assert "王村长" in r.content.decode()
