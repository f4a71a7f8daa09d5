def test_measure_with_deadline_outside_programme_is_a_400_naming_the_field(
    api_client, town_staff, plan
):
    api_client.force_authenticate(town_staff)
    r = api_client.post(
        "/api/v1/measures/",
        {"plan": plan.pk, "title": "疏浚", "owner_unit": "镇水务站", "deadline": "2021-03-01"},
        format="json",
    )
    assert r.status_code == 400
    assert "deadline" in r.json()["errors"]


def test_owner_reports_progress_through_the_api(api_client, village_chief, measure):
    api_client.force_authenticate(village_chief)
    r = api_client.post(f"/api/v1/measures/{measure.pk}/progress/", {"progress": 30, "note": "ok"})
    assert r.status_code == 200
    assert r.json()["progress"] == 30
    r = api_client.post(f"/api/v1/measures/{measure.pk}/progress/", {"progress": 10})
    assert r.status_code == 400
    assert "note" in r.json()["errors"]


def test_district_read_token_lists_plans_but_cannot_write(api_client, district_token, measure):
    _token, key = district_token
    r = api_client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 200
    assert r.json()["count"] == 1
    assert r.json()["results"][0]["measures"][0]["id"] == measure.pk
    r = api_client.post(
        f"/api/v1/measures/{measure.pk}/progress/",
        {"progress": 30},
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert r.status_code == 403


def test_plan_list_api_keeps_a_constant_number_of_queries(
    api_client, town_staff, programme, village, django_assert_max_num_queries
):
    from tests import factories
    from tests.plans.factories import MeasureFactory, PlanFactory

    for _ in range(6):
        MeasureFactory(
            plan=PlanFactory(programme=programme, river=factories.RiverFactory(region=village))
        )
    api_client.force_authenticate(town_staff)
    with django_assert_max_num_queries(8):
        r = api_client.get("/api/v1/plans/")
    assert r.json()["count"] == 6
