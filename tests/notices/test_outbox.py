"""The outbox: delivery rows are the truth, the broker only a wake-up (notices.services)."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from notices import services
from notices.models import Delivery
from notices.sms import LocmemBackend, OutcomeUnknown
from tests import factories

pytestmark = pytest.mark.django_db
S = Delivery.Status


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "notices.sms.LocmemBackend"
    LocmemBackend.outbox.clear()


class SlowGateway(LocmemBackend):
    """Takes the message, then its answer is lost (a read timeout on our side)."""

    def send(self, *, phone, text, out_id=""):
        super().send(phone=phone, text=text, out_id=out_id)
        raise OutcomeUnknown("read timed out")


class SlowGatewayWithoutStatus(SlowGateway):
    def outcome(self, *, out_id):
        return None


class DroppingSmtp:
    """An e-mail backend whose server drops the line after the data went out."""

    def __init__(self, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        mail.outbox.extend(messages)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingSmtp(DroppingSmtp):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.cn": (550, b"no such user")})


def _notify(key="k", django_capture_on_commit_callbacks=None, **user):
    recipient = factories.UserFactory(**user)
    notification, _ = services.notify(key=key, recipient=recipient, kind="test", title="河道超期")
    return (
        notification.deliveries.get(channel=Delivery.Channel.EMAIL),
        notification.deliveries.get(channel=Delivery.Channel.SMS),
    )


def test_a_delivery_never_woken_up_is_sent_by_the_sweeper_after_its_grace(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as wakeups:
        email, sms = _notify()
    assert len(wakeups) == 2  # published after commit; here they are lost
    assert services.sweep_outbox()["due"] == []  # the usual wake-up still has its chance
    later = timezone.now() + timedelta(seconds=61)
    due = services.sweep_outbox(now=later)["due"]
    assert sorted(due) == sorted([email.pk, sms.pk])
    for pk in due:
        services.deliver(delivery_id=pk)
    assert set(Delivery.objects.values_list("status", flat=True)) == {S.SENT}
    assert len(mail.outbox) == 1
    assert len(LocmemBackend.outbox) == 1


def test_a_failed_publish_after_the_commit_fails_nothing_and_the_sweeper_sends_it(settings, caplog):
    from config.celery import app
    from tests.conftest import _reset_broker_pools

    old = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there: the broker is down
    app.conf.task_always_eager = False
    _reset_broker_pools(app)
    try:
        recipient = factories.UserFactory()
        with caplog.at_level("WARNING"):
            from django.db import transaction

            with transaction.atomic():
                notification, created = services.notify(
                    key="k", recipient=recipient, kind="test", title="t"
                )
            # on_commit ran here (no test transaction wraps django_db's atomic callbacks)
    finally:
        app.conf.broker_url, app.conf.task_always_eager = old
        _reset_broker_pools(app)
    assert created
    assert notification.deliveries.filter(status=S.PENDING).count() == 2
    due = services.sweep_outbox(grace=timedelta(0))["due"]
    assert len(due) == 2
    for pk in due:
        assert services.deliver(delivery_id=pk) == S.SENT


def test_an_answer_lost_after_the_request_left_is_unknown_and_never_resent_blindly(settings):
    settings.SMS_BACKEND = "tests.notices.test_outbox.SlowGatewayWithoutStatus"
    _email, sms = _notify()
    assert services.deliver(delivery_id=sms.pk) == S.UNKNOWN
    sms.refresh_from_db()
    assert sms.status == S.UNKNOWN
    assert "timed out" in sms.last_error
    result = services.sweep_outbox(now=timezone.now() + timedelta(hours=1), grace=timedelta(0))
    assert sms.pk not in result["due"]
    assert services.deliver(delivery_id=sms.pk) == "skipped: not pending"
    assert len(LocmemBackend.outbox) == 1


def test_the_sweeper_asks_the_gateway_what_became_of_an_unknown_sms(settings):
    settings.SMS_BACKEND = "tests.notices.test_outbox.SlowGateway"
    _email, sms = _notify()
    assert services.deliver(delivery_id=sms.pk) == S.UNKNOWN
    assert services.sweep_outbox()["resolved"] == 1  # the gateway has it: it was sent
    sms.refresh_from_db()
    assert sms.status == S.SENT
    assert len(LocmemBackend.outbox) == 1


def test_an_unknown_sms_the_gateway_never_received_is_sent_again(settings):
    settings.SMS_BACKEND = "tests.notices.test_outbox.SlowGateway"
    _email, sms = _notify()
    services.deliver(delivery_id=sms.pk)
    LocmemBackend.outbox.clear()  # the gateway lost it after all
    settings.SMS_BACKEND = "notices.sms.LocmemBackend"
    result = services.sweep_outbox(grace=timedelta(0))
    assert result["resolved"] == 1
    assert sms.pk in result["due"]
    assert services.deliver(delivery_id=sms.pk) == S.SENT
    assert [m["out_id"] for m in LocmemBackend.outbox] == [sms.idempotency_key]


def test_a_dropped_smtp_line_after_the_data_is_unknown_and_a_refusal_is_retried(settings):
    settings.EMAIL_BACKEND = "tests.notices.test_outbox.DroppingSmtp"
    email, _sms = _notify(key="a")
    assert services.deliver(delivery_id=email.pk) == S.UNKNOWN
    settings.EMAIL_BACKEND = "tests.notices.test_outbox.RefusingSmtp"
    email, _sms = _notify(key="b")
    assert services.deliver(delivery_id=email.pk).startswith("failed (1)")
    email.refresh_from_db()
    assert email.status == S.PENDING
    assert email.next_attempt_at > timezone.now()


def test_each_message_carries_the_deliverys_idempotency_key():
    email, sms = _notify()
    services.deliver(delivery_id=email.pk)
    services.deliver(delivery_id=sms.pk)
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<hz-d{email.pk}@localhost>"
    assert LocmemBackend.outbox[0]["out_id"] == f"hz-d{sms.pk}"


def test_a_claim_whose_worker_died_before_handing_over_is_sent_again():
    email, _sms = _notify()
    long_ago = timezone.now() - timedelta(minutes=10)
    Delivery.objects.filter(pk=email.pk).update(
        status=S.SENDING, claimed_at=long_ago, lease_until=long_ago + timedelta(minutes=2)
    )
    result = services.sweep_outbox(grace=timedelta(0))
    assert result["released"] == 1
    assert email.pk in result["due"]
    assert services.deliver(delivery_id=email.pk) == S.SENT
    assert len(mail.outbox) == 1


def test_a_claim_whose_worker_died_after_handing_over_is_shown_unknown():
    email, _sms = _notify()
    long_ago = timezone.now() - timedelta(minutes=10)
    Delivery.objects.filter(pk=email.pk).update(
        status=S.SENDING,
        claimed_at=long_ago,
        handed_at=long_ago,
        lease_until=long_ago + timedelta(minutes=2),
    )
    result = services.sweep_outbox(grace=timedelta(0))
    assert result["unknown"] == 1
    assert email.pk not in result["due"]
    email.refresh_from_db()
    assert email.status == S.UNKNOWN
    assert mail.outbox == []


def test_a_claim_within_its_lease_is_left_alone():
    email, _sms = _notify()
    now = timezone.now()
    Delivery.objects.filter(pk=email.pk).update(
        status=S.SENDING, claimed_at=now, handed_at=now, lease_until=now + timedelta(minutes=2)
    )
    result = services.sweep_outbox(grace=timedelta(0))
    assert (result["released"], result["unknown"]) == (0, 0)
    assert email.pk not in result["due"]


def test_the_office_resends_an_unknown_delivery_once_and_it_is_recorded(
    settings, town_staff, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notices.test_outbox.DroppingSmtp"
    email, _sms = _notify()
    services.deliver(delivery_id=email.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resend(deliveries=Delivery.objects.filter(pk=email.pk), by=town_staff) == 1
    email.refresh_from_db()
    assert (email.status, email.resent_by, email.resent_at is not None) == (
        S.SENT,
        town_staff,
        True,
    )
    assert len(mail.outbox) == 1
    Delivery.objects.filter(pk=email.pk).update(status=S.UNKNOWN)
    with pytest.raises(ValidationError):
        services.resend(deliveries=Delivery.objects.filter(pk=email.pk), by=town_staff)


def test_a_chief_cannot_resend(village_chief):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.resend(deliveries=Delivery.objects.all(), by=village_chief)
