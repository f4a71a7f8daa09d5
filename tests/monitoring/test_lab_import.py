"""Lab spreadsheets: headers and units as labs write them, preview, then all or nothing."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from monitoring import labfile
from monitoring.models import ImportJob, Sample
from monitoring.services import confirm_import, run_import, start_import
from tests.monitoring.labfiles import HEADER, csv_upload, lab_rows, xlsx_upload

pytestmark = pytest.mark.django_db


def test_headers_with_chinese_names_and_units_are_recognised():
    cols = labfile.read_header(
        [
            "点位编码",
            "采样时间",
            "氨氮（mg/L）",
            "总磷(μg/L)",
            "透明度(m)",
            "ORP(mV)",
            "pH",
            "水深(cm)",
        ]
    )
    by_field = {c.field: c for c in cols}
    assert by_field["nh3n"].factor == 1.0
    assert by_field["tp"].factor == 0.001
    assert by_field["transparency"].factor == 100.0
    assert by_field["orp"].header == "ORP(mV)"
    assert by_field["ph"].factor == 1.0
    assert by_field["water_depth_cm"].factor == 1.0


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("氨氮(g/m2)", "列“氨氮(g/m2)”的单位“g/m2”无法识别"),
        ("溶解氧", "列“溶解氧”没有写单位"),
        ("叶绿素a(mg/L)", "无法识别的列“叶绿素a(mg/L)”"),
    ],
)
def test_an_unknown_unit_or_column_is_an_error_naming_the_column(header, words):
    with pytest.raises(labfile.FileError) as exc:
        labfile.read_header(["点位编码", "采样时间", "总磷(mg/L)", header])
    assert any(words in m for m in exc.value.messages)


def test_values_below_the_detection_limit_take_half_the_limit():
    assert labfile.parse_number("<0.02") == (0.01, None)
    assert labfile.parse_number("") == (None, None)
    assert labfile.parse_number("ND")[1] is not None
    assert labfile.parse_number("abc")[1] is not None


def test_lab_time_formats_are_read():
    assert labfile.parse_time("2018/6/3 9:30")[0] == datetime(2018, 6, 3, 9, 30)
    assert labfile.parse_time("2018年6月3日")[0] == datetime(2018, 6, 3)
    assert labfile.parse_time("03-06-2018")[1] is not None


def _import(upload, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(upload=upload, by=user)
    job.refresh_from_db()
    return job


def test_a_csv_is_checked_previewed_then_imported(
    point, office, django_capture_on_commit_callbacks
):
    job = _import(csv_upload(lab_rows(n=3)), office, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.preview["new"] == 3
    assert job.preview["points"] == [["ZJ-01", "朱泾塘桥", 3]]
    assert job.preview["rows"][0]["class"] == "Ⅲ类"
    assert Sample.objects.count() == 0  # nothing before the user confirms

    with django_capture_on_commit_callbacks(execute=True):
        confirm_import(job=job, by=office)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.created_count == 3
    sample = Sample.objects.order_by("sampled_at").first()
    assert (sample.nh3n, sample.transparency, sample.temp, sample.tn) == (0.82, 38, 24.5, 2.1)
    assert sample.source == "import"
    assert sample.import_job == job
    # a redelivered task finds the job claimed and does nothing
    assert run_import(job_id=job.pk) == "skipped: not confirmed"
    assert Sample.objects.count() == 3


def test_an_xlsx_with_excel_date_cells_is_imported(
    point, office, django_capture_on_commit_callbacks
):
    rows = lab_rows(n=2)
    rows[0][2] = datetime(2018, 6, 1, 9, 30)  # a real Excel date cell
    job = _import(xlsx_upload(rows), office, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.preview["new"] == 2


def test_a_gbk_csv_is_read(point, office, django_capture_on_commit_callbacks):
    job = _import(
        csv_upload(lab_rows(n=1), encoding="gb18030"), office, django_capture_on_commit_callbacks
    )
    assert job.status == ImportJob.Status.READY, job.errors


def test_one_bad_row_rejects_the_whole_file_with_row_and_column_messages(
    point, office, django_capture_on_commit_callbacks
):
    rows = lab_rows(n=4)
    rows[1][9] = "-0.3"  # negative NH3-N
    rows[2][1] = "ZJ-99"  # unknown point
    rows[3][6] = "15"  # pH
    job = _import(csv_upload(rows), office, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    found = {(e["row"], e["field"]) for e in job.errors}
    assert found == {(3, "氨氮(mg/L)"), (4, "点位编码"), (5, "pH(无量纲)")}
    with pytest.raises(ValidationError):
        confirm_import(job=job, by=office)
    assert Sample.objects.count() == 0


def test_a_file_with_an_unknown_unit_is_refused_before_any_row_is_read(
    point, office, django_capture_on_commit_callbacks
):
    header = [*HEADER[:9], "氨氮(ppm)", *HEADER[10:]]
    job = _import(csv_upload(lab_rows(), header=header), office, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    assert "氨氮(ppm)" in job.errors[0]["message"]


def test_importing_the_same_file_twice_reports_duplicates(
    point, office, django_capture_on_commit_callbacks
):
    job = _import(csv_upload(lab_rows(n=2)), office, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import(job=job, by=office)
    again = _import(csv_upload(lab_rows(n=2)), office, django_capture_on_commit_callbacks)
    assert again.status == ImportJob.Status.INVALID
    assert "已有水样" in again.errors[0]["message"]
    assert Sample.objects.count() == 2


def test_samples_recorded_between_preview_and_confirm_stop_the_import(
    point, office, django_capture_on_commit_callbacks
):
    first = _import(csv_upload(lab_rows(n=3)), office, django_capture_on_commit_callbacks)
    second = _import(csv_upload(lab_rows(n=1)), office, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import(job=second, by=office)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import(job=first, by=office)
    first.refresh_from_db()
    assert first.status == ImportJob.Status.INVALID
    assert Sample.objects.count() == 1


def test_only_csv_and_xlsx_are_accepted(office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        start_import(upload=SimpleUploadedFile("a.xls", b"x"), by=office)


@pytest.mark.parametrize("keep_parsed_rows", [True, False])
def test_the_import_reuses_the_checked_rows_or_reads_the_file_again(
    point, office, django_capture_on_commit_callbacks, keep_parsed_rows
):
    from django.conf import settings

    from monitoring import parsed_rows

    job = _import(csv_upload(lab_rows(n=3)), office, django_capture_on_commit_callbacks)
    parsed = parsed_rows.path_for(job)
    assert parsed.exists()
    # JSON lines in the private folder, never a pickle and nothing next to the upload.
    assert parsed.parent == Path(settings.IMPORT_WORK_DIR)
    assert not Path(settings.IMPORT_WORK_DIR).is_relative_to(Path(settings.MEDIA_ROOT))
    assert json.loads(parsed.read_text(encoding="utf-8").splitlines()[0])
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pickle*"))
    if not keep_parsed_rows:
        parsed.unlink()
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import(job=job, by=office)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Sample.objects.count() == 3
    assert not parsed.exists()
