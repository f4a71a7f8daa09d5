"""The office previews this month's letters, sends them; a chief reads theirs and its PDF."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import login

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "hezhang-demo"
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def broker(monkeypatch):
    """Stands in for the broker (what leaves the process): pressing "send" only queues the
    fan-out task here; the test then plays the worker, whenever it likes."""
    from letters import tasks

    queued = []
    monkeypatch.setattr(
        tasks.fan_out_batch, "apply_async", lambda args=(), kwargs=None, **kw: queued.append(args)
    )

    def run_worker():
        monkeypatch.undo()
        while queued:
            tasks.fan_out_batch(*queued.pop(0))

    return queued, run_worker


@pytest.fixture
def demo_town(transactional_db):
    from letters import demo as letters_demo
    from plans import demo as plans_demo
    from rivers import demo as rivers_demo

    rivers_demo.build()
    plans_demo.build()
    letters_demo.build()


def test_office_sends_this_months_batch_and_a_chief_reads_the_letter_and_its_pdf(
    page, demo_town, tmp_path, broker
):
    from letters.models import Letter, LetterBatch

    queued, run_worker = broker
    login(page, "office", DEMO_PASSWORD)
    page.goto("/letters/")
    draft = LetterBatch.objects.get(status="draft")
    page.click(f"a[href='/letters/batches/{draft.pk}/']")
    page.wait_for_selector("#totals")
    n = draft.letters.count()
    assert n == 136  # every chief of the demo town has a river
    assert str(n) in page.inner_text("#totals")
    shot(page, "letters-batch-draft-desktop")

    # Preview one letter: composed from today's data, nothing saved.
    page.click("#letters tbody tr:first-child a:text('预览')")
    page.wait_for_selector("#letter-body")
    assert "【河道情况】" in page.inner_text("#letter-body")
    assert "预览" in page.content()
    page.go_back()

    # Pressing send only queues the work: the page is back before any letter is composed.
    page.click("#send-batch")
    page.wait_for_selector(".messages li.success")
    page.wait_for_selector("#batch-progress[data-state=sending]")
    assert queued == [(draft.pk, 0)]
    assert draft.letters.filter(status="sent").count() == 0
    shot(page, "letters-batch-sending-desktop")

    # The worker sends; the page follows by polling its status fragment, however long it takes.
    run_worker()
    page.wait_for_selector("#batch-progress[data-state=done]", timeout=120_000)
    assert f"已发送 {n} / {n}" in page.inner_text("#batch-progress")
    draft.refresh_from_db()
    assert draft.status == "sent"
    assert draft.letters.filter(status="sent").count() == n
    shot(page, "letters-batch-sent-desktop")

    page.context.clear_cookies()
    login(page, "z001", DEMO_PASSWORD)
    page.goto("/letters/")
    letter = Letter.objects.get(batch=draft, chief__user__username="z001")
    assert letter.read_at is None
    page.click(f"a[href='/letters/{letter.pk}/']")
    page.wait_for_selector("#letter-body")
    assert letter.body.splitlines()[0] in page.inner_text("#letter-body")
    assert "已读" in page.inner_text("#read-receipt")
    letter.refresh_from_db()
    assert letter.read_at is not None
    shot(page, "letters-letter-desktop")

    response = page.request.get(page.get_attribute("#pdf-link", "href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext"):
        pdf = tmp_path / "letter.pdf"
        pdf.write_bytes(response.body())
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "朱泾镇致河长信" in text
        assert "河长制办公室" in text


def test_a_chief_updates_a_measure_on_the_phone(phone_page, demo_town):
    from plans.models import Measure

    measure = Measure.objects.exclude(status="done").filter(owner_chief__isnull=False).first()
    login(phone_page, measure.owner_chief.user.username, DEMO_PASSWORD)
    phone_page.goto(f"/plans/measure/{measure.pk}/")
    phone_page.fill("input[name=progress]", str(measure.progress - 10))
    phone_page.click("#save-progress")
    assert "必须说明原因" in phone_page.inner_text("form.stack")
    phone_page.fill("textarea[name=note]", "汛期返工，进度回调")
    phone_page.click("#save-progress")
    phone_page.wait_for_selector("#measures")
    shot(phone_page, "plans-measure-390")
    measure.refresh_from_db()
    assert measure.note == "汛期返工，进度回调"
