"""The outbox: create notifications once, and deliver each channel with nothing lost.

Guarantees (README, "Reliability"):

- **Exactly once in the inbox.** A notification is unique by ``key``; a second run of a job
  finds it and creates nothing.
- **Nothing lost.** Each channel is a :class:`Delivery` row, committed with the notification.
  The broker only wakes a worker up (:func:`notices.wakeup.wake`, after commit, never failing
  the caller); the sweeper (:func:`sweep_outbox`, beat every minute) sends every due row no
  task picked up — never attempted, lost with a restarted broker, or whose publish failed.
- **At least once to the gateway, deduplicated there.** A worker claims a row for a lease
  (PENDING -> SENDING, one conditional UPDATE: only the run that changed the row sends),
  marks it handed over, then sends with the row's idempotency key (SMS out-id, e-mail
  Message-ID). A definite failure (no connection, a refusal) goes back to PENDING with a
  backoff, FAILED after MAX_ATTEMPTS. A request that left without an answer is UNKNOWN, never
  re-sent blindly: the sweeper asks the gateway where it can tell, otherwise the office sees it
  and may resend it once (:func:`resend`), with the same key.
- **A dead worker's claim is resolved.** Past its lease, a claim that never handed the message
  over is PENDING again (nothing left); one that did is UNKNOWN, as above.
"""

import email.utils
import logging
import smtplib
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import User
from core.scoping import require_office
from notices.models import Delivery, Notification
from notices.sms import OutcomeUnknown, get_backend
from notices.wakeup import wake_on_commit

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
OUTCOME_QUERIES_PER_SWEEP = 200
S = Delivery.Status


class Undelivered(Exception):
    """The message certainly did not leave: safe to try again after a backoff."""


def _deliver_task():
    from notices.tasks import deliver

    return deliver


def _deliver_many_task():
    from notices.tasks import deliver_many

    return deliver_many


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

    The unique key, not memory, stops a second run of a job from notifying twice. The
    deliveries are committed with it; their wake-ups are published after the commit and a
    failed publish only delays them until the sweeper runs.
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
    for delivery in deliveries:
        wake_on_commit(_deliver_task(), delivery.pk)
    return notification, True


# --- many notifications at once ---------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One notification to create with :func:`notify_many` (the arguments of :func:`notify`)."""

    key: str
    recipient_id: int
    kind: str
    title: str
    body: str = ""
    url: str = ""


def _insert_new_notifications(messages: Sequence[Message], now: datetime) -> dict[str, int]:
    """INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id, key: {key: id} of the rows this
    statement created. A key another run created first is simply not returned, so the caller
    knows exactly what it created (Django's ``bulk_create(ignore_conflicts=True)`` cannot say).
    PostgreSQL and SQLite (3.35+) both speak it."""
    connection = connections[router.db_for_write(Notification)]
    qn = connection.ops.quote_name
    columns = ("key", "recipient_id", "kind", "title", "body", "url", "created_at")
    at = connection.ops.adapt_datetimefield_value(now)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {qn(Notification._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"VALUES {', '.join([row] * len(messages))} "
        f"ON CONFLICT ({qn('key')}) DO NOTHING RETURNING {qn('id')}, {qn('key')}"
    )
    params = []
    for m in messages:
        params += [m.key, m.recipient_id, m.kind, m.title, m.body, m.url, at]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: pk for pk, key in cursor.fetchall()}


def notify_many(
    *,
    messages: Sequence[Message],
    channels: tuple[str, ...] = (Delivery.Channel.EMAIL, Delivery.Channel.SMS),
    batch_size: int = 1000,
) -> dict[str, int]:
    """:func:`notify` for many messages in a few statements; returns {key: id} of the
    notifications this call created (keys that already existed are left alone).

    Same guarantees as :func:`notify`: the unique key makes a second run create nothing, the
    deliveries commit with their notifications (one transaction, all or nothing), and their
    wake-ups are published after the commit, one task per chunk of
    ``NOTICES_DELIVERY_CHUNK`` deliveries (:func:`deliver_many`), never failing the caller.
    """
    created: dict[str, int] = {}
    delivery_ids: list[int] = []
    now = timezone.now()
    with transaction.atomic(using=router.db_for_write(Notification)):
        for start in range(0, len(messages), batch_size):
            created |= _insert_new_notifications(messages[start : start + batch_size], now)
        if created and channels:
            deliveries = Delivery.objects.bulk_create(
                [
                    Delivery(notification_id=pk, channel=channel, next_attempt_at=now)
                    for pk in created.values()
                    for channel in channels
                ],
                batch_size=batch_size,
            )
            delivery_ids = [d.pk for d in deliveries]
    wake_deliveries_on_commit(delivery_ids)
    return created


