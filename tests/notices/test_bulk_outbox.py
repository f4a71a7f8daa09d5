"""notify_many and deliver_many: the outbox for thousands at once, with the same guarantees."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notices import services
from notices.models import Delivery, Notification
from notices.services import Message
from notices.sms import LocmemBackend
from tests import factories

pytestmark = pytest.mark.django_db
S = Delivery.Status


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "notices.sms.LocmemBackend"
    LocmemBackend.outbox.clear()


@pytest.fixture
def people():
    return [
        factories.UserFactory(email=f"p{i}@example.cn", phone=f"1390000000{i}") for i in range(3)
    ]


def messages(people, prefix="k"):
    return [
        Message(key=f"{prefix}:{u.pk}", recipient_id=u.pk, kind="test", title="标题", body="正文")
        for u in people
    ]


def test_notify_many_creates_each_key_once_with_a_delivery_per_channel(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as wake_ups:
        created = services.notify_many(messages=messages(people))
    assert set(created) == {f"k:{u.pk}" for u in people}
    assert Delivery.objects.filter(status=S.PENDING).count() == 6
    assert len(wake_ups) == 1  # one chunk
    # A key another run created first is neither returned nor given new deliveries.
    more = [*people, factories.UserFactory()]
    with django_capture_on_commit_callbacks() as wake_ups:
        created = services.notify_many(messages=messages(more))
    assert list(created) == [f"k:{more[-1].pk}"]
    assert Notification.objects.count() == 4
    assert Delivery.objects.count() == 8
    assert len(wake_ups) == 1


def test_notify_many_of_nothing_new_writes_no_delivery_and_wakes_nothing(
    people, django_capture_on_commit_callbacks
):
    services.notify_many(messages=messages(people))
    with django_capture_on_commit_callbacks() as wake_ups:
        assert services.notify_many(messages=messages(people)) == {}
    assert wake_ups == []
    assert Delivery.objects.count() == 6


def test_a_chunk_woken_twice_sends_each_delivery_once(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        services.notify_many(messages=messages(people))
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert services.deliver_many(delivery_ids=ids) == {"sent": 6}
    assert services.deliver_many(delivery_ids=ids) == {"not pending": 6}
    assert len(mail.outbox) == 3
    assert len(LocmemBackend.outbox) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {S.SENT}


def test_a_chunk_leaves_alone_the_rows_another_run_holds_and_those_not_due(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        services.notify_many(messages=messages(people))
    held, later, *rest = Delivery.objects.order_by("pk")
    now = timezone.now()
    Delivery.objects.filter(pk=held.pk).update(
        status=S.SENDING, claimed_at=now, lease_until=now + timedelta(minutes=2)
    )
    Delivery.objects.filter(pk=later.pk).update(next_attempt_at=now + timedelta(minutes=4))
    counts = services.deliver_many(delivery_ids=[d.pk for d in (held, later, *rest)])
    assert counts == {"sent": 4, "not pending": 2}
    held.refresh_from_db()
    later.refresh_from_db()
    assert (held.status, held.handed_at, later.status) == (S.SENDING, None, S.PENDING)


def test_a_chunk_out_of_time_hands_the_rest_back_and_wakes_it_up(
    people, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        services.notify_many(messages=messages(people))
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    settings.NOTICES_HANDOVER_GROUP = 1
    settings.NOTICES_TASK_TIME_LIMIT = 0  # no time at all: one group, then hand the rest back
    with django_capture_on_commit_callbacks() as wake_ups:
        counts = services.deliver_many(delivery_ids=ids)
    assert counts == {"sent": 1, "handed back": 5}
    assert Delivery.objects.get(pk=ids[0]).status == S.SENT
    back = Delivery.objects.filter(pk__in=ids[1:])
    assert set(back.values_list("status", "claimed_at", "handed_at")) == {(S.PENDING, None, None)}
    assert len(wake_ups) == 1
    settings.NOTICES_TASK_TIME_LIMIT = 60
    wake_ups[0]()
    assert set(Delivery.objects.values_list("status", flat=True)) == {S.SENT}
    assert len(mail.outbox) + len(LocmemBackend.outbox) == 6


def test_a_claim_the_sweeper_took_back_before_its_group_was_handed_over_is_not_sent(
    people, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.NOTICES_HANDOVER_GROUP = 2
    with django_capture_on_commit_callbacks():
        services.notify_many(messages=messages(people))
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    real = services._hand_over

    def lease_runs_out_before_the_last_group(group, claimed_at):
        if group[-1].pk == ids[-1]:
            # the sweeper found the lease over and nothing handed over: pending again
            Delivery.objects.filter(pk=ids[-1]).update(status=S.PENDING)
        return real(group, claimed_at)

    monkeypatch.setattr(services, "_hand_over", lease_runs_out_before_the_last_group)
    assert services.deliver_many(delivery_ids=ids) == {"sent": 5, "not pending": 1}
    assert Delivery.objects.get(pk=ids[-1]).handed_at is None
    assert len(mail.outbox) + len(LocmemBackend.outbox) == 5


def test_a_chunk_skips_who_has_no_address_and_records_failures_row_by_row(
    people, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.notices.test_outbox.SlowGatewayWithoutStatus"
    people[0].email = ""
    people[0].save()
    with django_capture_on_commit_callbacks():
        services.notify_many(messages=messages(people))
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert services.deliver_many(delivery_ids=ids) == {"skipped": 1, "sent": 2, "unknown": 3}
    assert set(
        Delivery.objects.filter(channel=Delivery.Channel.SMS).values_list("status", flat=True)
    ) == {S.UNKNOWN}


class Crash(BaseException):
    """The worker process dying (nothing of ours catches it)."""


def test_a_worker_dying_mid_chunk_leaves_its_group_unknown_and_the_rest_pending(
    people, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.NOTICES_HANDOVER_GROUP = 2
    with django_capture_on_commit_callbacks():
        services.notify_many(messages=messages(people))
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    calls = []
    real_email, real_sms = services._send_email, services._send_sms

    def dies_at_the_fourth(real):
        def send(delivery, notification, address, **kwargs):
            calls.append(delivery.pk)
            if len(calls) == 4:
                raise Crash
            return real(delivery, notification, address, **kwargs)

        return send

    monkeypatch.setattr(services, "_send_email", dies_at_the_fourth(real_email))
    monkeypatch.setattr(services, "_send_sms", dies_at_the_fourth(real_sms))
    with pytest.raises(Crash):
        services.deliver_many(delivery_ids=ids)
    after_the_lease = timezone.now() + timedelta(seconds=settings.NOTICES_LEASE_SECONDS + 1)
    services.sweep_outbox(now=after_the_lease)
    status = dict(Delivery.objects.values_list("pk", "status"))
    # Group 1 sent and recorded. Group 2 handed over, its e-mail sent, then the crash: the
    # e-mail is unknown (never re-sent blindly), the SMS too until the gateway said it never
    # got it: pending, safe to send. Group 3 never handed over: pending.
    assert [status[pk] for pk in ids] == [S.SENT, S.SENT, S.UNKNOWN] + [S.PENDING] * 3
    assert len(mail.outbox) + len(LocmemBackend.outbox) == 3


class CountingBackend:
    """An e-mail connection that counts how often it is opened; refuses or drops on demand."""

    opened: list = []
    sent: list = []
    fail: dict = {}  # recipient -> exception class raised when sending to it

    def __init__(self, **kwargs):
        self.connection = None

    def open(self):
        self.connection = object()
        CountingBackend.opened.append(self)
        return True

    def close(self):
        self.connection = None

    def send_messages(self, messages):
        for message in messages:
            exc = CountingBackend.fail.get(message.to[0])
            if exc is not None:
                raise exc(message.to[0], "no")
            CountingBackend.sent.append(message.to[0])
        return len(messages)


@pytest.fixture
def counting_mail(settings):
    settings.EMAIL_BACKEND = "tests.notices.test_bulk_outbox.CountingBackend"
    CountingBackend.opened, CountingBackend.sent, CountingBackend.fail = [], [], {}
    return CountingBackend


def test_a_chunk_sends_its_emails_on_one_connection(
    people, counting_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        services.notify_many(messages=messages(people), channels=(Delivery.Channel.EMAIL,))
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert services.deliver_many(delivery_ids=ids) == {S.SENT: 3}
    assert len(counting_mail.opened) == 1
    assert sorted(counting_mail.sent) == sorted(u.email for u in people)


def test_a_refusal_keeps_the_connection_and_a_dropped_one_is_opened_again(
    people, counting_mail, django_capture_on_commit_callbacks
):
    import smtplib

    counting_mail.fail = {
        people[0].email: lambda rcpt, msg: smtplib.SMTPRecipientsRefused({rcpt: (550, msg)}),
        people[1].email: smtplib.SMTPServerDisconnected,
    }
    with django_capture_on_commit_callbacks():
        services.notify_many(messages=messages(people), channels=(Delivery.Channel.EMAIL,))
    ids = list(Delivery.objects.order_by("notification__recipient_id").values_list("pk", flat=True))
    counts = services.deliver_many(delivery_ids=ids)
    assert counts == {"failed": 1, S.UNKNOWN: 1, S.SENT: 1}
    status = {d.notification.recipient_id: d.status for d in Delivery.objects.all()}
    assert [status[u.pk] for u in people] == [S.PENDING, S.UNKNOWN, S.SENT]
    # Refused: the same connection went on; dropped: the next e-mail opened a new one.
    assert len(counting_mail.opened) == 2
    assert counting_mail.sent == [people[2].email]
