"""Each sample's stored assessment (``Sample.stamp``) is the one computed from its values, on
every write path and after the rules change; the list reads it, as tuples, scoped to the
caller, in a constant number of queries."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.rows import rows as core_rows
from monitoring import selectors, stamps
from monitoring.models import (
    STAMP_FIELDS,
    Sample,
    assessment_basis,
    river_rules,
    stamp_of,
)
from monitoring.serializers import SampleSerializer, sample_row_json, sample_rows_json
from tests.factories import RiverFactory, SluiceGateFactory
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at
from tests.monitoring.test_both_doors import ROWS, api_body, auth, import_file, lab_file

pytestmark = pytest.mark.django_db

SAMPLES = "/api/v1/monitoring/samples/"


def live(sample: Sample) -> dict:
    water_type, target = river_rules(sample.point.river)
    return stamp_of(
        sample.values(),
        water_depth_cm=sample.water_depth_cm,
        water_type=water_type,
        target_class=target,
    )


def assert_stamps_hold(samples) -> None:
    samples = list(samples.select_related("point__river"))
    assert samples
    for sample in samples:
        stored = {name: getattr(sample, name) for name in STAMP_FIELDS}
        assert stored == live(sample), sample.client_key
        water_type, target = river_rules(sample.point.river)
        computed = sample.assessment(water_type=water_type, target_class=target)
        assert sample.water_class == computed.water_class
        shown = SampleSerializer(sample).data["assessment"]
        assert shown["assessed"] == computed.assessed_codes
        assert [i["parameter"] for i in shown["deciding"]] == [i.code for i in computed.deciding]


def post(api_client, token, code):
    response = api_client.post(
        "/api/v1/monitoring/samples/bulk/",
        api_body(code, with_temp=True),
        format="json",
        **auth(token),
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("xlsx", [False, True])
def test_a_lab_import_stores_the_class_it_computes(
    river, office, django_capture_on_commit_callbacks, xlsx
):
    MonitoringPointFactory(river=river, code="LAB-1")
    import_file(
        lab_file("LAB-1", with_temp=True, xlsx=xlsx), office, django_capture_on_commit_callbacks
    )
    samples = Sample.objects.filter(point__code="LAB-1").order_by("sampled_at")
    assert [s.water_class for s in samples] == [cls for _values, cls in ROWS]
    assert_stamps_hold(samples)


def test_the_bulk_api_stores_the_class_it_computes(api_client, river, district_write_token):
    MonitoringPointFactory(river=river, code="API-1")
    post(api_client, district_write_token, "API-1")
    samples = Sample.objects.filter(point__code="API-1").order_by("sampled_at")
    assert [s.water_class for s in samples] == [cls for _values, cls in ROWS]
    assert_stamps_hold(samples)
    assert samples[1].assessment_detail["f"] == ["do_supersaturated"]


def test_the_demo_samples_are_stamped(db):
    from monitoring import demo
    from rivers import demo as rivers_demo

    rivers_demo.build()
    demo.build()
    assert_stamps_hold(Sample.objects.all())


def test_a_rivers_new_target_stamps_its_samples_again(
    api_client, river, district_write_token, django_capture_on_commit_callbacks
):
    MonitoringPointFactory(river=river, code="API-1")
    post(api_client, district_write_token, "API-1")
    assert {s.assessed_as for s in Sample.objects.all()} == {assessment_basis("river", 4)}
    with django_capture_on_commit_callbacks(execute=True):
        river.target_class = 2
        river.save()
    samples = Sample.objects.all()
    assert {s.assessed_as for s in samples} == {assessment_basis("river", 2)}
    assert_stamps_hold(samples)


def test_a_point_moved_to_a_lake_stamps_its_samples_again(
    api_client, river, district_write_token, django_capture_on_commit_callbacks
):
    point = MonitoringPointFactory(river=river, code="API-1")
    post(api_client, district_write_token, "API-1")
    lake = RiverFactory(region=river.region, water_type="lake", target_class=3)
    with django_capture_on_commit_callbacks(execute=True):
        point.river = lake
        point.save()
    samples = Sample.objects.all()
    assert {s.assessed_as for s in samples} == {assessment_basis("lake", 3)}
    assert_stamps_hold(samples)


def test_a_stamp_of_other_rules_is_never_read(
    api_client, river, district_write_token, district_token
):
    MonitoringPointFactory(river=river, code="API-1")
    post(api_client, district_write_token, "API-1")
    # The river's target changes without its signals (a bulk update): the stamps are stale.
    type(river).objects.filter(pk=river.pk).update(target_class=1)
    rows = api_client.get(SAMPLES, **auth(district_token)).json()["results"]
    assert {r["assessment"]["target_class"] for r in rows} == {1}
    assert [r["assessment"]["meets_target"] for r in rows].count(True) == 1  # the Class I row
    assert all(r["assessment"]["exceedances"] for r in rows if r["assessment"]["water_class"] > 1)


def test_a_changed_value_drops_the_stamp_until_the_save_commits(
    api_client, river, district_write_token, district_token, django_capture_on_commit_callbacks
):
    MonitoringPointFactory(river=river, code="API-1")
    post(api_client, district_write_token, "API-1")
    sample = Sample.objects.get(client_key="API-1-4")  # Class I
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sample.nh3n = 2.6
        sample.save()
    sample.refresh_from_db()
    assert sample.assessed_as == ""
    assert sample.water_class is None
    row = next(
        r
        for r in api_client.get(SAMPLES, **auth(district_token)).json()["results"]
        if r["client_key"] == "API-1-4"
    )
    assert row["assessment"]["water_class"] == 6  # computed live meanwhile
    for callback in callbacks:
        callback()
    assert Sample.objects.get(client_key="API-1-4").water_class == 6
    assert_stamps_hold(Sample.objects.all())
    assert stamps.restamp() == 0


def test_another_do_rule_is_computed_live_until_the_command_stamps_again(
    api_client, river, district_write_token, district_token, settings
):
    MonitoringPointFactory(river=river, code="API-1")
    post(api_client, district_write_token, "API-1")
    settings.MONITORING_DO_CLASS_I_RULE = "saturation"
    rows = api_client.get(SAMPLES, **auth(district_token)).json()["results"]
    first = next(r for r in rows if r["client_key"] == "API-1-0")
    assert first["assessment"]["water_class"] == 1  # 91 % saturation at 30 °C
    assert Sample.objects.get(client_key="API-1-0").water_class == 2  # stamped under "fixed"
    call_command("restamp_samples")
    assert Sample.objects.get(client_key="API-1-0").water_class == 1
    assert_stamps_hold(Sample.objects.all())
    assert stamps.restamp() == 0  # all stamped under the rules in force: nothing to do


def test_a_list_row_read_as_a_tuple_equals_the_serializers(
    api_client, river, village, district_write_token
):
    MonitoringPointFactory(river=river, code="API-1")
    post(api_client, district_write_token, "API-1")  # stamped
    lake = RiverFactory(region=village, water_type="lake", target_class=3)
    SampleFactory(point__river=lake, sampled_at=at(2018, 6, 1), tp=0.04, tn=1.2, do=21.4)
    gate = SluiceGateFactory(region=village)
    at_gate = MonitoringPointFactory(river=None, sluice_gate=gate, region=village)
    SampleFactory(point=at_gate, sampled_at=at(2018, 6, 2), nh3n=2.5, transparency=20)
    SampleFactory(point__river=river, sampled_at=at(2018, 6, 3))  # nothing measured
    samples = selectors.samples_for(user=None).model.objects.order_by("-sampled_at", "id")
    objects = list(samples.select_related("point__river"))
    rows = list(core_rows(samples, SampleSerializer))
    assert len(rows) == len(objects) == len(ROWS) + 3
    assert [sample_row_json(r) for r in rows] == SampleSerializer(objects, many=True).data
    # A page of rows at once (what they share looked up once), a stale stamp among them (read
    # live), in the local time zone and in UTC ("Z").
    samples.filter(pk=objects[1].pk).update(assessed_as="0/old rules")
    objects = list(samples.select_related("point__river"))
    rows = list(core_rows(samples, SampleSerializer))
    for zone in ("Asia/Shanghai", "UTC"):
        with timezone.override(zone):
            expected = SampleSerializer(objects, many=True).data
            assert SampleSerializer(rows, many=True).data == expected
            assert sample_rows_json(rows) == [sample_row_json(r) for r in rows] == expected
    assert expected[1]["sampled_at"].endswith("Z")

    class FieldByField(SampleSerializer):
        """DRF's generic machinery over the same declared fields."""

    assert SampleSerializer(objects, many=True).data == FieldByField(objects, many=True).data