def wake_deliveries_on_commit(delivery_ids: Sequence[int]) -> None:
    """After the commit, wake the deliveries up in chunks of ``NOTICES_DELIVERY_CHUNK``: one
    task claims and sends a chunk, so thousands of alerts are tens of tasks, not thousands."""
    size = settings.NOTICES_DELIVERY_CHUNK
    for start in range(0, len(delivery_ids), size):
        wake_on_commit(_deliver_many_task(), list(delivery_ids[start : start + size]))


# --- one delivery -----------------------------------------------------------------------------


def _claim(delivery_id: int, now: datetime) -> bool:
    """PENDING (and due) -> SENDING with a lease, in one conditional UPDATE: only the run that
    changes the row sends."""
    lease = timedelta(seconds=settings.NOTICES_LEASE_SECONDS)
    return (
        Delivery.objects.filter(pk=delivery_id, status=S.PENDING, next_attempt_at__lte=now).update(
            status=S.SENDING, claimed_at=now, lease_until=now + lease, handed_at=None
        )
        == 1
    )


def _message_id(delivery: Delivery) -> str:
    domain = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return f"<{delivery.idempotency_key}@{domain or 'localhost'}>"


class Mailer:
    """One SMTP connection for a chunk of e-mails: opened for the first, kept for the next.

    A connection per message was a TCP connect, a greeting, EHLO (and TLS and a login on a real
    server) for every e-mail. A refusal (the server answered no) leaves the session usable, as
    ``smtplib`` resets it; any other error drops the connection and the next e-mail opens a new
    one. A connection left idle for ``IDLE_CHECK_SECONDS`` is checked (NOOP) before it is used
    again, so a server that closed it meanwhile costs a reconnect, never an "unknown" outcome.
    """

    IDLE_CHECK_SECONDS = 10.0

    def __init__(self) -> None:
        self.connection = None
        self.used_at = 0.0
        self.opened = 0

    def _open(self):
        idle = time.monotonic() - self.used_at > self.IDLE_CHECK_SECONDS
        if self.connection is not None and idle and not _still_open(self.connection):
            self.close()
        if self.connection is None:
            connection = get_connection()
            try:
                connection.open()
            except Exception as exc:  # no connection, refused greeting or login: nothing left
                raise Undelivered(f"SMTP: {exc!r}") from exc
            self.connection = connection
            self.opened += 1
        return self.connection

    def send(self, message: EmailMessage) -> None:
        connection = self._open()
        try:
            connection.send_messages([message])
        except (
            smtplib.SMTPRecipientsRefused,
            smtplib.SMTPSenderRefused,
            smtplib.SMTPDataError,
        ) as exc:
            # The server answered, and said no.
            raise Undelivered(f"SMTP refused: {exc!r}") from exc
        except Exception as exc:
            # A dropped connection or a timeout after the data left: maybe delivered.
            self.close()
            raise OutcomeUnknown(f"SMTP: no answer: {exc!r}") from exc
        finally:
            self.used_at = time.monotonic()

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            connection.close()
        except Exception:
            logger.debug("closing the SMTP connection failed", exc_info=True)


def _still_open(connection) -> bool:
    """A NOOP on an SMTP session (other backends have nothing to check)."""
    smtp = getattr(connection, "connection", None)
    if smtp is None or not hasattr(smtp, "noop"):
        return True
    try:
        return smtp.noop()[0] == 250
    except Exception:
        return False


def _send_email(
    delivery: Delivery, notification: Notification, address: str, mailer: Mailer | None = None
) -> None:
    """Hand one e-mail to the SMTP server, on the chunk's connection when there is one."""
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{settings.SITE_URL.rstrip('/')}{notification.url}"
    message = EmailMessage(
        notification.title, body, None, [address], headers={"Message-ID": _message_id(delivery)}
    )
    if mailer is not None:
        mailer.send(message)
        return
    mailer = Mailer()
    try:
        mailer.send(message)
    finally:
        mailer.close()


def _send_sms(delivery: Delivery, notification: Notification, phone: str) -> None:
    from notices.sms import SmsError

    try:
        get_backend().send(
            phone=phone,
            text=f"【{settings.SMS_SIGN_NAME}】{notification.title}",
            out_id=delivery.idempotency_key,
        )
    except SmsError as exc:
        raise Undelivered(str(exc)) from exc


