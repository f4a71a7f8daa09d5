"""The office's report list: plain rows (core.rows) equal DRF's output; scoped to the town."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from public import selectors, services
from public.api import ReportSerializer
from tests.rows import drf_json

pytestmark = pytest.mark.django_db


def submit(river, address, **kwargs):
    fields = {"category": "garbage", "text": f"桥边漂着很多垃圾 {address}"} | kwargs
    return services.submit_report(river=river, address=address, **fields)


def test_the_report_rows_equal_drfs_representation(api_client, two_towns):
    d = two_towns
    submit(
        d.river_a1,
        "203.0.113.1",
        contact_phone="13812345678",
        latitude=Decimal("30.9"),
        longitude=Decimal("121.17"),
    )
    ordered = submit(d.river_a2, "203.0.113.2", location="桥东")
    services.turn_into_order(
        report=ordered,
        by=d.office_a,
        deadline=timezone.localdate() + timedelta(days=7),
        target_village=d.village_a2,
    )
    closed = submit(d.river_a1, "203.0.113.3")
    services.close_report(report=closed, by=d.office_a, reason="已清理")
    api_client.force_authenticate(d.office_a)
    rows = api_client.get("/api/v1/public-reports/").json()["results"]
    assert len(rows) == 3
    reports = selectors.reports_for(user=d.office_a).order_by("-created_at", "-id")
    assert rows == drf_json(ReportSerializer, reports)
    assert {row["directive_number"] is None for row in rows} == {True, False}


def test_the_other_towns_office_lists_none_of_town_as_reports(api_client, two_towns):
    d = two_towns
    submit(d.river_a1, "203.0.113.1")
    mine = submit(d.river_b1, "203.0.113.2")
    api_client.force_authenticate(d.office_b)
    rows = api_client.get("/api/v1/public-reports/").json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
