"""Lab imports in chunks: the same queries per chunk whatever the file's size, one chunk in
memory, and still all or nothing when the problem (or the crash) comes after chunks went in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring import sample_writer, services
from monitoring.models import STAMP_FIELDS, ImportJob, Sample
from monitoring.services import confirm_import, start_import
from tests.monitoring.labfiles import HEADER, csv_upload, lab_rows

pytestmark = pytest.mark.django_db
J = ImportJob.Status
CHUNK = 5


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch):
    monkeypatch.setattr(services, "CHUNK", CHUNK)


def checked(office, capture, n) -> ImportJob:
    with capture(execute=True):
        job = start_import(upload=csv_upload(lab_rows(n=n)), by=office)
    job.refresh_from_db()
    assert job.status == J.READY, job.errors
    return job


def imported(job, office, capture) -> ImportJob:
    with capture(execute=True):
        confirm_import(job=job, by=office)
    job.refresh_from_db()
    return job


def history_rows() -> int:
    return Sample.history.count()


def test_it_checks_and_imports_with_the_same_queries_per_chunk_whatever_the_files_size(
    point, office, django_capture_on_commit_callbacks
):
    checks, imports = [], []
    for month, n in ((4, 2 * CHUNK), (5, 4 * CHUNK), (6, 6 * CHUNK)):
        rows = [[*row, f"K{month}-{i}"] for i, row in enumerate(lab_rows(n=n, month=month))]
        upload = csv_upload(rows, header=[*HEADER, "样品编号"])
        with (
            CaptureQueriesContext(connection) as check,
            django_capture_on_commit_callbacks(execute=True),
        ):
            job = start_import(upload=upload, by=office)
        job.refresh_from_db()
        assert job.status == J.READY, job.errors
        with CaptureQueriesContext(connection) as run:
            job = imported(job, office, django_capture_on_commit_callbacks)
        assert (job.status, job.created_count) == (J.DONE, n)
        checks.append(len(check))
        imports.append(len(run))
    # Two chunks more cost the same each time: the recorded times and keys and the progress
    # (check); the times and keys, then the insert of the samples and of their history
    # (SQLite: two INSERTs; PostgreSQL: the ids, then two COPYs).
    per_check = (checks[1] - checks[0]) / 2
    per_import = (imports[1] - imports[0]) / 2
    assert checks[2] - checks[1] == checks[1] - checks[0]
    assert imports[2] - imports[1] == imports[1] - imports[0]
    assert per_check == 3
    assert per_import == (5 if connection.vendor == "postgresql" else 4)
    assert Sample.objects.count() == 12 * CHUNK
    # every sample with its history row: added by the office, as an import
    assert history_rows() == 12 * CHUNK
    assert set(
        Sample.history.values_list("history_type", "history_user_id", "history_change_reason")
    ) == {("+", office.id, "import")}


def test_the_rows_copied_are_the_rows_read(point, office, django_capture_on_commit_callbacks):
    job = imported(
        checked(office, django_capture_on_commit_callbacks, n=CHUNK + 2),
        office,
        django_capture_on_commit_callbacks,
    )
    assert job.status == J.DONE
    sample = Sample.objects.order_by("sampled_at").last()
    assert (sample.nh3n, sample.transparency, sample.temp, sample.tn, sample.ph) == (
        0.82,
        38,
        24.5,
        2.1,
        7.3,
    )
    assert (sample.point, sample.sampler, sample.lab, sample.source) == (
        point,
        "王芳",
        "朱泾镇水质检测室",
        "import",
    )
    assert (sample.import_job, sample.created_by, sample.client_key) == (job, office, None)
    assert sample.cod is None
    historical = Sample.history.get(id=sample.id)
    assert (historical.nh3n, historical.point_id, historical.sampled_at) == (
        0.82,
        point.id,
        sample.sampled_at,
    )


def test_a_problem_in_the_last_chunk_leaves_nothing_of_the_chunks_before(
    point, office, django_capture_on_commit_callbacks
):
    job = checked(office, django_capture_on_commit_callbacks, n=3 * CHUNK)
    # Recorded after the preview, clashing with the file's last row (line 16).
    last = lab_rows(n=3 * CHUNK)[-1]
    services.record_samples(
        rows=[services.SampleRow(row=0, point="ZJ-01", sampled_at=_at(last[2]), values={"ph": 7})],
        by=office,
    )
    job = imported(job, office, django_capture_on_commit_callbacks)
    assert job.status == J.INVALID
    assert [(e["row"], e["field"]) for e in job.errors] == [(3 * CHUNK + 1, "采样时间")]
    assert Sample.objects.count() == 1
    assert history_rows() == 1


def test_a_crash_after_some_chunks_went_in_leaves_nothing_and_says_so(
    point, office, django_capture_on_commit_callbacks, monkeypatch
):
    job = checked(office, django_capture_on_commit_callbacks, n=3 * CHUNK)
    real = sample_writer.insert_samples
    calls = []

    def dies_on_the_third_chunk(ready, **kwargs):
        calls.append(len(ready))
        if len(calls) == 3:
            raise ConnectionError("the database went away")
        return real(ready, **kwargs)

    monkeypatch.setattr(sample_writer, "insert_samples", dies_on_the_third_chunk)
    job = imported(job, office, django_capture_on_commit_callbacks)
    assert calls == [CHUNK, CHUNK, CHUNK]
    assert job.status == J.FAILED
    assert "没有这次导入的任何水样" in job.errors[0]["message"]
    assert Sample.objects.count() == 0
    assert history_rows() == 0


def test_a_sample_committed_meanwhile_by_another_request_rolls_the_import_back(
    point, office, django_capture_on_commit_callbacks, monkeypatch
):
    job = checked(office, django_capture_on_commit_callbacks, n=2 * CHUNK)
    real = sample_writer.insert_samples
    calls = []

    def another_request_first(ready, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # between the check of the second chunk and its insert
            row, point = ready[0]
            Sample.objects.create(point=point, sampled_at=row.sampled_at, source="api", ph=7)
        return real(ready, **kwargs)

    monkeypatch.setattr(sample_writer, "insert_samples", another_request_first)
    job = imported(job, office, django_capture_on_commit_callbacks)
    assert job.status == J.FAILED
    assert "未保存任何数据" in job.errors[0]["message"]
    # the other request's sample was rolled back with ours here (one test transaction);
    # what matters: none of the import's samples is left
    assert not Sample.objects.filter(import_job=job).exists()


def test_the_import_reads_the_checked_rows_one_chunk_at_a_time(
    point, office, django_capture_on_commit_callbacks, monkeypatch
):
    from monitoring import parsed_rows

    job = checked(office, django_capture_on_commit_callbacks, n=4 * CHUNK)
    consumed = []
    read = parsed_rows.read

    def counting(job):
        columns, rows = read(job)

        def counted():
            for row in rows:
                consumed.append(row.row)
                yield row

        return columns, counted()

    real = sample_writer.insert_samples
    consumed_at_insert = []

    def insert(ready, **kwargs):
        consumed_at_insert.append(len(consumed))
        return real(ready, **kwargs)

    monkeypatch.setattr(parsed_rows, "read", counting)
    monkeypatch.setattr(sample_writer, "insert_samples", insert)
    job = imported(job, office, django_capture_on_commit_callbacks)
    assert job.status == J.DONE
    # each chunk is inserted before the next one is read
    assert consumed_at_insert == [CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK]


def test_the_copied_columns_are_exactly_the_models():
    sample = {f.attname for f in Sample._meta.concrete_fields}
    history = {f.attname for f in Sample.history.model._meta.concrete_fields}
    assert set(sample_writer.SAMPLE_COLUMNS) == sample
    assert len(sample_writer.SAMPLE_COLUMNS) == len(sample)
    assert {*sample_writer.HISTORY_COLUMNS, *sample_writer.HISTORY_EXTRA, "history_id"} == history
    # the stored assessment is all that the history leaves out
    assert set(sample_writer.SAMPLE_COLUMNS) - set(sample_writer.HISTORY_COLUMNS) == set(
        STAMP_FIELDS
    )


def _at(text):
    from datetime import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))
