"""Reads shared by the letter pages, the API and the jobs."""

from django.db.models import Count, Prefetch, Q

from core.models import User
from letters.models import Letter, LetterBatch
from notices.models import Delivery


def batches_for(*, user: User):
    return (
        LetterBatch.objects.visible_to(user)
        .select_related("town", "queued_by")
        .annotate(
            n_letters=Count("letters"),
            n_sent=Count("letters", filter=Q(letters__status=Letter.Status.SENT)),
            n_read=Count("letters", filter=Q(letters__read_at__isnull=False)),
            n_failed=Count("letters", filter=Q(letters__status=Letter.Status.FAILED)),
        )
        .order_by("-month", "town__code")
    )


def letters_for(*, user: User, batch: LetterBatch | None = None):
    qs = Letter.objects.visible_to(user).select_related(
        "batch__town", "chief__user", "chief__region", "recipient"
    )
    if batch is not None:
        qs = qs.filter(batch=batch)
    return qs.prefetch_related(
        Prefetch("notification__deliveries", queryset=Delivery.objects.order_by("channel"))
    )


def inbox_for(*, user: User):
    """The chief's own letters that have been sent, newest first."""
    return (
        Letter.objects.filter(recipient=user, status=Letter.Status.SENT)
        .select_related("batch__town")
        .order_by("-batch__month", "-pk")
    )


def letter_for(*, user: User, pk: int) -> Letter:
    return (
        Letter.objects.visible_to(user)
        .select_related("batch__town", "chief__user", "chief__region", "recipient")
        .get(pk=pk)
    )


def delivery_state(letter: Letter) -> dict[str, str]:
    """``{"email": "sent", "sms": "pending"}`` for a sent letter; empty before."""
    if not letter.notification_id:
        return {}
    return {d.channel: d.status for d in letter.notification.deliveries.all()}


def delivery_states(notification_ids) -> dict[int, dict[str, str]]:
    """:func:`delivery_state` of many letters at once, by their notification: one query."""
    ids = [pk for pk in notification_ids if pk is not None]
    states: dict[int, dict[str, str]] = {}
    if ids:
        rows = Delivery.objects.filter(notification_id__in=ids).order_by("channel")
        for notification_id, channel, status in rows.values_list(
            "notification_id", "channel", "status"
        ):
            states.setdefault(notification_id, {})[channel] = status
    return states


def delivery_labels(letter: Letter) -> dict[str, str]:
    """Like :func:`delivery_state`, in words for the pages."""
    labels = dict(Delivery.Status.choices)
    return {channel: labels.get(code, code) for channel, code in delivery_state(letter).items()}


def batch_progress(*, batch: LetterBatch) -> dict:
    """How far the sending of a batch has got, in one query: what the page polls while the
    worker sends (``done`` once nothing is waiting or in flight)."""
    counts = dict(
        batch.letters.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    total = sum(counts.values())
    sent = counts.get(Letter.Status.SENT, 0)
    failed = counts.get(Letter.Status.FAILED, 0)
    waiting = counts.get(Letter.Status.PENDING, 0) + counts.get(Letter.Status.SENDING, 0)
    return {
        "status": batch.status,
        "total": total,
        "sent": sent,
        "failed": failed,
        "waiting": waiting,
        "percent": round(100 * (sent + failed) / total) if total else 100,
        "done": batch.status == LetterBatch.Status.SENT
        or (batch.status != LetterBatch.Status.DRAFT and waiting == 0),
    }


def batch_deliveries(*, batch: LetterBatch):
    """The e-mails and SMS of the batch's letters (the outbox rows), for counts and resends."""
    return Delivery.objects.filter(notification__letter__batch=batch)
