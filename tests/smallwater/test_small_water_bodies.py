from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from plans.models import Measure, Programme
from plans.services import create_plan, create_programme
from smallwater import services
from smallwater.models import Care, Policy
from smallwater.selectors import progress_by_village
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(two_towns):
    d = two_towns
    programme = create_programme(
        name="三年行动计划",
        region=d.town_a,
        start_date=date(2018, 1, 1),
        end_date=date(2020, 12, 31),
        by=d.office_a,
    )
    plan = create_plan(
        programme=programme, title="朱泾镇小微水体方案", region=d.town_a, by=d.office_a
    )
    a1 = factories.WaterBodyFactory(village=d.village_a1, name="待泾塘")
    a2 = factories.WaterBodyFactory(village=d.village_a2, name="秀州塘")
    b1 = factories.WaterBodyFactory(village=d.village_b1, name="亭东塘")
    services.assign_responsible(water_body=a1, by=d.office_a, chief=d.chief_a1.chief)
    return {"a1": a1, "a2": a2, "b1": b1, "plan": plan, "programme": programme}


def test_a_policy_adds_ordinary_plan_measures_owned_by_the_responsible_chief(two_towns, bodies):
    d = two_towns
    policy = services.prepare_policy(
        water_body=bodies["a1"],
        by=d.office_a,
        summary="清淤、截污",
        prepared_on=date(2018, 5, 10),
        measures=[{"title": "清淤疏浚", "owner_unit": "镇水务站", "deadline": date(2018, 12, 31)}],
    )
    [measure] = policy.measures.all()
    assert policy.plan == bodies["plan"]
    assert measure.plan == bodies["plan"]
    assert measure.owner_chief == d.chief_a1.chief
    # The plans' own rules apply: a deadline outside the programme is refused.
    with pytest.raises(ValidationError) as exc:
        services.prepare_policy(
            water_body=bodies["a1"],
            by=d.office_a,
            summary="再加一项",
            prepared_on=date(2018, 5, 10),
            measures=[{"title": "x", "owner_unit": "村委会", "deadline": date(2021, 6, 1)}],
        )
    assert "deadline" in exc.value.message_dict
    # The responsible chief reports progress through the plans' service (history, note rule).
    services.update_measure_progress(measure=measure, by=d.chief_a1, progress=40, note="已开工")
    measure.refresh_from_db()
    assert measure.status == Measure.Status.IN_PROGRESS
    assert measure.history.count() == 2


def test_a_policy_outside_any_programme_is_refused(two_towns, bodies):
    with pytest.raises(ValidationError) as exc:
        services.prepare_policy(
            water_body=bodies["a1"],
            by=two_towns.office_a,
            summary="x",
            prepared_on=date(2017, 5, 1),
        )
    assert "plan" in exc.value.message_dict
    assert Policy.objects.count() == 0
    assert Programme.objects.count() == 1


def test_only_the_village_or_the_town_office_updates_a_body(two_towns, bodies):
    d = two_towns
    services.record_inspection(
        water_body=bodies["a1"], by=d.chief_a1, classification="poor", inspected_on=date(2018, 1, 9)
    )
    for outsider in (d.chief_a2, d.office_b, d.chief_b1, d.town_chief_b):
        with pytest.raises(PermissionDenied):
            services.record_inspection(
                water_body=bodies["a1"],
                by=outsider,
                classification="good",
                inspected_on=date(2018, 1, 10),
            )
    with pytest.raises(PermissionDenied):
        services.prepare_policy(
            water_body=bodies["a1"], by=d.chief_a1, summary="x", prepared_on=date(2018, 5, 1)
        )
    assert Care.objects.get(water_body=bodies["a1"]).classification == "poor"


def test_the_office_sees_progress_per_village_of_its_town_only(two_towns, bodies):
    d = two_towns
    services.record_inspection(
        water_body=bodies["a1"], by=d.office_a, classification="poor", inspected_on=date(2018, 1, 9)
    )
    services.prepare_policy(
        water_body=bodies["a1"],
        by=d.office_a,
        summary="清淤",
        prepared_on=date(2018, 5, 10),
        measures=[
            {"title": "清淤", "owner_unit": "镇水务站", "deadline": date(2018, 12, 31)},
            {"title": "截污", "owner_unit": "镇水务站", "deadline": date(2018, 12, 31)},
        ],
    )
    measure = Measure.objects.filter(title__endswith="清淤").get()
    services.update_measure_progress(measure=measure, by=d.office_a, progress=100)
    rows = {r.village.name: r for r in progress_by_village(user=d.office_a)}
    assert set(rows) == {"待泾村", "秀州村"}
    a1 = rows["待泾村"]
    assert (a1.bodies, a1.inspected, a1.with_policy, a1.measures, a1.measures_done) == (
        1,
        1,
        1,
        2,
        1,
    )
    assert a1.percent_done == 50
    assert rows["秀州村"].inspected == 0


