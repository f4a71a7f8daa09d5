"""The lab import and the bulk API: the same rows give the same class, with and without
temperature, and the same notations and conflicts are handled by the same rules."""

import pytest

from monitoring import standards
from monitoring.models import ImportJob, Sample
from monitoring.services import confirm_import, start_import
from tests.monitoring.factories import MonitoringPointFactory
from tests.monitoring.labfiles import csv_upload, xlsx_upload

pytestmark = pytest.mark.django_db

BULK = "/api/v1/monitoring/samples/bulk/"
COLUMNS = ["temp", "ph", "do", "codmn", "nh3n", "tp"]
HEADERS = {
    "temp": "水温(℃)",
    "ph": "pH(无量纲)",
    "do": "溶解氧(mg/L)",
    "codmn": "高锰酸盐指数(mg/L)",
    "nh3n": "氨氮(mg/L)",
    "tp": "总磷(mg/L)",
}
# Rows as a lab writes them (and as a district system may send them), with the class each
# must get under national practice (DO Class I on 7.5 mg/L).
ROWS = [
    # 91 % saturation at 30 °C: Class II on 7.5 mg/L, Class I by the saturation alternative
    ({"temp": "30", "ph": "7.6", "do": "6.9", "codmn": "1.8", "nh3n": "0.12", "tp": "0.015"}, 2),
    # an algal bloom: DO past twice saturation at 28 °C, accepted (and flagged)
    ({"temp": "28", "ph": "8.9", "do": "21.4", "codmn": "3.1", "nh3n": "0.4", "tp": "0.05"}, 2),
    # below detection limits: half the limit
    ({"temp": "18", "ph": "7.1", "do": "5.5", "codmn": "4.5", "nh3n": "<0.05", "tp": "<0.01"}, 3),
    # exactly at the Class II limits
    ({"temp": "22", "ph": "7.0", "do": "6", "codmn": "4", "nh3n": "0.5", "tp": "0.1"}, 2),
    # exactly at the Class I limits
    ({"temp": "12", "ph": "6.5", "do": "7.5", "codmn": "2", "nh3n": "0.15", "tp": "0.02"}, 1),
    # worse than V by NH3-N, DO in cold water
    ({"temp": "4", "ph": "7.3", "do": "11.8", "codmn": "6.2", "nh3n": "2.46", "tp": "0.31"}, 6),
]


def auth(token):
    return {"HTTP_AUTHORIZATION": f"Token {token[1]}"}


def lab_file(code, *, with_temp, xlsx=False):
    columns = COLUMNS if with_temp else COLUMNS[1:]
    header = ["点位编码", "采样时间", "样品编号", *[HEADERS[c] for c in columns]]
    rows = [
        [code, f"2018-07-{i + 1:02d} 09:30", f"{code}-{i}", *[values[c] for c in columns]]
        for i, (values, _cls) in enumerate(ROWS)
    ]
    return (xlsx_upload if xlsx else csv_upload)(rows, header=header)


def api_body(code, *, with_temp):
    columns = COLUMNS if with_temp else COLUMNS[1:]
    return {
        "samples": [
            {
                "client_key": f"{code}-{i}",
                "point": code,
                "sampled_at": f"2018-07-{i + 1:02d}T09:30:00+08:00",
                "values": {c: values[c] for c in columns},
            }
            for i, (values, _cls) in enumerate(ROWS)
        ]
    }


def import_file(upload, office, capture):
    with capture(execute=True):
        job = start_import(upload=upload, by=office)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY, job.errors
    preview_classes = [r["class"] for r in job.preview["rows"]]
    with capture(execute=True):
        confirm_import(job=job, by=office)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    return preview_classes


def classes(code):
    samples = Sample.objects.filter(point__code=code).order_by("sampled_at")
    return [s.assessment().water_class for s in samples]


def feed_both_doors(*, river, office, api_client, token, capture, with_temp, xlsx=False):
    suffix = ("T" if with_temp else "N") + ("X" if xlsx else "C")
    lab_code, api_code = f"LAB-{suffix}", f"API-{suffix}"
    MonitoringPointFactory(river=river, code=lab_code)
    MonitoringPointFactory(river=river, code=api_code)
    preview = import_file(lab_file(lab_code, with_temp=with_temp, xlsx=xlsx), office, capture)
    response = api_client.post(
        BULK, api_body(api_code, with_temp=with_temp), format="json", **auth(token)
    )
    assert response.status_code == 201, response.json()
    return preview, classes(lab_code), classes(api_code), response.json()


@pytest.mark.parametrize("with_temp", [True, False])
@pytest.mark.parametrize("xlsx", [False, True])
def test_both_doors_give_the_same_class_for_the_same_rows(
    river,
    office,
    api_client,
    district_write_token,
    django_capture_on_commit_callbacks,
    with_temp,
    xlsx,
):
    preview, lab, api, body = feed_both_doors(
        river=river,
        office=office,
        api_client=api_client,
        token=district_write_token,
        capture=django_capture_on_commit_callbacks,
        with_temp=with_temp,
        xlsx=xlsx,
    )
    expected = [cls for _values, cls in ROWS]
    assert lab == api == expected
    assert preview == [standards.class_label(c) for c in expected]
    # the same values were stored, "<0.05" as 0.025 on both doors
    lab_values = [s.values() for s in Sample.objects.filter(point__code__startswith="LAB")]
    api_values = [s.values() for s in Sample.objects.filter(point__code__startswith="API")]
    assert sorted(map(sorted, (v.items() for v in lab_values))) == sorted(
        map(sorted, (v.items() for v in api_values))
    )
    assert Sample.objects.filter(nh3n=0.025, tp=0.005).count() == 2
    if with_temp:
        assert body["flagged"] == [{"index": 1, "flags": ["do_supersaturated"]}]


