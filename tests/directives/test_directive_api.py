"""The API: status codes, 400 shapes, scoping, modified_since, query counts."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from directives.models import Directive, Status, WorkOrder
from tests import factories
from tests.directives.conftest import photo
from tests.directives.factories import InspectionRoundFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/directives/"


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_the_office_issues_an_order_through_the_api(api_client, town_staff, river, village):
    api_client.force_authenticate(town_staff)
    response = api_client.post(
        URL,
        {
            "title": "来信反映排污",
            "description": "夜间有企业向河道排放污水",
            "river": river.pk,
            "source": "letter_complaint",
            "target_village": village.pk,
            "issued_on": "2026-03-01",
            "deadline": "2026-03-15",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "issued"
    assert response.json()["number"].endswith("〔2026〕第1号")


def test_a_deadline_before_the_issue_date_is_a_400_with_the_field(
    api_client, town_staff, river, village
):
    api_client.force_authenticate(town_staff)
    response = api_client.post(
        URL,
        {
            "title": "t",
            "description": "d",
            "river": river.pk,
            "source": "letter_complaint",
            "target_village": village.pk,
            "issued_on": "2026-03-10",
            "deadline": "2026-03-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "deadline" in response.json()["errors"]
    assert not Directive.objects.exists()


def test_a_river_of_another_town_is_a_400(api_client, town_staff, other_town_river, village):
    api_client.force_authenticate(town_staff)
    response = api_client.post(
        URL,
        {
            "title": "t",
            "description": "d",
            "river": other_town_river.pk,
            "source": "public_report",
            "target_village": village.pk,
            "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "river" in response.json()["errors"]


def test_the_workflow_runs_through_the_api(api_client, make_order, village_chief, town_staff):
    order = make_order()
    api_client.force_authenticate(village_chief)
    assert api_client.post(f"{URL}{order.pk}/submit/", {"text": "x"}).status_code == 400
    assert api_client.post(f"{URL}{order.pk}/accept/").json()["status"] == "accepted"
    empty = api_client.post(f"{URL}{order.pk}/submit/", {"text": ""})
    assert empty.status_code == 400
    assert "text" in empty.json()["errors"]
    response = api_client.post(
        f"{URL}{order.pk}/submit/",
        {"text": "已清理", "after_photos": [photo()]},
        format="multipart",
    )
    assert response.json()["status"] == "submitted"
    assert api_client.post(f"{URL}{order.pk}/close/").status_code == 403
    api_client.force_authenticate(town_staff)
    assert api_client.post(f"{URL}{order.pk}/return/", {"reason": ""}).status_code == 400
    assert api_client.post(f"{URL}{order.pk}/close/", {"note": "ok"}).json()["status"] == "closed"
    timeline = api_client.get(f"{URL}{order.pk}/timeline/").json()
    assert [e["kind"] for e in timeline] == ["issued", "accepted", "submitted", "closed"]


def test_an_extension_past_the_limit_is_a_400(api_client, make_order, village_chief, settings):
    settings.DIRECTIVES_MAX_EXTENSION_DAYS = 10
    order = make_order()
    api_client.force_authenticate(village_chief)
    response = api_client.post(
        f"{URL}{order.pk}/extension/", {"requested_deadline": "2026-04-30", "reason": "雨季"}
    )
    assert response.status_code == 400
    assert "requested_deadline" in response.json()["errors"]


def test_a_village_chief_reads_only_their_orders(
    api_client, make_order, village_chief, other_village
):
    mine = make_order()
    other_river = factories.RiverFactory(region=other_village)
    make_order(river=other_river, target_village=other_village)
    api_client.force_authenticate(village_chief)
    ids = [row["id"] for row in api_client.get(URL).json()["results"]]
    assert ids == [mine.pk]


def test_a_district_token_reads_status_changes_since_a_moment(
    api_client, make_order, village_chief, district_token
):
    old = make_order()
    changed = make_order()
    since = timezone.now()
    Directive.objects.filter(pk=old.pk).update(modified_at=since - timedelta(hours=1))
    from directives import services

    services.accept_directive(directive=changed, by=village_chief)
    _, key = district_token
    response = api_client.get(URL, {"modified_since": since.isoformat()}, **auth(key))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["id"], r["status"]) for r in rows] == [(changed.pk, "accepted")]


def test_a_bad_filter_value_is_a_400(api_client, town_staff):
    api_client.force_authenticate(town_staff)
    response = api_client.get(URL, {"modified_since": "yesterday"})
    assert response.status_code == 400
    assert "modified_since" in response.json()["errors"]


def test_a_district_token_of_another_district_sees_nothing(api_client, make_order):
    from core.services import create_api_client

    make_order()
    elsewhere = factories.DistrictFactory(code="310117", name="松江区")
    _, key = create_api_client(name="x", region=elsewhere, scope="read")
    assert api_client.get(URL, **auth(key)).json()["count"] == 0


def test_the_order_list_uses_a_constant_number_of_queries(
    api_client, make_order, town_staff, django_assert_max_num_queries
):
    for _ in range(12):
        make_order(notify_target=False)
    api_client.force_authenticate(town_staff)
    with django_assert_max_num_queries(4):
        response = api_client.get(URL)
    assert response.json()["count"] == 12


def test_a_district_system_creates_a_work_order_with_a_write_token(
    api_client, town, river, district_write_token, district_token
):
    inspection = InspectionRoundFactory(town=town)
    inspection.rivers.add(river)
    payload = {
        "inspection_round": inspection.pk,
        "number": "三组-01",
        "river": river.pk,
        "content": "两岸垃圾未清理",
        "issued_on": "2018-09-12",
        "reply_deadline": "2018-09-26",
    }
    _, read_key = district_token
    assert api_client.post("/api/v1/work-orders/", payload, **auth(read_key)).status_code == 403
    _, key = district_write_token
    response = api_client.post("/api/v1/work-orders/", payload, format="json", **auth(key))
    assert response.status_code == 201, response.json()
    again = api_client.post("/api/v1/work-orders/", payload, format="json", **auth(key))
    assert again.status_code == 400
    assert "number" in again.json()["errors"]
    assert WorkOrder.objects.count() == 1


def test_a_work_order_reply_deadline_before_issue_is_a_400(api_client, town, district_write_token):
    inspection = InspectionRoundFactory(town=town)
    _, key = district_write_token
    response = api_client.post(
        "/api/v1/work-orders/",
        {
            "inspection_round": inspection.pk,
            "number": "三组-02",
            "content": "x",
            "issued_on": "2018-09-12",
            "reply_deadline": "2018-09-01",
        },
        format="json",
        **auth(key),
    )
    assert response.status_code == 400
    assert "reply_deadline" in response.json()["errors"]


def test_the_office_answers_a_work_order_and_the_district_sees_it_answered(
    api_client, town, town_staff, district_token
):
    work_order = WorkOrderFactory(inspection_round=InspectionRoundFactory(town=town))
    since = timezone.now() - timedelta(seconds=1)
    api_client.force_authenticate(town_staff)
    response = api_client.post(f"/api/v1/work-orders/{work_order.pk}/reply/", {"text": "已整改"})
    assert response.json()["status"] == "answered"
    api_client.force_authenticate(None)
    _, key = district_token
    rows = api_client.get(
        "/api/v1/work-orders/", {"modified_since": since.isoformat()}, **auth(key)
    ).json()["results"]
    assert [(r["id"], r["status"], len(r["replies"])) for r in rows] == [
        (work_order.pk, "answered", 1)
    ]


def test_inspection_rounds_are_listed_with_their_counts(api_client, town, town_staff):
    inspection = InspectionRoundFactory(town=town, start_date=date(2018, 9, 10))
    WorkOrderFactory.create_batch(2, inspection_round=inspection)
    api_client.force_authenticate(town_staff)
    rows = api_client.get("/api/v1/inspection-rounds/").json()["results"]
    assert [(r["id"], r["work_orders"], r["answered"]) for r in rows] == [(inspection.pk, 2, 0)]


def test_a_village_chief_cannot_issue_through_the_api(api_client, village_chief, river, village):
    api_client.force_authenticate(village_chief)
    response = api_client.post(
        URL,
        {
            "title": "t",
            "description": "d",
            "river": river.pk,
            "source": "public_report",
            "target_village": village.pk,
            "deadline": "2030-01-01",
        },
        format="json",
    )
    assert response.status_code == 403
    assert Directive.objects.filter(status=Status.ISSUED).count() == 0


def test_the_api_schema_describes_the_order_endpoints(api_client, town_staff):
    api_client.force_authenticate(town_staff)
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/directives/{id}/timeline/" in paths
    assert "/api/v1/work-orders/{id}/reply/" in paths


def test_an_order_can_be_issued_with_attachments_as_multipart(
    api_client, town_staff, river, village
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api_client.force_authenticate(town_staff)
    response = api_client.post(
        URL,
        {
            "title": "上级交办",
            "description": "区河长办交办：清理岸边堆放物",
            "river": river.pk,
            "source": "instruction",
            "source_ref": "区河长办交办单",
            "target_village": village.pk,
            "deadline": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "attachments": [
                SimpleUploadedFile("交办单.pdf", b"%PDF-1.4 test", "application/pdf"),
                photo("现场.jpg"),
            ],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    order = Directive.objects.get()
    assert sorted(a.kind for a in order.attachments.all()) == ["attachment", "attachment"]
    assert any(a.name.endswith(".pdf") for a in order.attachments.all())


def test_an_executable_attachment_is_refused(api_client, town_staff, river, village):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api_client.force_authenticate(town_staff)
    response = api_client.post(
        URL,
        {
            "title": "t",
            "description": "d",
            "river": river.pk,
            "source": "instruction",
            "target_village": village.pk,
            "deadline": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "attachments": [SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream")],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "files" in response.json()["errors"]
    assert not Directive.objects.exists()