def test_a_village_chief_sees_and_updates_their_bodies_on_the_phone(client, two_towns, bodies):
    d = two_towns
    client.force_login(d.chief_a1)
    page = client.get(reverse("smallwater:body-list")).content.decode()
    assert "待泾塘" in page
    assert "秀州塘" not in page
    assert "亭东塘" not in page
    url = reverse("smallwater:body-detail", args=[bodies["a1"].pk])
    response = client.post(
        url,
        {"action": "inspection", "classification": "fair", "inspected_on": "2018-01-12"},
    )
    assert response.status_code == 302
    assert Care.objects.get(water_body=bodies["a1"]).classification == "fair"
    assert client.get(reverse("smallwater:body-detail", args=[bodies["b1"].pk])).status_code == 404


def test_a_chief_updates_their_measure_from_the_bodys_page(client, two_towns, bodies):
    d = two_towns
    policy = services.prepare_policy(
        water_body=bodies["a1"],
        by=d.office_a,
        summary="清淤",
        prepared_on=date(2018, 5, 10),
        measures=[{"title": "清淤", "owner_unit": "镇水务站", "deadline": date(2018, 12, 31)}],
    )
    measure = policy.measures.get()
    client.force_login(d.chief_a1)
    url = reverse("smallwater:measure-progress", args=[bodies["a1"].pk, measure.pk])
    response = client.post(url, {"progress": 60, "note": "清淤过半"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.progress == 60
    client.force_login(d.chief_a2)  # another village's chief
    assert client.post(url, {"progress": 10, "note": "x"}).status_code == 404


def test_the_api_lists_the_callers_bodies_and_records_an_inspection(
    api_client, two_towns, bodies, django_assert_max_num_queries
):
    d = two_towns
    for n in range(5):
        body = factories.WaterBodyFactory(village=d.village_a2, name=f"塘{n}")
        services.record_inspection(
            water_body=body, by=d.office_a, classification="good", inspected_on=date(2018, 1, 3)
        )
        services.prepare_policy(
            water_body=body,
            by=d.office_a,
            summary="保持",
            prepared_on=date(2018, 5, 3),
            measures=[{"title": "保洁", "owner_unit": "村委会", "deadline": date(2018, 12, 31)}],
        )
    _token, key = d.town_a_token
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with django_assert_max_num_queries(10):
        response = api_client.get("/api/v1/small-water-bodies/")
    assert response.status_code == 200
    names = {b["name"] for b in response.json()["results"]}
    assert "亭东塘" not in names
    assert len(names) == 7
    with_policy = [b for b in response.json()["results"] if b["policy"]]
    assert with_policy[0]["policy"]["measures"][0]["title"].endswith("保洁")

    api_client.credentials()
    api_client.force_authenticate(d.chief_a1)
    ok = api_client.post(
        f"/api/v1/small-water-bodies/{bodies['a1'].pk}/inspection/",
        {"classification": "black_odorous", "inspected_on": "2018-01-20"},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["classification"] == "black_odorous"
    other = api_client.post(
        f"/api/v1/small-water-bodies/{bodies['a2'].pk}/inspection/",
        {"classification": "good", "inspected_on": "2018-01-20"},
        format="json",
    )
    assert other.status_code == 404
    bad = api_client.post(
        f"/api/v1/small-water-bodies/{bodies['a1'].pk}/inspection/",
        {"classification": "shiny"},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"classification", "inspected_on"}


def test_a_chief_uploads_a_photo_stripped_of_its_metadata(client, two_towns, bodies):
    from smallwater.models import Photo
    from tests.public.conftest import jpeg_with_exif

    client.force_login(two_towns.chief_a1)
    url = reverse("smallwater:body-detail", args=[bodies["a1"].pk])
    response = client.post(url, {"action": "photo", "photo": jpeg_with_exif(), "caption": "岸边"})
    assert response.status_code == 302
    data = Photo.objects.get().image.read()
    assert b"PhoneMaker" not in data
    client.force_login(two_towns.chief_a2)
    assert client.post(url, {"action": "photo", "photo": jpeg_with_exif()}).status_code == 404