def deliver(*, delivery_id: int) -> str:
    """Send one delivery: claimed for a lease, handed over with its idempotency key.

    Returns what became of it ("sent", "skipped", "unknown", "failed (n): ...", or "skipped:
    not pending" when another run holds or finished it).
    """
    claimed_at = timezone.now()
    if not _claim(delivery_id, claimed_at):
        return "skipped: not pending"
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    notification = delivery.notification
    recipient = notification.recipient
    is_email = delivery.channel == Delivery.Channel.EMAIL
    address = recipient.email if is_email else recipient.phone
    mine = Delivery.objects.filter(pk=delivery.pk, claimed_at=claimed_at)
    if not address:
        mine.filter(status=S.SENDING).update(status=S.SKIPPED, attempts=delivery.attempts + 1)
        return S.SKIPPED
    # From here on a crash means "maybe sent" (see sweep_outbox). A claim the sweeper took
    # back meanwhile (its lease ran out) is no longer ours to send.
    if not mine.filter(status=S.SENDING).update(handed_at=timezone.now()):
        return "skipped: not pending"
    try:
        if is_email:
            _send_email(delivery, notification, address)
        else:
            _send_sms(delivery, notification, address)
    except OutcomeUnknown as exc:
        logger.warning("delivery %s on %s: outcome unknown: %s", delivery.pk, delivery.channel, exc)
        mine.filter(status=S.SENDING).update(
            status=S.UNKNOWN, attempts=delivery.attempts + 1, last_error=str(exc)[:2000]
        )
        return S.UNKNOWN
    except Exception as exc:  # Undelivered, or a bug before anything left
        logger.warning("delivery %s on %s failed: %s", delivery.pk, delivery.channel, exc)
        attempts = delivery.attempts + 1
        status = S.FAILED if attempts >= MAX_ATTEMPTS else S.PENDING
        mine.filter(status=S.SENDING).update(
            status=status,
            attempts=attempts,
            last_error=str(exc)[:2000],
            next_attempt_at=timezone.now() + timedelta(minutes=2**attempts),
            handed_at=None,
        )
        return f"failed ({attempts}): {exc}"
    # A slow send may have outlived its lease (the sweeper then marked it UNKNOWN): the
    # answer came after all, so it is SENT.
    mine.filter(status__in=[S.SENDING, S.UNKNOWN]).update(
        status=S.SENT, attempts=delivery.attempts + 1, sent_at=timezone.now(), last_error=""
    )
    return S.SENT


# What sending reads of a delivery, its notification and recipient (a user row is wide).
SENT_FIELDS = (
    "channel",
    "attempts",
    "notification__title",
    "notification__body",
    "notification__url",
    "notification__recipient__email",
    "notification__recipient__phone",
)


def deliver_many(*, delivery_ids: Sequence[int]) -> dict[str, int]:
    """Send a chunk of deliveries; returns how many became of each kind ("sent", "skipped",
    "unknown", "failed", "not pending", "handed back").

    The chunk is claimed in one transaction: the rows still PENDING and due that no other run
    holds (``SELECT ... FOR UPDATE SKIP LOCKED``, then one UPDATE of exactly those), so a second
    wake-up of the same chunk, a retry or a concurrent single :func:`deliver` finds them taken
    and sends nothing twice. The rows are then handed over in groups of
    ``NOTICES_HANDOVER_GROUP``, one commit a group (the group handed over before its first
    send, with the previous group's sends recorded), not a commit per message, which was most
    of the time of a large run. The
    price is that a worker that dies while sending a group leaves the group's unsent rows
    "unknown" rather than pending (never sent twice; the sweeper asks the SMS gateway, the
    office sees the e-mails). A chunk that runs short of time (half its lease, or most of the
    task's time limit) hands the rows it did not reach back to PENDING and wakes them again.
    """
    claimed_at = timezone.now()
    lease = timedelta(seconds=settings.NOTICES_LEASE_SECONDS)
    with transaction.atomic(using=router.db_for_write(Delivery)):
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(delivery_ids), status=S.PENDING, next_attempt_at__lte=claimed_at)
            .values_list("pk", flat=True)
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=S.SENDING,
                claimed_at=claimed_at,
                lease_until=claimed_at + lease,
                handed_at=None,
            )
    counts: Counter[str] = Counter()
    counts["not pending"] = len(set(delivery_ids)) - len(ids)
    if not ids:
        return {k: v for k, v in counts.items() if v}
    mine = Delivery.objects.filter(claimed_at=claimed_at, status=S.SENDING)
    rows, no_address = [], []
    for delivery in (
        Delivery.objects.filter(pk__in=ids)
        .select_related("notification__recipient")
        .only(*SENT_FIELDS)
        .order_by("pk")
    ):
        (rows if _address(delivery) else no_address).append(delivery)
    if no_address:
        counts[S.SKIPPED] = mine.filter(pk__in=[d.pk for d in no_address]).update(
            status=S.SKIPPED, attempts=F("attempts") + 1
        )
    budget = min(lease.total_seconds() / 2, settings.NOTICES_TASK_TIME_LIMIT * 0.75)
    mailer = Mailer()  # one SMTP connection for the chunk's e-mails
    try:
        return _send_groups(rows, claimed_at, counts, budget, mailer)
    finally:
        mailer.close()


