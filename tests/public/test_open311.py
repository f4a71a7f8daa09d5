"""Open311 GeoReport v2, tested the way an Open311 client talks to it (form-encoded POST with
api_key and jurisdiction_id; JSON answers; errors as [{"code", "description"}])."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from django.utils import timezone

from public import services
from public.models import Report

pytestmark = pytest.mark.django_db
BASE = "/api/v1/open311/v2"


@pytest.fixture
def key(db):
    _client, key = services.create_open311_client(name="随手拍")
    return key


@pytest.fixture
def mapped_river(two_towns):
    river = two_towns.river_a1
    river.geometry = {
        "type": "LineString",
        "coordinates": [[121.170, 30.900], [121.180, 30.900]],
    }
    river.save()
    return river


def test_the_service_list_offers_the_patrol_categories(client):
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "310116"})
    assert response.status_code == 200
    services_ = response.json()
    codes = [s["service_code"] for s in services_]
    assert "garbage" in codes
    assert "sewage_outlet" in codes
    assert set(services_[0]) >= {"service_code", "service_name", "metadata", "type", "group"}


def test_a_service_definition_names_the_river_attribute(client):
    response = client.get(f"{BASE}/services/garbage.json")
    assert response.status_code == 200
    assert response.json()["attributes"][0]["code"] == "river"
    missing = client.get(f"{BASE}/services/nonsense.json")
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404


@override_settings(OPEN311_JURISDICTION="310116")
def test_an_open311_client_posts_a_request_form_encoded_and_reads_it_back(
    client, two_towns, key, mapped_river
):
    response = client.post(
        f"{BASE}/requests.json",
        urlencode(
            {
                "api_key": key,
                "jurisdiction_id": "310116",
                "service_code": "garbage",
                "lat": "30.9001",
                "long": "121.175",
                "address_string": "桥东50米",
                "description": "河面有大片漂浮垃圾",
                "first_name": "小明",
                "last_name": "王",
                "phone": "13912345678",
                "email": "wang@example.cn",
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert isinstance(created, list)
    assert created[0]["service_request_id"]
    receipt = created[0]["service_request_id"]
    report = Report.objects.get(receipt=receipt)
    assert report.river == mapped_river  # the nearest river to the position
    assert report.channel == Report.Channel.OPEN311
    assert report.contact_phone == "13912345678"  # kept for the office only

    one = client.get(f"{BASE}/requests/{receipt}.json", {"jurisdiction_id": "310116"})
    assert one.status_code == 200
    [request] = one.json()
    assert request["status"] == "open"
    assert request["service_code"] == "garbage"
    body = one.content.decode()
    assert "13912345678" not in body
    assert "王" not in body
    assert "wang@example.cn" not in body

    listed = client.get(f"{BASE}/requests.json")
    assert receipt in [r["service_request_id"] for r in listed.json()]


def test_a_form_encoded_post_with_a_river_code_attribute(client, two_towns, key):
    body = urlencode(
        {
            "api_key": key,
            "service_code": "dumping",
            "description": "有人往河边倒渣土",
            "attribute[river]": two_towns.river_b1.code,
        }
    )
    response = client.post(
        f"{BASE}/requests.json", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(receipt=response.json()[0]["service_request_id"])
    assert report.river == two_towns.river_b1
    assert report.town == two_towns.town_b


def test_a_post_without_a_valid_api_key_is_refused(client, two_towns):
    response = client.post(
        f"{BASE}/requests.json",
        {"api_key": "wrong", "service_code": "garbage", "description": "垃圾很多很多"},
    )
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403
    assert Report.objects.count() == 0


def test_bad_input_answers_400_in_the_open311_error_shape(client, two_towns, key):
    response = client.post(
        f"{BASE}/requests.json",
        {"api_key": key, "service_code": "garbage", "description": "垃圾很多很多"},
    )  # neither a position nor a river
    assert response.status_code == 400
    assert "lat" in response.json()[0]["description"]
    bad_date = client.get(f"{BASE}/requests.json", {"start_date": "yesterday"})
    assert bad_date.status_code == 400
    unknown = client.get(f"{BASE}/services.json", {"jurisdiction_id": "999999"})
    assert unknown.status_code == 404


def test_the_request_follows_the_order_and_its_closing(client, two_towns, key):
    d = two_towns
    report = services.submit_report(
        river=d.river_a1, category="garbage", text="河面有垃圾需要清理", address="203.0.113.5"
    )
    services.turn_into_order(
        report=report,
        by=d.office_a,
        deadline=timezone.localdate() + timedelta(days=3),
        target_village=d.village_a1,
    )
    [request] = client.get(f"{BASE}/requests/{report.receipt}.json").json()
    assert request["status"] == "open"
    assert "督办" in request["status_notes"]
    closed = services.submit_report(
        river=d.river_a1, category="other", text="桥栏杆坏了需要修", address="203.0.113.6"
    )
    services.close_report(report=closed, by=d.office_a, reason="已修复")
    rows = client.get(f"{BASE}/requests.json", {"status": "closed"}).json()
    assert [r["service_request_id"] for r in rows] == [closed.receipt]
    assert rows[0]["status_notes"] == "已修复"


def test_the_open311_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for p in (
        "/api/v1/open311/v2/services.json",
        "/api/v1/open311/v2/services/{service_code}.json",
        "/api/v1/open311/v2/requests.json",
        "/api/v1/open311/v2/requests/{service_request_id}.json",
    ):
        assert p in paths
    post = paths["/api/v1/open311/v2/requests.json"]["post"]
    assert "application/x-www-form-urlencoded" in post["requestBody"]["content"]


@pytest.mark.parametrize(
    "start", ["0073-04-23T22:29:16-18:30", "0001-01-01T00:00:00+14:00", "2018-13-01T00:00:00"]
)
def test_odd_dates_answer_400_not_a_server_error(client, start):
    response = client.get(f"{BASE}/requests.json", {"start_date": start})
    assert response.status_code == 400


def test_an_offset_postgresql_refuses_is_read_as_utc(client, two_towns):
    report = services.submit_report(
        river=two_towns.river_a1, category="garbage", text="河面有垃圾需要清理", address="x"
    )
    since = (report.created_at - timedelta(hours=1)).astimezone(timezone.get_fixed_timezone(-1110))
    rows = client.get(f"{BASE}/requests.json", {"start_date": since.isoformat()}).json()
    assert [r["service_request_id"] for r in rows] == [report.receipt]


def test_the_request_list_takes_the_same_queries_for_one_or_many(
    client, two_towns, django_assert_max_num_queries
):
    d = two_towns
    for n in range(6):
        report = services.submit_report(
            river=d.river_a1, category="garbage", text=f"第{n}处河面垃圾", address=f"10.0.0.{n}"
        )
    services.turn_into_order(
        report=report,
        by=d.office_a,
        deadline=timezone.localdate() + timedelta(days=3),
        target_village=d.village_a1,
    )
    with django_assert_max_num_queries(3):
        rows = client.get(f"{BASE}/requests.json").json()
    assert len(rows) == 6
