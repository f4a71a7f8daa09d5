"""The API: wiring, scoping, all-or-nothing bulk posting, idempotency, query counts."""

import pytest

from monitoring.models import Sample
from tests.factories import DistrictFactory, TownFactory, VillageFactory
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at

pytestmark = pytest.mark.django_db


def auth(token):
    return {"HTTP_AUTHORIZATION": f"Token {token[1]}"}


def payload(n, point="ZJ-01", start=0):
    return {
        "samples": [
            {
                "client_key": f"D-{i}",
                "point": point,
                "sampled_at": f"2018-07-{1 + i % 28:02d}T{i // 28 % 24:02d}:00:00+08:00",
                "lab": "金山区环境监测站",
                "values": {"do": 4.1, "nh3n": 1.7, "tp": 0.21, "temp": 27.0},
            }
            for i in range(start, start + n)
        ]
    }


def test_a_district_system_posts_samples_in_bulk_and_a_retry_creates_nothing(
    api_client, point, district_write_token
):
    url = "/api/v1/monitoring/samples/bulk/"
    body = payload(300)
    first = api_client.post(url, body, format="json", **auth(district_write_token))
    assert first.status_code == 201, first.json()
    assert first.json()["created"] == 300
    retry = api_client.post(url, body, format="json", **auth(district_write_token))
    assert retry.status_code == 200
    assert retry.json() == {"created": 0, "existing": 300, "ids": [], "flagged": []}
    assert Sample.objects.count() == 300


def test_one_bad_sample_rejects_the_whole_request_with_its_index(
    api_client, point, district_write_token
):
    body = payload(5)
    body["samples"][3]["values"]["ph"] = 15
    body["samples"][4]["point"] = "NOPE"
    response = api_client.post(
        "/api/v1/monitoring/samples/bulk/", body, format="json", **auth(district_write_token)
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"samples[3].ph", "samples[4].point"}
    assert Sample.objects.count() == 0


def test_an_unknown_parameter_code_is_a_field_error(api_client, point, district_write_token):
    body = payload(1)
    body["samples"][0]["values"]["chlorophyll"] = 3
    response = api_client.post(
        "/api/v1/monitoring/samples/bulk/", body, format="json", **auth(district_write_token)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"samples[0].values": ["未知的监测项目：chlorophyll"]}


def test_a_read_token_cannot_post_samples(api_client, point, district_token):
    response = api_client.post(
        "/api/v1/monitoring/samples/bulk/", payload(1), format="json", **auth(district_token)
    )
    assert response.status_code == 403


def test_samples_carry_their_class_and_black_odour(api_client, point, district_token):
    SampleFactory(point=point, sampled_at=at(2018, 3, 1), nh3n=2.6, do=1.5, transparency=30)
    response = api_client.get("/api/v1/monitoring/samples/", **auth(district_token))
    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["assessment"]["label"] == "劣Ⅴ类"
    assert item["assessment"]["deciding"][0]["parameter"] == "nh3n"
    assert item["assessment"]["meets_target"] is False
    assert item["black_odour"] == "light"


def test_a_district_token_sees_only_its_district(api_client, point, district_token):
    district = DistrictFactory(code="310117", name="松江区")
    village = VillageFactory(parent=TownFactory(parent=district, code="310117101"))
    elsewhere = MonitoringPointFactory(river__region=village)
    SampleFactory(point=elsewhere)
    SampleFactory(point=point)
    response = api_client.get("/api/v1/monitoring/points/", **auth(district_token))
    assert [p["code"] for p in response.json()["results"]] == ["ZJ-01"]
    response = api_client.get("/api/v1/monitoring/samples/", **auth(district_token))
    assert response.json()["count"] == 1


def test_sample_list_runs_a_constant_number_of_queries(
    api_client, point, district_token, django_assert_max_num_queries
):
    for i in range(30):
        SampleFactory(point=point, sampled_at=at(2018, 1 + i % 12, 1 + i))
    with django_assert_max_num_queries(6):
        response = api_client.get("/api/v1/monitoring/samples/", **auth(district_token))
    assert response.json()["count"] == 30


def test_river_status_lists_worse_than_v_first(api_client, village, district_token):
    good = MonitoringPointFactory(river__region=village, river__name="清水河")
    bad = MonitoringPointFactory(river__region=village, river__name="黑水浜")
    SampleFactory(point=good, sampled_at=at(2018, 5, 2), nh3n=0.4)
    SampleFactory(point=bad, sampled_at=at(2018, 5, 2), nh3n=3.4)
    response = api_client.get(
        "/api/v1/monitoring/river-status/?period=2018-05", **auth(district_token)
    )
    assert response.status_code == 200
    rivers = response.json()["results"]
    assert [r["name"] for r in rivers] == ["黑水浜", "清水河"]
    assert rivers[0]["label"] == "劣Ⅴ类"
    assert rivers[0]["quality"] == "heavy"
    response = api_client.get(
        "/api/v1/monitoring/river-status/?period=2018-5x", **auth(district_token)
    )
    assert response.status_code == 400
    assert "period" in response.json()["errors"]


def test_parameters_list_the_table_1_limits(api_client, district_token):
    response = api_client.get("/api/v1/monitoring/parameters/", **auth(district_token))
    tp = next(p for p in response.json() if p["code"] == "tp")
    assert tp["limits"] == [0.02, 0.1, 0.2, 0.3, 0.4]
    assert tp["lake_limits"] == [0.01, 0.025, 0.05, 0.1, 0.2]


def test_samples_filter_by_dates_and_periods(api_client, point, district_token):
    SampleFactory(point=point, sampled_at=at(2018, 5, 3))
    SampleFactory(point=point, sampled_at=at(2018, 6, 30, 23, 30))
    SampleFactory(point=point, sampled_at=at(2018, 7, 1, 0, 30))

    def count(query):
        response = api_client.get(f"/api/v1/monitoring/samples/?{query}", **auth(district_token))
        return response.json()["count"] if response.status_code == 200 else response.status_code

    assert count("from=2018-05-03&to=2018-05-03") == 1
    assert count("from=2018-06&to=2018-06") == 1  # 23:30 Shanghai time on the last day
    assert count("from=2018-Q2") == 3
    assert count("to=2018-Q2") == 2
    assert count("from=yesterday") == 400