def _send_groups(
    rows: list[Delivery],
    claimed_at: datetime,
    counts: Counter[str],
    budget: float,
    mailer: Mailer,
) -> dict[str, int]:
    """:func:`deliver_many` past the claim: hand over, send and record, a group at a time."""
    mine = Delivery.objects.filter(claimed_at=claimed_at, status=S.SENDING)
    started = time.monotonic()
    group_size = settings.NOTICES_HANDOVER_GROUP
    sent: list[int] = []  # sent, to be marked so with the next group's hand-over
    for start in range(0, len(rows), group_size):
        # At least one group per chunk, so a chunk handed back always makes progress.
        if start and time.monotonic() - started > budget:
            left = [d.pk for d in rows[start:]]
            with transaction.atomic(using=router.db_for_write(Delivery)):
                counts[S.SENT] += _mark_sent(sent, claimed_at)
                counts["handed back"] = mine.filter(pk__in=left, handed_at__isnull=True).update(
                    status=S.PENDING, next_attempt_at=claimed_at, claimed_at=None, lease_until=None
                )
            wake_deliveries_on_commit(left)
            return {k: v for k, v in counts.items() if v}
        group = rows[start : start + group_size]
        # One commit: the previous group's sends recorded, this group handed over (before
        # anything of it leaves).
        with transaction.atomic(using=router.db_for_write(Delivery)):
            counts[S.SENT] += _mark_sent(sent, claimed_at)
            ours = _hand_over(group, claimed_at)
        counts["not pending"] += len(group) - len(ours)
        sent = _send_each(ours, claimed_at, counts, mailer)
    counts[S.SENT] += _mark_sent(sent, claimed_at)
    return {k: v for k, v in counts.items() if v}


def _address(delivery: Delivery) -> str:
    recipient = delivery.notification.recipient
    return recipient.email if delivery.channel == Delivery.Channel.EMAIL else recipient.phone


def _hand_over(group: list[Delivery], claimed_at: datetime) -> list[Delivery]:
    """Mark a group of this run's claims handed over (one UPDATE); the ones still ours."""
    handed_at = timezone.now()
    mine = Delivery.objects.filter(claimed_at=claimed_at, pk__in=[d.pk for d in group])
    if mine.filter(status=S.SENDING).update(handed_at=handed_at) == len(group):
        return group
    # The sweeper took back a claim whose lease ran out: no longer ours to send.
    ours = set(mine.filter(handed_at=handed_at).values_list("pk", flat=True))
    return [d for d in group if d.pk in ours]


def _mark_sent(pks: list[int], claimed_at: datetime) -> int:
    if not pks:
        return 0
    # As in deliver: a send that outlived its lease (now UNKNOWN) did arrive.
    return Delivery.objects.filter(
        pk__in=pks, claimed_at=claimed_at, status__in=[S.SENDING, S.UNKNOWN]
    ).update(status=S.SENT, attempts=F("attempts") + 1, sent_at=timezone.now(), last_error="")


def _send_each(
    group: list[Delivery], claimed_at: datetime, counts: Counter[str], mailer: Mailer
) -> list[int]:
    """Send each delivery handed over; returns the ids sent (a failure or an unknown outcome
    is written at once, as :func:`deliver` does). E-mails go on the chunk's connection."""
    sent = []

    def row(delivery):
        return Delivery.objects.filter(pk=delivery.pk, claimed_at=claimed_at, status=S.SENDING)

    for delivery in group:
        notification = delivery.notification
        try:
            if delivery.channel == Delivery.Channel.EMAIL:
                _send_email(delivery, notification, _address(delivery), mailer=mailer)
            else:
                _send_sms(delivery, notification, _address(delivery))
        except OutcomeUnknown as exc:
            logger.warning(
                "delivery %s on %s: outcome unknown: %s", delivery.pk, delivery.channel, exc
            )
            counts[S.UNKNOWN] += row(delivery).update(
                status=S.UNKNOWN, attempts=delivery.attempts + 1, last_error=str(exc)[:2000]
            )
            continue
        except Exception as exc:  # Undelivered, or a bug before anything left
            logger.warning("delivery %s on %s failed: %s", delivery.pk, delivery.channel, exc)
            attempts = delivery.attempts + 1
            counts["failed"] += row(delivery).update(
                status=S.FAILED if attempts >= MAX_ATTEMPTS else S.PENDING,
                attempts=attempts,
                last_error=str(exc)[:2000],
                next_attempt_at=timezone.now() + timedelta(minutes=2**attempts),
                handed_at=None,
            )
            continue
        sent.append(delivery.pk)
    return sent


