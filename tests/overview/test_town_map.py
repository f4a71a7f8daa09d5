"""The town map's data: every layer with the page a click opens, scoped to the town, filtered
by village, in a constant number of queries."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from directives import services as directives
from overview.demo import build as build_boundaries
from patrols.models import TrackPoint
from smartwater import services as smartwater
from tests import factories
from tests.monitoring.factories import MonitoringPointFactory
from tests.patrols.factories import PatrolFactory

pytestmark = pytest.mark.django_db

NOW = timezone.datetime(2026, 11, 20, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))
LINE = {"type": "LineString", "coordinates": [[121.16, 30.89], [121.17, 30.9], [121.18, 30.91]]}


def _layers(response) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in response.json()["features"]:
        out.setdefault(f["properties"]["layer"], []).append(f["properties"])
    return out


def _site(by, river, code):
    return smartwater.register_site(
        by=by, code=code, name=f"{river.name}水位站", river=river, gate=None, status="proposed",
        latitude="30.9", longitude="121.17", parameters=["水位"], notes="",
    )  # fmt: skip


def _town_objects(d, village, river, n=1):
    river.geometry = LINE
    river.save()
    for i in range(n):
        _site(d.office_a, river, f"{river.code}-S{i}")
        factories.SluiceGateFactory(
            river=river, region=village, latitude="30.9", longitude="121.17"
        )
        MonitoringPointFactory(river=river)
        directives.issue_directive(
            issued_by=d.office_a, river=river, title=f"漂浮垃圾{i}", description="桥下",
            issued_on=date(2026, 11, 1), deadline=date(2026, 11, 10), source="phone_report",
            target_village=village,
        )  # fmt: skip
        patrol = PatrolFactory(
            chief=d.chief_a1.chief, river=river, started_at=NOW - timedelta(days=2 + i)
        )
        TrackPoint.objects.bulk_create(
            TrackPoint(
                patrol=patrol,
                latitude=30.9 + k / 1000,
                longitude=121.17,
                recorded_at=patrol.started_at + timedelta(minutes=k),
            )
            for k in range(5)
        )


@time_machine.travel(NOW, tick=False)
def test_the_map_has_every_layer_and_each_feature_opens_its_page(client, two_towns):
    d = two_towns
    _town_objects(d, d.village_a1, d.river_a1)
    d.river_a2.geometry = LINE
    d.river_a2.save()
    build_boundaries()
    client.force_login(d.office_a)
    layers = _layers(client.get(reverse("overview:map-data")))
    assert {r["name"] for r in layers["rivers"]} == {d.river_a1.name, d.river_a2.name}
    assert layers["rivers"][0]["url"].startswith("/rivers/")
    assert len(layers["gates"]) == 1
    assert layers["points"][0]["url"].startswith("/monitoring/points/")
    assert layers["orders"][0]["url"].startswith("/directives/")
    assert layers["orders"][0]["overdue"] is True
    assert layers["tracks"][0]["url"].startswith("/patrols/")
    assert {v["name"] for v in layers["villages"]} == {"待泾村", "秀州村"}
    assert layers["sites"][0]["url"].startswith("/smartwater/")


@time_machine.travel(NOW, tick=False)
def test_planned_sites_are_drawn_for_their_own_town_only(client, two_towns):
    d = two_towns
    _site(d.office_a, d.river_a1, "A-S1")
    _site(d.office_b, d.river_b1, "B-S1")
    client.force_login(d.office_a)
    assert [s["name"] for s in _layers(client.get(reverse("overview:map-data")))["sites"]] == [
        f"{d.river_a1.name}水位站"
    ]
    client.force_login(d.inspector)
    sites = _layers(client.get(reverse("overview:map-data"), {"town": d.town_b.code}))["sites"]
    assert [s["name"] for s in sites] == [f"{d.river_b1.name}水位站"]
    # The inspector may not edit a site: the click opens the register's list instead.
    assert sites[0]["url"].startswith("/smartwater/?status=")


@time_machine.travel(NOW, tick=False)
def test_the_village_filter_keeps_that_villages_objects_only(client, two_towns):
    d = two_towns
    _town_objects(d, d.village_a1, d.river_a1)
    d.river_a2.geometry = LINE
    d.river_a2.save()
    client.force_login(d.office_a)
    layers = _layers(client.get(reverse("overview:map-data"), {"village": d.village_a2.pk}))
    assert [r["name"] for r in layers["rivers"]] == [d.river_a2.name]
    assert "orders" not in layers
    assert "tracks" not in layers


@time_machine.travel(NOW, tick=False)
def test_a_patrol_older_than_thirty_days_is_not_drawn(client, two_towns):
    d = two_towns
    _town_objects(d, d.village_a1, d.river_a1)
    from patrols.models import Patrol

    Patrol.objects.update(started_at=NOW - timedelta(days=31))
    client.force_login(d.office_a)
    assert "tracks" not in _layers(client.get(reverse("overview:map-data")))


@time_machine.travel(NOW, tick=False)
def test_the_other_towns_office_cannot_open_town_as_map(client, two_towns):
    d = two_towns
    client.force_login(d.office_b)
    assert client.get(reverse("overview:map-data"), {"town": d.town_a.code}).status_code == 403
    assert client.get(reverse("overview:map"), {"town": d.town_a.code}).status_code == 403
    client.force_login(d.chief_a1)
    assert client.get(reverse("overview:map-data")).status_code == 403


def test_the_demo_boundaries_tile_each_towns_villages_once(two_towns):
    d = two_towns
    for river in (d.river_a1, d.river_a2, d.river_b1, d.river_b2):
        river.geometry = LINE
        river.save()
    assert build_boundaries() == "4 village boundaries"
    assert build_boundaries() == "0 village boundaries"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("size", [1, 8])
def test_the_map_data_runs_a_constant_number_of_queries(
    client, two_towns, size, django_assert_max_num_queries
):
    d = two_towns
    _town_objects(d, d.village_a1, d.river_a1, n=size)
    build_boundaries()
    client.force_login(d.office_a)
    # The first visit computes the month's river statuses and stores them
    with django_assert_max_num_queries(19):
        assert client.get(reverse("overview:map-data")).status_code == 200
    # then reads them: three queries fewer (the stored check and the classes, no computing).
    with django_assert_max_num_queries(16):
        assert client.get(reverse("overview:map-data")).status_code == 200


def test_the_layers_travel_gzipped_to_a_browser_that_accepts_it(client, two_towns):
    import gzip
    import json

    d = two_towns
    d.river_a1.geometry = LINE
    d.river_a1.save()
    client.force_login(d.office_a)
    response = client.get(reverse("overview:map-data"), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    layers = json.loads(gzip.decompress(response.content))
    assert [f["properties"]["code"] for f in layers["features"]] == [d.river_a1.code]
