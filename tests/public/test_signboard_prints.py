"""The whole-town signboard PDF: the office asks, a worker renders it in chunks, the page polls
and then offers the file (public.prints)."""

import shutil
import subprocess
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from public import pdf, prints
from public.models import SignboardPrint
from tests import factories
from tests.conftest import require

pytestmark = pytest.mark.django_db

S = SignboardPrint.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def small_chunks(monkeypatch):
    """Two rivers per task, so a village of three takes two chunks and a join."""
    monkeypatch.setattr(prints, "CHUNK", 2)


def pdf_text(data: bytes, tmp_path) -> str:
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    path = tmp_path / "boards.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def parts_left() -> list[str]:
    try:
        return default_storage.listdir(prints.PARTS_FOLDER)[1]
    except FileNotFoundError:
        return []


def test_asking_for_a_print_only_queues_it_and_lands_on_its_page(
    client, two_towns, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    d = two_towns
    client.force_login(d.office_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # noqa: SIM117
        with django_assert_max_num_queries(12):
            response = client.post(reverse("public:signboards-request"), {"village": ""})
    job = SignboardPrint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("public:signboards-print", args=[job.pk])
    # Nothing rendered in the request: the worker's task is woken once the row is committed.
    assert (job.status, job.region, job.village, job.file.name) == (S.QUEUED, d.town_a, None, "")
    assert len(callbacks) == 1
    page = client.get(response.url).content.decode()
    assert 'data-status="queued"' in page
    assert "hx-trigger" in page


def test_the_worker_renders_every_river_of_the_village_into_one_pdf(
    client, two_towns, small_chunks, django_capture_on_commit_callbacks, tmp_path
):
    d = two_towns
    factories.RiverFactory(name="第二条浜", region=d.village_a1)
    client.force_login(d.office_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("public:signboards-request"), {"village": d.village_a1.pk})
    job = SignboardPrint.objects.get()
    assert (job.status, job.rivers_total, job.rivers_done, job.parts_done) == (S.DONE, 3, 3, 2)
    assert job.village == d.village_a1
    page = client.get(response.url).content.decode()
    assert 'data-status="done"' in page
    assert "hx-trigger" not in page  # nothing left to poll
    download = client.get(reverse("public:signboards-download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(download.streaming_content), tmp_path)
    # One page per river of the village: its own two and the border river crossing it.
    assert len([p for p in text.split("\f") if "河长公示牌" in p]) == 3
    assert "第二条浜" in text
    assert "界泾" in text
    assert "亭东村浜" not in text
    assert d.chief_a1.phone not in text
    assert parts_left() == []  # the chunks were joined and removed


def test_progress_counts_the_rivers_of_each_chunk(two_towns, small_chunks):
    d = two_towns
    factories.RiverFactory(name="第二条浜", region=d.village_a1)
    job = SignboardPrint.objects.create(
        region=d.town_a, village=d.village_a1, requested_by=d.office_a
    )
    assert prints.render_part(print_id=job.pk, part=0).next_part == 1
    job.refresh_from_db()
    assert (job.status, job.rivers_done, job.rivers_total, job.percent) == (S.RENDERING, 2, 3, 67)
    assert len(parts_left()) == 1
    assert prints.render_part(print_id=job.pk, part=1).next_part == 2
    job.refresh_from_db()
    assert (job.rivers_done, job.percent) == (3, 100)
    assert prints.render_part(print_id=job.pk, part=2).next_part is None
    job.refresh_from_db()
    assert job.status == S.DONE
    assert default_storage.exists(job.file.name)


def test_running_a_task_again_renders_nothing_twice(two_towns, small_chunks):
    d = two_towns
    factories.RiverFactory(name="第二条浜", region=d.village_a1)
    job = SignboardPrint.objects.create(
        region=d.town_a, village=d.village_a1, requested_by=d.office_a
    )
    prints.render_part(print_id=job.pk, part=0)
    # A redelivered first task: the row is no longer QUEUED, so it neither claims nor renders.
    assert prints.render_part(print_id=job.pk, part=0).next_part is None
    job.refresh_from_db()
    assert (job.parts_done, job.rivers_done, len(parts_left())) == (1, 2, 1)
    prints.render_part(print_id=job.pk, part=1)
    prints.render_part(print_id=job.pk, part=2)
    job.refresh_from_db()
    done_file, finished = job.file.name, job.finished_at
    for part in (0, 1, 2, 3):
        assert prints.render_part(print_id=job.pk, part=part).next_part is None
    job.refresh_from_db()
    assert (job.status, job.file.name, job.finished_at, job.rivers_done) == (
        S.DONE,
        done_file,
        finished,
        3,
    )
    assert default_storage.listdir("public/signboards/")[1] == [done_file.rsplit("/", 1)[1]]


def test_a_second_request_while_one_runs_gets_the_running_one(two_towns):
    d = two_towns
    first = prints.request_signboard_print(by=d.office_a)
    again = prints.request_signboard_print(by=d.office_a)
    village = prints.request_signboard_print(by=d.office_a, village=d.village_a1)
    other_town = prints.request_signboard_print(by=d.office_b)
    assert again.pk == first.pk
    assert len({first.pk, village.pk, other_town.pk}) == 3
    SignboardPrint.objects.filter(pk=first.pk).update(status=S.FAILED)
    assert prints.request_signboard_print(by=d.office_a).pk != first.pk


def test_a_print_that_stopped_moving_fails_and_the_office_can_ask_again(two_towns):
    d = two_towns
    job = prints.request_signboard_print(by=d.office_a)
    SignboardPrint.objects.filter(pk=job.pk).update(status=S.RENDERING)
    assert prints.sweep_prints()["failed"] == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert prints.sweep_prints()["failed"] == 1
        job.refresh_from_db()
        assert job.status == S.FAILED
        assert "中断" in job.error
        assert prints.request_signboard_print(by=d.office_a).pk != job.pk


def test_the_print_page_tells_when_the_worker_died_and_the_beat_task_sweeps(client, two_towns):
    from public.tasks import sweep_signboard_prints

    d = two_towns
    job = prints.request_signboard_print(by=d.office_a)
    other = prints.request_signboard_print(by=d.office_a, village=d.village_a1)
    SignboardPrint.objects.update(status=S.RENDERING)
    client.force_login(d.office_a)
    url = reverse("public:signboards-print", args=[job.pk])
    assert 'data-status="rendering"' in client.get(url).content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        page = client.get(url).content.decode()
        assert 'data-status="failed"' in page
        assert "请重新生成" in page
        assert sweep_signboard_prints.delay().get()["failed"] == 1
    other.refresh_from_db()
    assert other.status == S.FAILED


def test_a_queued_print_whose_wake_up_was_lost_is_woken_again(two_towns):
    d = two_towns
    job = prints.request_signboard_print(by=d.office_a, village=d.village_a1)  # not committed
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert prints.sweep_prints()["failed"] == 0
    job.refresh_from_db()
    assert (job.status, job.rivers_done) == (S.DONE, 2)  # its own river and the border one


def test_a_failing_chunk_fails_the_print_and_leaves_no_part_behind(
    two_towns, small_chunks, monkeypatch
):
    d = two_towns
    factories.RiverFactory(name="第二条浜", region=d.village_a1)
    render = pdf.signboards_pdf
    calls = []

    def second_chunk_breaks(*, rivers):
        calls.append(len(rivers))
        if len(calls) == 2:
            raise RuntimeError("font missing")
        return render(rivers=rivers)

    monkeypatch.setattr(pdf, "signboards_pdf", second_chunk_breaks)
    job = SignboardPrint.objects.create(
        region=d.town_a, village=d.village_a1, requested_by=d.office_a
    )
    prints.render_part(print_id=job.pk, part=0)
    assert prints.render_part(print_id=job.pk, part=1).next_part is None
    job.refresh_from_db()
    assert job.status == S.FAILED
    assert job.error
    assert "font missing" not in job.error  # the log has the cause, the page a plain message
    assert parts_left() == []


def test_village_chiefs_and_the_district_inspector_cannot_ask_for_prints(client, two_towns):
    d = two_towns
    for user in (d.chief_a1, d.town_chief_a, d.inspector):
        with pytest.raises(PermissionDenied):
            prints.request_signboard_print(by=user)
        client.force_login(user)
        assert client.post(reverse("public:signboards-request")).status_code == 403
    assert not SignboardPrint.objects.exists()


def test_an_office_cannot_print_another_towns_village(client, two_towns):
    d = two_towns
    with pytest.raises(PermissionDenied):
        prints.request_signboard_print(by=d.office_b, village=d.village_a1)
    with pytest.raises(ValidationError):
        prints.request_signboard_print(by=d.office_b, village=d.town_b)
    client.force_login(d.office_b)
    response = client.post(reverse("public:signboards-request"), {"village": d.village_a1.pk})
    assert response.status_code == 404
    assert not SignboardPrint.objects.exists()


def test_the_other_town_can_neither_see_nor_download_the_print(
    client, two_towns, django_capture_on_commit_callbacks
):
    d = two_towns
    with django_capture_on_commit_callbacks(execute=True):
        job = prints.request_signboard_print(by=d.office_a, village=d.village_a2)
    job.refresh_from_db()
    assert job.status == S.DONE
    urls = [
        reverse("public:signboards-print", args=[job.pk]),
        reverse("public:signboards-download", args=[job.pk]),
        reverse("media", args=[job.file.name]),
    ]
    client.force_login(d.office_b)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert "print-list" not in client.get(reverse("public:office")).content.decode()
    client.force_login(d.office_a)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    assert "print-list" in client.get(reverse("public:office")).content.decode()


def test_the_chunks_waiting_to_be_joined_are_nobodys_file(client, two_towns, small_chunks):
    d = two_towns
    factories.RiverFactory(name="第二条浜", region=d.village_a1)
    job = SignboardPrint.objects.create(
        region=d.town_a, village=d.village_a1, requested_by=d.office_a
    )
    prints.render_part(print_id=job.pk, part=0)
    job.refresh_from_db()
    client.force_login(d.office_a)
    assert client.get(reverse("media", args=[job.parts[0]])).status_code == 404
    assert client.get(reverse("public:signboards-download", args=[job.pk])).status_code == 404


def test_the_old_printing_url_leads_to_the_office_page_with_the_village_chosen(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    response = client.get(reverse("public:signboards-pdf"), {"village": d.village_a1.pk})
    assert response.status_code == 302
    assert response.url == f"{reverse('public:office')}?village={d.village_a1.pk}#signboards"
    page = client.get(response.url).content.decode()
    assert f'<option value="{d.village_a1.pk}" selected>' in page
    assert not SignboardPrint.objects.exists()  # a GET never starts work


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_print_page_and_the_office_list_cost_the_same_queries_however_many_prints(
    client, two_towns, small_chunks
):
    d = two_towns
    client.force_login(d.office_a)
    first = SignboardPrint.objects.create(region=d.town_a, requested_by=d.office_a)
    status = reverse("public:signboards-print", args=[first.pk])
    office = reverse("public:office")
    poll = {"HTTP_HX_REQUEST": "true"}
    before = (_queries(client, status), _queries(client, office))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(status, **poll).status_code == 200
    polled = len(ctx)
    for village in (d.village_a1, d.village_a2):
        factories.RiverFactory(region=village)
        job = SignboardPrint.objects.create(
            region=d.town_a, village=village, requested_by=d.town_chief_a
        )
        prints.render_part(print_id=job.pk, part=0)
    prints.render_part(print_id=first.pk, part=0)
    assert (_queries(client, status), _queries(client, office)) == before
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(status, **poll)
    assert len(ctx) == polled
    assert 'id="print-status"' in page.content.decode()
    assert "<html" not in page.content.decode()


def test_a_print_whose_rivers_went_away_before_the_worker_fails_with_a_plain_message(
    two_towns,
):
    d = two_towns
    job = prints.request_signboard_print(by=d.office_a, village=d.village_a2)  # not committed
    d.river_a2.is_active = False
    d.river_a2.save()
    assert prints.render_part(print_id=job.pk, part=0).next_part is None
    job.refresh_from_db()
    assert (job.status, job.error, job.rivers_total) == (S.FAILED, "没有可打印的河道", 0)


def test_the_database_refuses_a_second_running_print_of_the_same_scope(two_towns):
    d = two_towns
    SignboardPrint.objects.create(region=d.town_a, requested_by=d.office_a)
    SignboardPrint.objects.create(region=d.town_a, requested_by=d.office_a, status=S.FAILED)
    SignboardPrint.objects.create(region=d.town_a, village=d.village_a1, requested_by=d.office_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        SignboardPrint.objects.create(region=d.town_a, requested_by=d.office_b, status=S.RENDERING)


def test_a_finished_print_expires_after_a_month_and_its_file_goes(
    client, two_towns, django_capture_on_commit_callbacks
):
    d = two_towns
    with django_capture_on_commit_callbacks(execute=True):
        job = prints.request_signboard_print(by=d.office_a, village=d.village_a2)
    job.refresh_from_db()
    name = job.file.name
    assert prints.sweep_prints()["expired"] == 0
    with time_machine.travel(timezone.now() + SignboardPrint.KEEP_FOR + timedelta(hours=1)):
        assert prints.sweep_prints()["expired"] == 1
        assert prints.sweep_prints()["expired"] == 0
    job.refresh_from_db()
    assert (job.status, job.file.name) == (S.EXPIRED, "")
    assert not default_storage.exists(name)
    client.force_login(d.office_a)
    assert client.get(reverse("public:signboards-download", args=[job.pk])).status_code == 404
    assert (
        'data-status="expired"'
        in client.get(reverse("public:signboards-print", args=[job.pk])).content.decode()
    )


def test_the_sweeper_removes_chunks_no_running_print_holds(two_towns, small_chunks):
    d = two_towns
    factories.RiverFactory(name="第二条浜", region=d.village_a1)
    job = SignboardPrint.objects.create(
        region=d.town_a, village=d.village_a1, requested_by=d.office_a
    )
    prints.render_part(print_id=job.pk, part=0)
    # A worker killed after saving a chunk and before recording it leaves a stray file.
    stray = default_storage.save(f"{prints.PARTS_FOLDER}x.pdf", ContentFile(b"%PDF-1.7\n"))
    assert prints.sweep_prints()["parts_removed"] == 0  # young files are left alone
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        SignboardPrint.objects.filter(pk=job.pk).update(updated_at=timezone.now())
        assert prints.sweep_prints()["parts_removed"] == 1
    job.refresh_from_db()
    assert not default_storage.exists(stray)
    assert default_storage.exists(job.parts[0])  # the running print's chunk stays
