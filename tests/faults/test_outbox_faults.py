"""What leaves the application when the broker, a worker or the gateway fails.

Real parts only: a Redis of our own (restarted without persistence), real Celery workers
(SIGKILLed at chosen points by ``tests.faults.crashes``), a real SMTP server and an HTTP SMS
gateway recording every message (``tests.faults.sinks``). Each test ends, after the sweepers
run, with every chief having exactly one e-mail and one SMS in the sinks, or the delivery
shown "unknown" to the office.
"""

import time

import pytest

from letters import services as letters
from letters.models import Letter, LetterBatch
from letters.tasks import resume_stalled_letters
from notices import selectors
from notices import services as notices
from notices.models import Delivery
from notices.tasks import sweep_outbox
from notices.wakeup import wake
from tests.conftest import _reset_broker_pools, wait_until
from tests.letters.factories import many_chiefs

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHIEFS = 30
# Chunks of 5 letters, so a batch of 30 is still going when a fault strikes; deliveries handed
# over one at a time, so a kill leaves exactly one "unknown".
SMALL = {"LETTERS_CHUNK_SIZE": "5", "NOTICES_HANDOVER_GROUP": "1"}
S = Delivery.Status


def letter_deliveries(batch):
    return Delivery.objects.filter(notification__letter__batch=batch)


def settle(batch, *, timeout: float = 120) -> None:
    """Run the two sweepers (as beat would, here every 2 s) until nothing is left to send."""
    done = {S.SENT, S.UNKNOWN, S.FAILED}

    def settled():
        wake(resume_stalled_letters)
        wake(sweep_outbox, 0)
        time.sleep(2)
        return (
            not batch.letters.exclude(status=Letter.Status.SENT).exists()
            and letter_deliveries(batch).count() == 2 * CHIEFS
            and not letter_deliveries(batch).exclude(status__in=done).exists()
        )

    wait_until(settled, timeout=timeout, interval=0)


def assert_each_chief_got_one_email_and_one_sms(chiefs, batch, smtp, sms) -> dict:
    """Exactly one of each in the sinks, or the delivery shown "unknown"; the states."""
    emails, phones = smtp.per_recipient(), sms.requests_per_phone()
    state = {
        (d.notification.recipient_id, d.channel): d.status
        for d in letter_deliveries(batch).select_related("notification")
    }
    for chief in chiefs:
        user = chief.user
        for channel, got in ((Delivery.Channel.EMAIL, emails[user.email]),
                             (Delivery.Channel.SMS, phones[user.phone])):  # fmt: skip
            status = state[(user.pk, channel)]
            if status == S.UNKNOWN:
                assert got <= 1, (user.username, channel, got)
            else:
                assert (status, got) == (S.SENT, 1), (user.username, channel, status, got)
    assert LetterBatch.objects.get(pk=batch.pk).status == LetterBatch.Status.SENT
    return selectors.count_by_state(letter_deliveries(batch))


def start_batch(village, town, town_staff):
    chiefs = many_chiefs(village, CHIEFS)
    batch = letters.create_batch(town=town, month="2018-09", by=town_staff)
    letters.send_batch(batch=batch, by=town_staff)  # the fan-out is published on commit
    return chiefs, batch


def sent_letters(batch) -> int:
    return batch.letters.filter(status=Letter.Status.SENT).count()


def test_a_broker_restarted_without_persistence_mid_batch_loses_and_doubles_nothing(
    outbox, redis_server, sinks, town, village, town_staff
):
    smtp, sms = sinks
    sms.delay = 0.05  # a gateway that takes a moment, so the restart lands mid-batch
    outbox(**SMALL)
    chiefs, batch = start_batch(village, town, town_staff)
    wait_until(lambda: sent_letters(batch) >= 5, timeout=90, interval=0.02)
    redis_server.kill()  # every queued message is gone with it
    redis_server.start()
    assert sent_letters(batch) < CHIEFS, "the batch finished before the restart"
    _reset_broker_pools(__import__("config.celery").celery.app)

    settle(batch)
    counts = assert_each_chief_got_one_email_and_one_sms(chiefs, batch, smtp, sms)
    assert counts["sent"] == 2 * CHIEFS


