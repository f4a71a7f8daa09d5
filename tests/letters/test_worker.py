"""A batch through a real Celery worker on Redis, killed (SIGKILL) half-way and restarted."""

from datetime import timedelta

import pytest

from letters import services
from letters.models import Letter, LetterBatch
from notices.models import Delivery, Notification
from tests.conftest import wait_until
from tests.letters.factories import many_chiefs

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHIEFS = 120
CHUNK = 5


def test_a_worker_killed_mid_batch_resumes_and_sends_exactly_one_letter_per_chief(
    celery_worker_process, town, village, town_staff
):
    # Chunks of 5 letters, so the batch is still going when the worker is killed.
    celery_worker_process.stop()
    celery_worker_process.env["LETTERS_CHUNK_SIZE"] = str(CHUNK)
    celery_worker_process.start()
    chiefs = many_chiefs(village, CHIEFS)
    batch = services.create_batch(town=town, month="2018-09", by=town_staff)
    assert batch.letters.count() == CHIEFS

    services.send_batch(batch=batch, by=town_staff)  # fan-out queued on commit, to Redis

    def sent():
        return Letter.objects.filter(batch=batch, status=Letter.Status.SENT).count()

    wait_until(lambda: sent() >= 10, timeout=90, interval=0.05)
    celery_worker_process.kill()
    at_kill = sent()
    assert at_kill < CHIEFS, "the batch finished before the kill: nothing was tested"

    celery_worker_process.start()
    # The restarted worker takes the letters still queued. The message the killed worker held
    # stays unacknowledged in Redis (redelivered only after the visibility timeout); its
    # chunk's letters are left PENDING (killed before the claim) or SENDING (after): the
    # resume job (beat, every minute) takes them over. Wait for the queue to drain, then run it.
    unfinished = Letter.objects.filter(
        batch=batch, status__in=[Letter.Status.PENDING, Letter.Status.SENDING]
    )
    wait_until(lambda: unfinished.count() <= CHUNK, timeout=240)
    services.requeue_stalled(stale_after=timedelta(0))
    wait_until(lambda: sent() == CHIEFS, timeout=120)
    wait_until(
        lambda: LetterBatch.objects.get(pk=batch.pk).status == LetterBatch.Status.SENT, timeout=30
    )

    letters = Letter.objects.filter(batch=batch)
    assert letters.count() == CHIEFS
    assert set(letters.values_list("chief_id", flat=True)) == {c.pk for c in chiefs}
    keys = list(Notification.objects.filter(kind="letter").values_list("key", flat=True))
    assert len(keys) == CHIEFS
    assert set(keys) == {f"letter:{pk}" for pk in letters.values_list("pk", flat=True)}
    assert Delivery.objects.filter(notification__kind="letter").count() == 2 * CHIEFS
    assert not letters.exclude(notification__isnull=False).exists()
