"""Idempotent retries answer as if alone: the same record sent by 10 clients at the same
moment gets one 201 and nine 200 with the same object, never a 500 or a 400, on SQLite
(IMMEDIATE transactions, busy timeout) and on PostgreSQL (the unique index decides)."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring.models import Sample
from patrols.models import Finding, Patrol
from tests.monitoring.factories import MonitoringPointFactory
from tests.patrols.factories import PatrolFactory, chief_on_river

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 10


def race(url: str, body: dict, *, user=None, token: str | None = None) -> list:
    """POST ``body`` to ``url`` from CLIENTS threads released together; the responses."""
    barrier = threading.Barrier(CLIENTS)
    responses = [None] * CLIENTS

    def one(i: int) -> None:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
        try:
            barrier.wait()
            responses[i] = client.post(url, body, format="json", **headers)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return responses


def codes(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


def test_the_same_patrol_start_from_ten_clients_at_once_is_one_patrol(village):
    chief, river = chief_on_river(village)
    client_id = str(uuid.uuid4())
    started = (timezone.now() - timedelta(minutes=5)).isoformat()
    responses = race(
        "/api/v1/patrols/",
        {"client_id": client_id, "river": river.pk, "started_at": started},
        user=chief.user,
    )
    assert codes(responses) == [200] * (CLIENTS - 1) + [201], [r.content[:200] for r in responses]
    assert {r.json()["id"] for r in responses} == {Patrol.objects.get(client_id=client_id).pk}
    assert Patrol.objects.count() == 1


def test_the_same_finding_from_ten_clients_at_once_is_one_finding(village):
    chief, river = chief_on_river(village)
    patrol = PatrolFactory(chief=chief, river=river)
    client_id = str(uuid.uuid4())
    body = {"client_id": client_id, "patrol": patrol.pk, "category": "garbage", "note": "漂浮物"}
    responses = race("/api/v1/findings/", body, user=chief.user)
    assert codes(responses) == [200] * (CLIENTS - 1) + [201], [r.content[:200] for r in responses]
    assert {r.json()["id"] for r in responses} == {Finding.objects.get().pk}
    assert Finding.objects.filter(client_id=client_id).count() == 1


def test_the_same_bulk_samples_from_ten_clients_at_once_are_saved_once(
    village, district_write_token
):
    MonitoringPointFactory(code="ZJ-01")
    samples = [
        {
            "client_key": f"R-{i}",
            "point": "ZJ-01",
            "sampled_at": f"2018-07-{1 + i:02d}T09:00:00+08:00",
            "lab": "金山区环境监测站",
            "values": {"do": 4.1, "nh3n": 1.7, "tp": 0.21},
        }
        for i in range(20)
    ]
    responses = race(
        "/api/v1/monitoring/samples/bulk/",
        {"samples": samples},
        token=district_write_token[1],
    )
    assert codes(responses) == [200] * (CLIENTS - 1) + [201], [
        r.content.decode()[:400] for r in responses if r.status_code >= 400
    ]
    created = [r.json() for r in responses if r.status_code == 201]
    assert created[0]["created"] == 20
    for r in responses:
        if r.status_code == 200:
            assert (r.json()["created"], r.json()["existing"]) == (0, 20)
    assert Sample.objects.count() == 20