def test_a_worker_killed_between_its_commit_and_the_publish_of_its_deliveries(
    outbox, sinks, town, village, town_staff
):
    smtp, sms = sinks
    worker = outbox(FAULT_KILL="publish:4", **SMALL)  # the 4th chunk's deliveries' wake-up
    chiefs, batch = start_batch(village, town, town_staff)
    wait_until(lambda: worker.proc.poll() is not None, timeout=90)
    # The letter was committed with its notification and deliveries; their wake-ups never left.
    assert letter_deliveries(batch).filter(status=S.PENDING, attempts=0).exists()
    outbox(**SMALL)  # a fresh worker

    settle(batch)
    counts = assert_each_chief_got_one_email_and_one_sms(chiefs, batch, smtp, sms)
    assert counts["sent"] == 2 * CHIEFS


def test_workers_killed_while_a_delivery_is_claimed(outbox, sinks, town, village, town_staff):
    smtp, sms = sinks
    worker = outbox(
        FAULT_KILL="sms:5", **SMALL
    )  # claimed and handed over, the request not yet sent
    chiefs, batch = start_batch(village, town, town_staff)
    wait_until(lambda: worker.proc.poll() is not None, timeout=90)
    worker = outbox(FAULT_KILL="email:5", **SMALL)  # the same, on an e-mail
    wait_until(lambda: worker.proc.poll() is not None, timeout=90)
    outbox(**SMALL)

    settle(batch)
    counts = assert_each_chief_got_one_email_and_one_sms(chiefs, batch, smtp, sms)
    # The SMS gateway could tell it never got the message: sent again, once. SMTP cannot:
    # the e-mail is "unknown" for the office, which resends it once.
    assert counts["unknown"] == 1
    unknown = letter_deliveries(batch).get(status=S.UNKNOWN)
    assert unknown.channel == Delivery.Channel.EMAIL
    assert smtp.per_recipient()[unknown.notification.recipient.email] == 0
    notices.resend(deliveries=letter_deliveries(batch), by=town_staff)
    wait_until(lambda: letter_deliveries(batch).filter(status=S.SENT).count() == 2 * CHIEFS)
    assert smtp.per_recipient()[unknown.notification.recipient.email] == 1
    assert_each_chief_got_one_email_and_one_sms(chiefs, batch, smtp, sms)


def test_a_slow_gateway_gets_each_sms_once_and_the_sweeper_learns_it_was_sent(
    outbox, sinks, town, village, town_staff
):
    smtp, sms = sinks
    sms.delay = 1  # the answer comes after our timeout (0.5 s): every SMS is "unknown"
    outbox(SMS_TIMEOUT_SECONDS="0.5", **SMALL)
    chiefs, batch = start_batch(village, town, town_staff)
    wait_until(
        lambda: letter_deliveries(batch).filter(channel="sms", status=S.UNKNOWN).count() == CHIEFS,
        timeout=120,
    )
    assert max(sms.requests_per_phone().values()) == 1  # nothing resent blindly
    settle(batch)
    counts = assert_each_chief_got_one_email_and_one_sms(chiefs, batch, smtp, sms)
    assert counts["sent"] == 2 * CHIEFS  # the gateway's status answered for every one


def test_a_slow_gateway_without_a_status_url_leaves_unknown_sms_to_the_office(
    outbox, sinks, settings, town, village, town_staff
):
    smtp, sms = sinks
    sms.delay = 1
    settings.SMS_API_STATUS_URL = ""
    outbox(SMS_API_STATUS_URL="", SMS_TIMEOUT_SECONDS="0.5", **SMALL)
    chiefs, batch = start_batch(village, town, town_staff)
    settle(batch)
    counts = assert_each_chief_got_one_email_and_one_sms(chiefs, batch, smtp, sms)
    assert (counts["unknown"], counts["sent"]) == (CHIEFS, CHIEFS)
    # The office resends them, once: the same out-id, so the gateway hands each phone one.
    assert notices.resend(deliveries=letter_deliveries(batch), by=town_staff) == CHIEFS
    wait_until(lambda: not letter_deliveries(batch).filter(status=S.PENDING).exists(), timeout=120)
    assert set(sms.delivered_per_phone().values()) == {1}
    assert max(sms.requests_per_phone().values()) == 2
