"""Create notifications once and deliver them at most once per channel."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import User
from notices.models import Delivery, Notification
from notices.sms import get_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def notify(
    *,
    key: str,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    channels: tuple[str, ...] = (Delivery.Channel.EMAIL, Delivery.Channel.SMS),
) -> tuple[Notification, bool]:
    """Create the notification with this ``key`` unless it exists; returns (row, created).

    The unique key, not memory, stops a second run of a job from notifying twice. Deliveries
    are queued after the transaction commits.
    """
    existing = Notification.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=key, recipient=recipient, kind=kind, title=title, body=body, url=url
            )
            deliveries = Delivery.objects.bulk_create(
                [Delivery(notification=notification, channel=c) for c in channels]
            )
    except IntegrityError:
        # Another process got there first.
        return Notification.objects.get(key=key), False
    from notices.tasks import deliver

    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: deliver.delay(pk))
    return notification, True


def _claim(delivery_id: int) -> bool:
    """PENDING -> SENDING in one conditional UPDATE; only the run that changes the row sends."""
    return (
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, claimed_at=timezone.now()
        )
        == 1
    )


def deliver(*, delivery_id: int) -> str:
    """Send one delivery at most once.

    A failure while sending puts the row back to PENDING with a later ``next_attempt_at`` (the
    retry job picks it up with exponential backoff) until MAX_ATTEMPTS, then FAILED. A worker
    that dies after claiming leaves the row SENDING, where staff see it; it is never re-sent
    automatically, so nobody gets a message twice.
    """
    if not _claim(delivery_id):
        return "skipped: not pending"
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    notification = delivery.notification
    recipient = notification.recipient
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            if not recipient.email:
                return _finish(delivery, Delivery.Status.SKIPPED)
            body = notification.body
            if notification.url:
                body = f"{body}\n\n{settings.SITE_URL.rstrip('/')}{notification.url}"
            send_mail(notification.title, body, None, [recipient.email])
        elif delivery.channel == Delivery.Channel.SMS:
            if not recipient.phone:
                return _finish(delivery, Delivery.Status.SKIPPED)
            get_backend().send(
                phone=recipient.phone, text=f"【{settings.SMS_SIGN_NAME}】{notification.title}"
            )
    except Exception as exc:
        logger.warning("delivery %s on %s failed: %s", delivery.pk, delivery.channel, exc)
        attempts = delivery.attempts + 1
        status = Delivery.Status.FAILED if attempts >= MAX_ATTEMPTS else Delivery.Status.PENDING
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status,
            attempts=attempts,
            last_error=str(exc)[:2000],
            next_attempt_at=timezone.now() + timedelta(minutes=2**attempts),
        )
        return f"failed ({attempts}): {exc}"
    return _finish(delivery, Delivery.Status.SENT)


def _finish(delivery: Delivery, status: str) -> str:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, attempts=delivery.attempts + 1, sent_at=timezone.now(), last_error=""
    )
    return status


def due_delivery_ids(*, now=None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, attempts__gt=0, next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:limit]
    )


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
