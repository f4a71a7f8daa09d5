"""Lab imports tell the truth: the job's page says what the database holds, a job whose rows
were committed is finished, and the intermediate file never outlives its use."""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from monitoring import import_jobs
from monitoring.models import ImportJob, Sample
from monitoring.services import confirm_import, start_import
from tests.monitoring.labfiles import csv_upload, lab_rows

pytestmark = pytest.mark.django_db
J = ImportJob.Status
STALE = timedelta(minutes=11)


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def checked(office, capture, n=3) -> ImportJob:
    with capture(execute=True):
        job = start_import(upload=csv_upload(lab_rows(n=n)), by=office)
    job.refresh_from_db()
    assert job.status == J.READY, job.errors
    return job


def parsed(job) -> Path:
    from monitoring import parsed_rows

    return parsed_rows.path_for(job)


def test_the_samples_and_the_finished_state_commit_together(
    point, office, django_capture_on_commit_callbacks, monkeypatch
):
    job = checked(office, django_capture_on_commit_callbacks)

    def killed(self, *args, **kwargs):
        raise SystemExit("SIGKILL")  # the worker dies right after the commit

    monkeypatch.setattr(ImportJob, "save", killed)
    with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
        confirm_import(job=job, by=office)
    monkeypatch.undo()
    job.refresh_from_db()
    assert (job.status, job.created_count) == (J.DONE, 3)
    assert Sample.objects.filter(import_job=job).count() == 3


def test_a_job_left_running_after_its_rows_were_committed_is_finished_by_the_sweeper(
    point, office, django_capture_on_commit_callbacks
):
    job = checked(office, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import(job=job, by=office)
    # As an older run left it: rows saved, the job still "importing", or "failed".
    ImportJob.objects.filter(pk=job.pk).update(
        status=J.IMPORTING, created_count=0, updated_at=timezone.now() - STALE
    )
    assert import_jobs.sweep_imports()["reconciled"] == 1
    job.refresh_from_db()
    assert (job.status, job.created_count) == (J.DONE, 3)


def test_the_page_of_a_failed_job_whose_rows_are_in_the_database_says_they_are(
    point, office, office_client, django_capture_on_commit_callbacks
):
    job = checked(office, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import(job=job, by=office)
    ImportJob.objects.filter(pk=job.pk).update(
        status=J.FAILED,
        errors=[{"row": "-", "field": "-", "message": "导入时出错，未保存任何数据"}],
        error_count=1,
    )
    body = office_client.get(f"/monitoring/imports/{job.pk}/").content.decode()
    assert "已导入 3 份水样" in body
    assert "未保存任何数据" not in body


def test_an_import_that_died_half_way_says_nothing_was_saved(point, office, office_client):
    job = ImportJob.objects.create(
        file=csv_upload(lab_rows(n=3)),
        original_name="a.csv",
        created_by=office,
        status=J.IMPORTING,
        updated_at=timezone.now() - STALE,
    )
    body = office_client.get(f"/monitoring/imports/{job.pk}/").content.decode()
    assert "处理被中断，数据库中没有这次导入的任何水样" in body
    assert ImportJob.objects.get(pk=job.pk).status == J.FAILED
    assert not Sample.objects.exists()


def test_a_check_whose_message_was_lost_is_woken_up_again(point, office):
    job = ImportJob.objects.create(
        file=csv_upload(lab_rows(n=2)),
        original_name="a.csv",
        created_by=office,
        updated_at=timezone.now() - STALE,
    )  # QUEUED, never picked up
    import_jobs.sweep_imports()  # eager here: the check runs
    job.refresh_from_db()
    assert job.status == J.READY


def test_intermediate_files_do_not_outlive_their_use(
    point, office, django_capture_on_commit_callbacks
):
    fresh = checked(office, django_capture_on_commit_callbacks)
    forgotten = checked(office, django_capture_on_commit_callbacks, n=2)
    ImportJob.objects.filter(pk=forgotten.pk).update(updated_at=timezone.now() - timedelta(days=2))
    ended = checked(office, django_capture_on_commit_callbacks, n=1)
    ImportJob.objects.filter(pk=ended.pk).update(status=J.FAILED)
    half_written = parsed(fresh).with_name("job-0.rows.jsonl.part")
    half_written.write_bytes(b"\x80")
    old = time.time() - 7200
    os.utime(half_written, (old, old))
    assert all(parsed(j).exists() for j in (fresh, forgotten, ended))

    assert import_jobs.sweep_imports()["files_removed"] == 3
    assert parsed(fresh).exists()  # still waiting for its confirmation
    assert not parsed(forgotten).exists()
    assert not parsed(ended).exists()
    assert not half_written.exists()
    # The forgotten preview can still be imported: the file is read again.
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import(job=forgotten, by=office)
    forgotten.refresh_from_db()
    assert (forgotten.status, forgotten.created_count) == (J.DONE, 2)