# --- the sweeper ------------------------------------------------------------------------------


def sweep_outbox(
    *, now: datetime | None = None, grace: timedelta | None = None, limit: int = 2000
) -> dict:
    """What the beat sweeper does every minute; returns counts and the ids due for sending.

    1. Claims past their lease (the worker died): nothing handed over -> PENDING at once;
       handed over -> UNKNOWN.
    2. UNKNOWN SMS: ask the gateway by idempotency key where it can tell; received -> SENT,
       never received -> PENDING (safe to send); no answer -> stays for the office.
    3. The PENDING rows due for at least ``grace`` (the usual wake-up had its chance):
       their ids, for the caller to wake up (the claim makes a double wake-up harmless).
    """
    now = now or timezone.now()
    if grace is None:
        grace = timedelta(seconds=settings.NOTICES_SWEEP_GRACE_SECONDS)
    released = in_doubt = resolved = 0
    expired = Delivery.objects.filter(status=S.SENDING, lease_until__lt=now).values_list(
        "pk", "claimed_at", "handed_at"
    )
    for pk, claimed_at, handed_at in list(expired[:limit]):
        row = Delivery.objects.filter(pk=pk, status=S.SENDING, claimed_at=claimed_at)
        if handed_at is None:
            released += row.update(
                status=S.PENDING,
                next_attempt_at=now,
                last_error=_("发送进程中断，消息未发出，已重新排队"),
            )
        else:
            in_doubt += row.update(
                status=S.UNKNOWN,
                last_error=_("发送进程在交给网关后中断，无法确认是否已发出"),
            )
    backend = get_backend()
    doubtful = Delivery.objects.filter(status=S.UNKNOWN, channel=Delivery.Channel.SMS)
    if hasattr(backend, "outcome"):
        silent = 0
        # A bounded look per sweep: a gateway that cannot tell (or is down) must not hold the
        # sweeper for minutes; three answers of "don't know" in a row end this look.
        for delivery in doubtful.order_by("pk")[:OUTCOME_QUERIES_PER_SWEEP]:
            answer = backend.outcome(out_id=delivery.idempotency_key)
            if answer is None:
                silent += 1
                if silent >= 3:
                    break
                continue
            silent = 0
            row = Delivery.objects.filter(pk=delivery.pk, status=S.UNKNOWN)
            if answer:
                resolved += row.update(status=S.SENT, sent_at=now, last_error="")
            else:
                resolved += row.update(
                    status=S.PENDING, next_attempt_at=now, last_error=_("网关确认未收到")
                )
    due = list(
        Delivery.objects.filter(status=S.PENDING, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return {"released": released, "unknown": in_doubt, "resolved": resolved, "due": due}


# --- the office -------------------------------------------------------------------------------


@transaction.atomic
def resend(*, deliveries: QuerySet, by: User) -> int:
    """Office: send again, now, the given deliveries that are pending or of unknown outcome.

    Once per delivery (``resent_at``/``resent_by`` record who and when): an unknown outcome
    may have reached the person already, so a second manual resend is refused. The resend
    carries the same idempotency key, so a gateway that deduplicates drops a repeat.
    ``deliveries`` is already limited to what ``by`` may see (a selector's queryset).
    """
    require_office(by)
    now = timezone.now()
    eligible = deliveries.filter(status__in=[S.PENDING, S.UNKNOWN], resent_at__isnull=True)
    ids = list(eligible.values_list("pk", flat=True))
    if not ids:
        raise ValidationError({"deliveries": _("没有可重发的消息（每条只能人工重发一次）")})
    n = Delivery.objects.filter(
        pk__in=ids, status__in=[S.PENDING, S.UNKNOWN], resent_at__isnull=True
    ).update(status=S.PENDING, next_attempt_at=now, resent_at=now, resent_by=by, handed_at=None)
    logger.info("%s resent %s deliveries: %s", by, n, ids[:50])
    for pk in ids:
        wake_on_commit(_deliver_task(), pk)
    return n


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
