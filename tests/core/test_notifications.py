import pytest
from django.core import mail

from notices import services
from notices.models import Delivery, Notification
from notices.sms import LocmemBackend
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "notices.sms.LocmemBackend"
    LocmemBackend.outbox.clear()


def test_notifying_twice_with_the_same_key_creates_one_notification(
    django_capture_on_commit_callbacks,
):
    user = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first, created = services.notify(key="k1", recipient=user, kind="test", title="河道超期")
        again, created_again = services.notify(
            key="k1", recipient=user, kind="test", title="河道超期"
        )
    assert created
    assert not created_again
    assert first.pk == again.pk
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert len(LocmemBackend.outbox) == 1


def test_a_delivery_is_sent_at_most_once_whatever_the_retries():
    user = factories.UserFactory()
    notification, _ = services.notify(key="k2", recipient=user, kind="test", title="t")
    delivery = notification.deliveries.get(channel=Delivery.Channel.EMAIL)
    assert services.deliver(delivery_id=delivery.pk) == Delivery.Status.SENT
    assert services.deliver(delivery_id=delivery.pk) == "skipped: not pending"
    assert len(mail.outbox) == 1


def test_a_failed_channel_goes_back_to_pending_and_does_not_block_the_others(settings):
    settings.SMS_BACKEND = "notices.sms.HttpApiBackend"
    settings.SMS_API_URL = ""  # misconfigured gateway: the SMS channel fails
    user = factories.UserFactory()
    notification, _ = services.notify(key="k3", recipient=user, kind="test", title="t")
    sms = notification.deliveries.get(channel=Delivery.Channel.SMS)
    email = notification.deliveries.get(channel=Delivery.Channel.EMAIL)
    assert services.deliver(delivery_id=sms.pk).startswith("failed (1)")
    assert services.deliver(delivery_id=email.pk) == Delivery.Status.SENT
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.PENDING
    assert sms.attempts == 1
    assert "SMS_API_URL" in sms.last_error


def test_a_user_without_a_phone_is_skipped_on_sms():
    user = factories.UserFactory(phone="")
    notification, _ = services.notify(key="k4", recipient=user, kind="test", title="t")
    sms = notification.deliveries.get(channel=Delivery.Channel.SMS)
    assert services.deliver(delivery_id=sms.pk) == Delivery.Status.SKIPPED
    assert LocmemBackend.outbox == []
