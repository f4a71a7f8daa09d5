"""Lab imports read every row of a file and stop a hostile one at the caps (core.spreadsheets)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring.models import ImportJob, Sample
from monitoring.services import start_import
from tests.monitoring.labfiles import HEADER, csv_upload, lab_rows
from tests.xlsx_files import bomb_xlsx, handmade_xlsx

pytestmark = pytest.mark.django_db


def _import(path, user, capture):
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    with capture(execute=True):
        job = start_import(upload=upload, by=user)
    job.refresh_from_db()
    return job


def test_an_xlsx_whose_dimension_says_two_rows_imports_all_five(
    point, office, tmp_path, django_capture_on_commit_callbacks
):
    rows = [[float(v) if _is_number(v) else v for v in row] for row in lab_rows(n=5)]
    path = handmade_xlsx(tmp_path / "化验单.xlsx", [HEADER, *rows], dimension="A1:Q2")

    job = _import(path, office, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.READY, job.errors
    assert job.total_rows == 5  # the file's real row count, not the stored dimension's
    assert job.preview["new"] == 5
    assert job.preview["first"] == "2018-06-01"
    assert job.preview["last"] == "2018-06-05"


def test_a_million_row_bomb_is_stopped_at_the_row_cap_with_a_message_and_saves_nothing(
    point, office, tmp_path, django_capture_on_commit_callbacks
):
    path = bomb_xlsx(
        tmp_path / "化验单.xlsx", rows=1_000_000, header=["点位编码", "采样时间", "氨氮(mg/L)"]
    )
    assert path.stat().st_size < 512 * 1024

    job = _import(path, office, django_capture_on_commit_callbacks)  # default caps

    assert job.status == ImportJob.Status.INVALID
    assert job.processed_rows == 0  # refused on its row count, before a row was parsed
    (error,) = job.errors
    assert "100000" in error["message"]
    assert "上限" in error["message"]
    assert Sample.objects.count() == 0


def test_a_csv_past_the_row_cap_stops_while_streaming_with_a_message(
    point, office, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_ROWS = 40
    upload = csv_upload(lab_rows(n=28) + lab_rows(n=28, month=7))
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(upload=upload, by=office)
    job.refresh_from_db()

    assert job.status == ImportJob.Status.INVALID
    assert job.processed_rows <= 40
    (error,) = job.errors
    assert "40" in error["message"]
    assert "第 42 行" in error["message"]
    assert Sample.objects.count() == 0


def test_a_bomb_past_the_unpacked_cap_is_refused_before_reading(
    point, office, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_UNPACKED_MB = 20
    path = bomb_xlsx(tmp_path / "化验单.xlsx", rows=1_000_000)

    job = _import(path, office, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.INVALID
    assert job.processed_rows == 0
    assert any("解压后" in e["message"] for e in job.errors), job.errors


def _is_number(text) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True
