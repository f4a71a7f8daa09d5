"""`queue_letters` while the broker is down: the batch is committed, the operator told, and
the resume job and the outbox sweeper send it once the broker is back."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from letters import services
from letters.models import Letter, LetterBatch
from notices import services as notices
from notices.models import Delivery, Notification
from notices.sms import LocmemBackend
from tests.conftest import _reset_broker_pools

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    from config.celery import app

    old = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app.conf.task_always_eager = False
    _reset_broker_pools(app)
    yield
    app.conf.broker_url, app.conf.task_always_eager = old
    _reset_broker_pools(app)


def test_queue_letters_during_an_outage_says_the_batch_is_queued_and_it_goes_out_later(
    town, chief_a, chief_b, capsys, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as publishes:
        call_command("queue_letters", "2018-09", "--town", town.code)
    assert len(publishes) == 1  # the fan-out's wake-up, which failed without raising
    out = capsys.readouterr().out
    assert "2 letters queued" in out
    assert "broker is unreachable" in out
    batch = LetterBatch.objects.get(town=town)
    assert batch.status == LetterBatch.Status.SENDING
    assert batch.letters.filter(status=Letter.Status.PENDING).count() == 2

    # Running it again does not claim "already sent": it says the batch is on its way.
    call_command("queue_letters", "2018-09", "--town", town.code)
    assert "already being sent, 2 letters still to go" in capsys.readouterr().out

    # The broker is back (eager here): the beat jobs find what was committed.
    from config.celery import app

    app.conf.task_always_eager = True
    assert services.requeue_stalled(stale_after=timedelta(0)) == 2
    for pk in notices.sweep_outbox(grace=timedelta(0))["due"]:
        notices.deliver(delivery_id=pk)
    batch.refresh_from_db()
    assert batch.status == LetterBatch.Status.SENT
    assert Notification.objects.filter(kind="letter").count() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [chief_a[0].user.email, chief_b[0].user.email]
    )
    assert len(LocmemBackend.outbox) == 2


def test_a_batch_already_sent_is_still_refused(town, chief_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("queue_letters", "2018-09", "--town", town.code)
    with pytest.raises(Exception, match="already sent"):
        call_command("queue_letters", "2018-09", "--town", town.code)