def test_with_the_saturation_alternative_both_doors_still_agree(
    river, office, api_client, district_write_token, django_capture_on_commit_callbacks, settings
):
    settings.MONITORING_DO_CLASS_I_RULE = "saturation"
    for with_temp in (True, False):
        _preview, lab, api, _body = feed_both_doors(
            river=river,
            office=office,
            api_client=api_client,
            token=district_write_token,
            capture=django_capture_on_commit_callbacks,
            with_temp=with_temp,
        )
        assert lab == api
        # 6.9 mg/L at 30 °C is Class I only when the temperature is known
        assert lab[0] == (1 if with_temp else 2)


def test_not_detected_without_a_limit_is_refused_with_the_same_message_on_both_doors(
    point, office, api_client, district_write_token, django_capture_on_commit_callbacks
):
    header = ["点位编码", "采样时间", "氨氮(mg/L)"]
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(
            upload=csv_upload([["ZJ-01", "2018-07-01 09:30", "ND"]], header=header), by=office
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    body = {
        "samples": [
            {"point": "ZJ-01", "sampled_at": "2018-07-01T09:30:00+08:00", "values": {"nh3n": "ND"}}
        ]
    }
    response = api_client.post(BULK, body, format="json", **auth(district_write_token))
    assert response.status_code == 400
    assert response.json()["errors"] == {"samples[0].nh3n": [job.errors[0]["message"]]}


def test_the_bulk_endpoint_answers_every_error_in_the_one_shape(
    point, api_client, district_write_token
):
    body = {
        "samples": [
            {"point": "ZJ-01", "sampled_at": "yesterday", "values": {"nh3n": "abc"}},
            {"point": "ZJ-01", "sampled_at": "2018-07-01T09:30:00+08:00", "values": {"ph": 15}},
        ]
    }
    serializer_errors = api_client.post(BULK, body, format="json", **auth(district_write_token))
    body["samples"][0] = {**body["samples"][1], "point": "NOPE", "values": {"nh3n": "0.3"}}
    service_errors = api_client.post(BULK, body, format="json", **auth(district_write_token))

    for response in (serializer_errors, service_errors):
        assert response.status_code == 400
        data = response.json()
        assert set(data) == {"detail", "errors"}
        assert all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(m, str) for m in v)
            for k, v in data["errors"].items()
        ), data
    assert set(serializer_errors.json()["errors"]) == {
        "samples[0].sampled_at",
        "samples[0].nh3n",
    }
    assert set(service_errors.json()["errors"]) == {"samples[0].point", "samples[1].ph"}
    assert Sample.objects.count() == 0


def test_a_changed_value_under_an_existing_client_key_is_a_409_naming_the_fields(
    point, api_client, district_write_token
):
    sample = {
        "client_key": "JS-2018-0701",
        "point": "ZJ-01",
        "sampled_at": "2018-07-01T09:30:00+08:00",
        "values": {"nh3n": "<0.05", "do": 6.1, "tp": 0.12},
    }
    first = api_client.post(
        BULK, {"samples": [sample]}, format="json", **auth(district_write_token)
    )
    assert first.status_code == 201
    same = api_client.post(BULK, {"samples": [sample]}, format="json", **auth(district_write_token))
    assert same.status_code == 200
    assert same.json()["existing"] == 1

    changed = {**sample, "values": {**sample["values"], "tp": 0.21, "do": 6.1}}
    other = {**sample, "client_key": "JS-2018-0702", "sampled_at": "2018-07-02T09:30:00+08:00"}
    response = api_client.post(
        BULK, {"samples": [other, changed]}, format="json", **auth(district_write_token)
    )
    assert response.status_code == 409
    data = response.json()
    assert set(data) == {"detail", "errors"}
    (message,) = data["errors"]["samples[1].client_key"]
    assert "总磷" in message
    assert "溶解氧" not in message
    assert Sample.objects.count() == 1  # nothing of the request was saved
    assert Sample.objects.get().tp == 0.12


def test_a_re_import_preview_says_there_is_nothing_new_instead_of_none_dates(
    point, office, client, django_capture_on_commit_callbacks
):
    upload = lab_file("ZJ-01", with_temp=True)
    import_file(upload, office, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(upload=lab_file("ZJ-01", with_temp=True), by=office)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.preview["new"] == 0
    assert job.preview["existing"] == len(ROWS)
    assert job.preview["rows_in_file"] == len(ROWS)
    client.force_login(office)
    page = client.get(f"/monitoring/imports/{job.pk}/").content.decode()
    assert "None" not in page
    assert "没有新的水样可导入" in page
    assert 'id="confirm-import"' not in page


def test_a_re_import_with_a_changed_value_names_the_column_that_differs(
    point, office, django_capture_on_commit_callbacks
):
    import_file(lab_file("ZJ-01", with_temp=True), office, django_capture_on_commit_callbacks)
    header = ["点位编码", "采样时间", "样品编号", "氨氮(mg/L)"]
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(
            upload=csv_upload([["ZJ-01", "2018-07-01 09:30", "ZJ-01-0", "0.13"]], header=header),
            by=office,
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    (error,) = job.errors
    assert error["field"] == "样品编号"
    assert "氨氮(mg/L)" in error["message"]