def test_the_list_reads_the_same_number_of_queries_for_2_or_40_samples(
    api_client, point, district_token
):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = api_client.get(SAMPLES, **auth(district_token))
        assert response.status_code == 200
        return len(captured)

    for i in range(2):
        SampleFactory(point=point, sampled_at=at(2018, 1, 1 + i))
    count()  # the token's first use is recorded once
    few = count()
    assert few <= 3
    for i in range(38):
        SampleFactory(point=point, sampled_at=at(2018, 3, 1, i % 24, i))
    assert count() == few


def test_the_other_town_sees_none_of_town_as_samples(api_client, two_towns):
    d = two_towns
    in_a = MonitoringPointFactory(river=d.river_a1, code="A-1")
    crossing = MonitoringPointFactory(river=d.border_river, region=d.village_b1, code="B-X")
    in_b = MonitoringPointFactory(river=d.river_b1, code="B-1")
    for point in (in_a, crossing, in_b):
        SampleFactory(point=point, sampled_at=at(2018, 5, 1))

    def seen(user) -> set[str]:
        api_client.force_authenticate(user)
        response = api_client.get(SAMPLES)
        assert response.status_code == 200
        return {r["point"] for r in response.json()["results"]}

    assert seen(d.office_b) == {"B-X", "B-1"}
    # the border river crosses village A1: town A sees its points there, not B's own river
    assert seen(d.office_a) == {"A-1", "B-X"}
    assert seen(d.chief_a2) == set()


def test_a_list_row_names_items_and_classes_in_the_requests_language(
    api_client, river, district_write_token, district_token
):
    from monitoring import standards

    MonitoringPointFactory(river=river, code="API-1")
    post(api_client, district_write_token, "API-1")
    by_language = {}
    for language in ("zh-hans", "en"):
        response = api_client.get(SAMPLES, HTTP_ACCEPT_LANGUAGE=language, **auth(district_token))
        row = next(r for r in response.json()["results"] if r["client_key"] == "API-1-5")
        by_language[language] = row["assessment"]
    zh, en = by_language["zh-hans"], by_language["en"]
    assert zh["label"] == "劣Ⅴ类"
    assert en["label"] != zh["label"]
    assert zh["deciding"][0]["name"] == standards.PARAMETERS["nh3n"].name
    assert en["deciding"][0]["name"] != zh["deciding"][0]["name"]
