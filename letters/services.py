"""Writes for the monthly letters: templates, batches, the fan-out and the send of the letters.

Exactly once, whatever happens:
- the database holds one batch per town and month, and one letter per chief per batch;
- a letter task *claims* its letters with one conditional UPDATE (PENDING -> SENDING, the
  claim time marking the rows it owns) and goes on with those only, so a retry or a second
  worker does nothing to a letter already claimed;
- a letter is marked SENT in the same transaction that creates its notification
  (``notices.services.notify_many``, unique by ``letter:{id}``) and its e-mail and SMS deliveries,
  which are claimed per channel there. So a letter whose worker died after the claim (left
  SENDING) may safely be claimed again by :func:`requeue_stalled`: nothing of it was
  committed, or the second run finds the notification already there and sends nothing twice.

Letters go a chunk at a time (:func:`send_letters`, ``LETTERS_CHUNK_SIZE``): the figures of a
chunk's chiefs are gathered in a constant number of queries, and its deliveries go out as
tasks of their own (``notices.tasks.deliver_many``), so two workers pipeline chunks and
deliveries side by side.

The broker only wakes workers up (``notices.wakeup``): a publish that fails after a commit
fails nothing; :func:`requeue_stalled` (beat, every minute) queues again the letters of a
batch that stopped moving, and the outbox sweeper sends the e-mails and SMS of every letter.
"""

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region, User
from core.scoping import require_office, require_region_in_scope
from letters import sources, templating
from letters.models import Letter, LetterBatch, LetterTemplate, first_of_month
from notices.models import Delivery, Notification
from notices.services import Message, notify_many
from notices.wakeup import wake, wake_on_commit
from rivers.models import Chief, ChiefAssignment

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


# --- template ---------------------------------------------------------------------------------


def template_for(*, town: Region) -> tuple[str, str]:
    """(subject, body) of the town's template, or the built-in default."""
    row = LetterTemplate.objects.filter(town=town).first()
    if row is None:
        return templating.DEFAULT_SUBJECT, templating.DEFAULT_BODY
    return row.subject, row.body


def validate_template(*, subject: str, body: str) -> None:
    errors = {}
    for field, source in (("subject", subject), ("body", body)):
        if not source.strip():
            errors[field] = _("不能为空")
            continue
        try:
            templating.check(source)
        except templating.UnknownField as exc:
            errors[field] = _("模板引用了未知字段：%(field)s") % {"field": exc.name}
        except TemplateSyntaxError as exc:
            errors[field] = _("模板语法错误：%(error)s") % {"error": exc}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_template(*, town: Region, subject: str, body: str, by: User) -> LetterTemplate:
    """Check and save the town's letter template; an unknown field is refused by name."""
    require_office(by)
    require_region_in_scope(by, town)
    validate_template(subject=subject, body=body)
    _render_sample(town=town, subject=subject, body=body)
    row, _created = LetterTemplate.objects.update_or_create(
        town=town,
        defaults={"subject": subject, "body": body, "updated_by": by, "updated_at": timezone.now()},
    )
    return row


def _render_sample(*, town: Region, subject: str, body: str) -> None:
    """Render the template for one chief of this month's letters (or with no data at all)
    before saving: a filter that fails at run time (``divisibleby:0``, a tag needing a
    request) is refused here, instead of failing every letter of the next batch."""
    chief = preview_chiefs(town=town).first()
    context = (
        sources.gather(batch=_this_months_batch(town), chiefs=[chief])[chief.pk]
        if chief is not None
        else {}
    )
    for field, source in (("subject", subject), ("body", body)):
        try:
            templating.render(source, context)
        except Exception as exc:  # any error of a user's template is a refusal, not a 500
            raise ValidationError(
                {field: _("模板无法生成信件：%(error)s") % {"error": exc or type(exc).__name__}}
            ) from exc


# --- batches ----------------------------------------------------------------------------------


def _this_months_batch(town: Region) -> LetterBatch:
    """This month's batch of the town, or an unsaved one like it (for previews)."""
    month = first_of_month(timezone.localdate())
    batch = LetterBatch.objects.filter(town=town, month=month).first()
    if batch is None:
        number = LetterBatch.objects.filter(town=town, year=month.year).aggregate(n=Max("number"))
        batch = LetterBatch(town=town, month=month, year=month.year, number=(number["n"] or 0) + 1)
    return batch


def preview_chiefs(*, town: Region):
    """The chiefs a template preview may be shown for: those this month's letters go to."""
    return chiefs_for_batch(batch=_this_months_batch(town))


def preview_template(
    *, town: Region, subject: str, body: str, chief: Chief, by: User
) -> tuple[str, str]:
    """(subject, body) of a template being edited, rendered for one chief of the town with this
    month's figures; nothing is saved. An unknown field is refused by name, as on saving."""
    require_office(by)
    require_region_in_scope(by, town)
    if not chief.region.code.startswith(town.code):
        raise ValidationError({"chief": [_("只能预览本镇河长的信")]})
    validate_template(subject=subject, body=body)
    batch = _this_months_batch(town)
    context = sources.gather(batch=batch, chiefs=[chief])[chief.pk]
    return templating.render(subject, context)[:300], templating.render(body, context)


def chiefs_for_batch(*, batch: LetterBatch):
    """Active chiefs of the town with at least one river on the last day of the period."""
    current = ChiefAssignment.objects.current(on=batch.period_end).filter(river__is_active=True)
    return (
        Chief.objects.active()
        .filter(region__code__startswith=batch.town.code, pk__in=current.values("chief_id"))
        .select_related("user", "region")
        .order_by("pk")
    )


def _normalise_month(month) -> date:
    if isinstance(month, str):
        try:
            year, mon = (int(x) for x in month[:7].split("-"))
            month = date(year, mon, 1)
        except ValueError:
            raise ValidationError({"month": _("月份格式应为 YYYY-MM")}) from None
    return first_of_month(month)


def _town(town: Region) -> Region:
    if town.kind != Region.Kind.TOWN:
        raise ValidationError({"town": _("致河长信按镇/街道分批")})
    return town


@transaction.atomic
def create_batch(*, town: Region, month, by: User | None = None) -> LetterBatch:
    """A new draft batch (numbered per town and year) with a letter row for each chief.

    A month that already has a batch is refused (if it was sent, the message says so); the
    database's unique (town, month) keeps a race from creating a second one.
    """
    if by is not None:
        require_office(by)
        require_region_in_scope(by, town)
    month = _normalise_month(month)
    _town(town)
    existing = LetterBatch.objects.filter(town=town, month=month).first()
    if existing is not None:
        if existing.status == LetterBatch.Status.DRAFT:
            msg = _("%(month)s的批次已存在（第%(n)s期），请直接预览发送")
        else:
            msg = _("%(month)s的致河长信已发送（第%(n)s期），不能重复发送")
        raise ValidationError({"month": msg % {"month": f"{month:%Y-%m}", "n": existing.number}})
    if month > first_of_month(timezone.localdate()):
        raise ValidationError({"month": _("不能为将来的月份建立批次")})
    number = (
        LetterBatch.objects.filter(town=town, year=month.year).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    try:
        with transaction.atomic():
            batch = LetterBatch.objects.create(
                town=town, month=month, year=month.year, number=number, created_by=by
            )
    except IntegrityError:
        raise ValidationError(
            {"month": _("%(month)s的批次刚由其他操作建立") % {"month": f"{month:%Y-%m}"}}
        ) from None
    ensure_letters(batch=batch)
    return batch


def ensure_letters(*, batch: LetterBatch) -> int:
    """Create the missing letter rows; the unique (batch, chief) makes a second run a no-op."""
    rows = [
        Letter(batch=batch, chief=chief, recipient_id=chief.user_id)
        for chief in chiefs_for_batch(batch=batch).select_related(None).only("pk", "user_id")
    ]
    Letter.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


@transaction.atomic
def send_batch(*, batch: LetterBatch, by: User | None = None) -> LetterBatch:
    """Start sending a draft batch: fix its template, then queue its letters after commit.

    DRAFT -> SENDING by a conditional UPDATE, so pressing "send" twice (or the beat job and a
    person at once) queues the batch once.
    """
    if by is not None:
        require_office(by)
        require_region_in_scope(by, batch.town)
    subject, body = template_for(town=batch.town)
    changed = LetterBatch.objects.filter(pk=batch.pk, status=LetterBatch.Status.DRAFT).update(
        status=LetterBatch.Status.SENDING,
        queued_at=timezone.now(),
        queued_by=by,
        subject_template=subject,
        body_template=body,
    )
    if changed != 1:
        raise ValidationError({"month": _("该批次已发送或正在发送")})
    ensure_letters(batch=batch)
    from letters.tasks import fan_out_batch

    # A broker down now only delays the batch: it is SENDING in the database, and the resume
    # job queues the letters of a batch that does not move.
    wake_on_commit(fan_out_batch, batch.pk, 0)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def queue_batch(*, town: Region, month) -> LetterBatch | None:
    """The monthly job: create the month's batch if missing and send it if still a draft.

    Idempotent: a batch already sending or sent is left alone (returns None).
    """
    month = _normalise_month(month)
    batch = LetterBatch.objects.filter(town=town, month=month).first()
    if batch is None:
        batch = create_batch(town=town, month=month)
    if batch.status != LetterBatch.Status.DRAFT:
        return None
    return send_batch(batch=batch)


def fan_out(*, batch_id: int, after_id: int = 0, chunk: int | None = None) -> int | None:
    """Queue chunks of the batch's pending letters; returns the id to continue after.

    Each chunk of ``LETTERS_CHUNK_SIZE`` letters is one task (:func:`send_letters`), and one
    call queues at most ``LETTERS_CHUNKS_PER_FAN_OUT`` of them before the caller queues the next
    call, so a batch of any size never sits in one long-running task while the workers already
    compose the first chunks side by side.
    """
    from letters.tasks import send_letter_chunk

    chunk = chunk or settings.LETTERS_CHUNK_SIZE
    page = chunk * settings.LETTERS_CHUNKS_PER_FAN_OUT
    ids = list(
        Letter.objects.filter(batch_id=batch_id, status=Letter.Status.PENDING, pk__gt=after_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:page]
    )
    for start in range(0, len(ids), chunk):
        if not wake(send_letter_chunk, ids[start : start + chunk]):
            return None  # the broker is gone: the resume job takes the batch over
    if len(ids) < page:
        _maybe_finish(batch_id)
        return None
    return ids[-1]


def requeue_stalled(
    *, stale_after: timedelta | None = None, now: datetime | None = None, limit: int = 20_000
) -> int:
    """Re-queue letters of sending batches that no worker finished: the resume after a crash,
    a lost broker message or a failed publish.

    Letters never tried are queued again only in a batch that stopped moving (sent
    ``stale_after`` ago and no letter claimed since), so a batch still fanning out is not
    queued twice; letters that failed after their backoff; SENDING letters whose claim is
    older than ``stale_after`` are queued with that claim time, which the task must match to
    take the row over (compare-and-set), so two resumes cannot both take it. Every letter's
    claim guards it, so a letter queued twice is sent once. Pending letters are queued in
    chunks; a stale SENDING letter alone, with its claim time.
    """
    from letters.tasks import compose_and_send_letter, send_letter_chunk

    now = now or timezone.now()
    if stale_after is None:
        stale_after = timedelta(seconds=settings.LETTERS_STALE_AFTER_SECONDS)
    stale = now - stale_after
    sending = LetterBatch.objects.filter(status=LetterBatch.Status.SENDING).annotate(
        last_claim=Max("letters__claimed_at")
    )
    stalled = [
        pk
        for pk, queued_at, last_claim in sending.values_list("pk", "queued_at", "last_claim")
        if (queued_at is None or queued_at <= stale) and (last_claim is None or last_claim <= stale)
    ]
    n = 0
    # A letter that failed waits 2, 4, 8, 16 minutes (by attempts) before it is tried again.
    due = Q(batch_id__in=stalled) & (Q(attempts=0) | Q(claimed_at__isnull=True))
    for tried in range(1, MAX_ATTEMPTS):
        due |= Q(attempts=tried, claimed_at__lte=now - timedelta(minutes=2**tried))
    rows = Letter.objects.filter(batch__status=LetterBatch.Status.SENDING).filter(
        (Q(status=Letter.Status.PENDING) & due)
        | Q(status=Letter.Status.SENDING, claimed_at__lte=stale)
    )
    # Read first, then queue: an eager or fast worker must not change rows under the cursor.
    found = list(rows.order_by("pk").values_list("pk", "status", "claimed_at")[:limit])
    pending = [pk for pk, status, _claimed in found if status == Letter.Status.PENDING]
    chunk = settings.LETTERS_CHUNK_SIZE
    for start in range(0, len(pending), chunk):
        if not wake(send_letter_chunk, pending[start : start + chunk]):
            return n  # the broker is still gone: the next run goes on
        n += len(pending[start : start + chunk])
    for pk, status, claimed_at in found:
        if status != Letter.Status.SENDING:
            continue
        if not wake(compose_and_send_letter, pk, claimed_at.isoformat()):
            break
        n += 1
    for batch_id in LetterBatch.objects.filter(status=LetterBatch.Status.SENDING).values_list(
        "pk", flat=True
    ):
        _maybe_finish(batch_id)
    return n


def _maybe_finish(batch_id: int) -> bool:
    """SENDING -> SENT once no letter of the batch is waiting or in flight."""
    waiting = Letter.objects.filter(
        batch_id=batch_id, status__in=[Letter.Status.PENDING, Letter.Status.SENDING]
    ).exists()
    if waiting:
        return False
    return (
        LetterBatch.objects.filter(pk=batch_id, status=LetterBatch.Status.SENDING).update(
            status=LetterBatch.Status.SENT, completed_at=timezone.now()
        )
        == 1
    )


# --- one letter -------------------------------------------------------------------------------


def compose(*, letters: list[Letter]) -> dict[int, tuple[str, str, dict]]:
    """Subject, body and figures of each letter (all of one batch), without saving anything."""
    if not letters:
        return {}
    batch = letters[0].batch
    if batch.status == LetterBatch.Status.DRAFT or not batch.body_template:
        subject_t, body_t = template_for(town=batch.town)
    else:
        subject_t, body_t = batch.subject_template, batch.body_template
    contexts = sources.gather(batch=batch, chiefs=[letter.chief for letter in letters])
    out = {}
    for letter in letters:
        ctx = contexts[letter.chief_id]
        out[letter.pk] = (
            templating.render(subject_t, ctx)[:300],
            templating.render(body_t, ctx),
            ctx,
        )
    return out


def preview(*, letter: Letter) -> Letter:
    """The letter as it would be sent now (not saved); sent letters are returned as they are."""
    if letter.status == Letter.Status.SENT:
        return letter
    subject, body, figures = compose(letters=[letter])[letter.pk]
    letter.subject, letter.body, letter.figures = subject, body, figures
    return letter


def compose_and_send_letter(*, letter_id: int, stale_claim: datetime | None = None) -> str:
    """Compose one letter and deliver it (inbox, e-mail, SMS) exactly once: a chunk of one
    (see :func:`send_letters`). Returns "sent", "failed (n): ..." or "skipped: already claimed".
    A constant number of queries whatever the number of rivers (tested).
    """
    result = send_letters(letter_ids=[letter_id], stale_claim=stale_claim)
    if result["sent"]:
        return "sent"
    if result["failed"]:
        return result["errors"][0]
    return "skipped: already claimed"


# Composing reads the chief's name of their user row (a wide one); the recipient is an id.
_UNREAD_USER_FIELDS = tuple(
    f"chief__user__{f.name}"
    for f in User._meta.concrete_fields
    if f.name not in ("id", "first_name", "last_name", "username")
)


def send_letters(
    *, letter_ids: list[int], stale_claim: datetime | None = None
) -> dict[str, int | list[str]]:
    """Compose a chunk of letters and deliver them (inbox, e-mail, SMS), each exactly once.

    Set-based, so a chunk of 500 costs the queries of a chunk of one (tested): one UPDATE claims
    every letter still PENDING (PENDING -> SENDING, ``claimed_at`` marks this run), the figures
    of all their chiefs are gathered at once (``sources.gather``), each letter is rendered, and
    one transaction marks them SENT and creates their notifications and deliveries in bulk
    (``notices.services.notify_many``, unique by key). The e-mails and SMS of the chunk are
    woken after the commit as tasks of their own (``deliver_many``, ``NOTICES_DELIVERY_CHUNK``
    deliveries each), so the next chunk never waits behind them.

    A letter another run claimed is skipped; a letter that is SENDING is taken over only with
    ``stale_claim`` (one letter, compare-and-set, see :func:`requeue_stalled`). When the chunk
    fails as a whole (a source down, a template that fails on one letter), nothing of it was
    committed and each letter is tried alone, so one bad letter never holds back the others:
    a failure puts the letter back to PENDING with its attempt counted; after MAX_ATTEMPTS it
    is FAILED and shown on the batch page.
    """
    claimed_at = _claim_many(letter_ids, stale_claim)
    letters = list(
        Letter.objects.filter(
            pk__in=letter_ids, status=Letter.Status.SENDING, claimed_at=claimed_at
        )
        .select_related("batch__town", "chief__user", "chief__region")
        .defer(*_UNREAD_USER_FIELDS)
        .order_by("batch_id", "pk")
    )
    result: dict = {"sent": 0, "failed": 0, "skipped": len(letter_ids) - len(letters), "errors": []}
    by_batch: dict[int, list[Letter]] = {}
    for letter in letters:
        by_batch.setdefault(letter.batch_id, []).append(letter)
    for batch_letters in by_batch.values():
        try:
            _send_claimed(batch_letters, claimed_at)
            result["sent"] += len(batch_letters)
        except Exception as exc:
            if len(batch_letters) == 1:
                result["errors"].append(_record_failure(batch_letters[0], claimed_at, exc))
                result["failed"] += 1
            else:
                logger.warning("letter chunk failed, trying its letters one by one: %s", exc)
                for letter in batch_letters:
                    try:
                        _send_claimed([letter], claimed_at)
                        result["sent"] += 1
                    except Exception as one:
                        result["errors"].append(_record_failure(letter, claimed_at, one))
                        result["failed"] += 1
        _maybe_finish(batch_letters[0].batch_id)
    return result


def _claim_many(letter_ids: list[int], stale_claim: datetime | None) -> datetime:
    """PENDING -> SENDING for every letter no other run holds (or a stale SENDING with exactly
    this claim time); the claim time, which marks the rows this run owns."""
    now = timezone.now()
    qs = Letter.objects.filter(pk__in=letter_ids)
    if stale_claim is None:
        qs = qs.filter(status=Letter.Status.PENDING)
    else:
        qs = qs.filter(status=Letter.Status.SENDING, claimed_at=stale_claim)
    qs.update(status=Letter.Status.SENDING, claimed_at=now)
    return now


_URL_MARK = 987654321


@transaction.atomic
def _send_claimed(letters: list[Letter], claimed_at: datetime) -> None:
    """Compose ``letters`` (all of one batch, claimed by this run) and commit them SENT with
    their notifications and deliveries, all or nothing."""
    composed = compose(letters=letters)
    ids = [letter.pk for letter in letters]
    # Still ours? (Locks the rows: a resume job taking over a stale claim waits, then finds
    # them SENT.) Anything else rolls the chunk back.
    now = timezone.now()
    mine = Letter.objects.filter(pk__in=ids, status=Letter.Status.SENDING, claimed_at=claimed_at)
    if mine.update(status=Letter.Status.SENT, sent_at=now, last_error="") != len(ids):
        raise IntegrityError("a letter of the chunk was taken over by another run")
    # One reverse() for the chunk: the letter's address with its id put in.
    url = reverse("letters:letter-detail", args=[_URL_MARK])
    keys = [letter.notification_key for letter in letters]
    # A notification already there (see notices.services.notify) is linked, not created again.
    notifications = dict(Notification.objects.filter(key__in=keys).values_list("key", "pk"))
    notifications |= notify_many(
        messages=[
            Message(
                key=letter.notification_key,
                recipient_id=letter.recipient_id,
                kind="letter",
                title=composed[letter.pk][0][:200],
                body=composed[letter.pk][1],
                url=url.replace(str(_URL_MARK), str(letter.pk)),
            )
            for letter in letters
        ],
        channels=(Delivery.Channel.EMAIL, Delivery.Channel.SMS),
    )
    for letter in letters:
        letter.subject, letter.body, letter.figures = composed[letter.pk]
        letter.notification_id = notifications[letter.notification_key]
        letter.attempts += 1
    _save_texts(letters)


def _save_texts(letters: list[Letter]) -> None:
    """Each letter's own text, figures and notification, in one statement run for every row
    (``executemany``: pipelined by psycopg). ``bulk_update`` would build a CASE of every row
    for every column, which costs seconds of Python and SQL on a chunk of hundreds."""
    figures = Letter._meta.get_field("figures")
    q = connection.ops.quote_name
    sql = (
        f"UPDATE {q(Letter._meta.db_table)} SET {q('subject')} = %s, {q('body')} = %s, "
        f"{q('figures')} = %s, {q('notification_id')} = %s, {q('attempts')} = %s "
        f"WHERE {q('id')} = %s"
    )
    rows = [
        (
            x.subject,
            x.body,
            figures.get_db_prep_save(x.figures, connection),
            x.notification_id,
            x.attempts,
            x.pk,
        )
        for x in letters
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _record_failure(letter: Letter, claimed_at: datetime, exc: Exception) -> str:
    """Nothing of the letter was committed: count the attempt and let the resume job queue it
    again after a backoff; after MAX_ATTEMPTS it is FAILED."""
    attempts = letter.attempts + 1
    failed = attempts >= MAX_ATTEMPTS
    Letter.objects.filter(pk=letter.pk, claimed_at=claimed_at).update(
        status=Letter.Status.FAILED if failed else Letter.Status.PENDING,
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
    )
    logger.warning("letter %s failed (attempt %s): %s", letter.pk, attempts, exc)
    return f"failed ({attempts}): {exc}"


def retry_failed_letters(*, batch: LetterBatch, by: User) -> int:
    """Office of the batch's town: put FAILED letters back in the queue (fresh attempts).

    For a batch whose letters failed (e.g. a template that broke at render time), after the
    office fixed the cause. The batch takes the town's current template (checked when it was
    saved): letters already sent keep their text, the retried ones use the fixed template.
    Each letter goes back to PENDING and is woken through the outbox
    machinery (on commit; the resume job picks up any the broker missed); the claim makes
    sure it is sent once. The batch's history records who retried and how many.
    """
    require_office(by)
    require_region_in_scope(by, batch.town)
    from letters.tasks import send_letter_chunk

    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().get(pk=batch.pk)
        ids = list(
            Letter.objects.filter(batch=batch, status=Letter.Status.FAILED).values_list(
                "pk", flat=True
            )
        )
        if not ids:
            return 0
        Letter.objects.filter(pk__in=ids, status=Letter.Status.FAILED).update(
            status=Letter.Status.PENDING, attempts=0
        )
        batch.subject_template, batch.body_template = template_for(town=batch.town)
        batch.status = LetterBatch.Status.SENDING
        batch.completed_at = None
        batch._history_user = by
        batch._change_reason = f"retry {len(ids)} failed letters"
        batch.save(update_fields=["subject_template", "body_template", "status", "completed_at"])
        chunk = settings.LETTERS_CHUNK_SIZE
        for start in range(0, len(ids), chunk):
            wake_on_commit(send_letter_chunk, ids[start : start + chunk])
    return len(ids)


# The earlier name, kept for callers.
retry_failed = retry_failed_letters


def mark_read(*, letter: Letter, user: User) -> Letter:
    """The read receipt: set when the recipient opens the letter, once."""
    if letter.recipient_id != user.pk:
        return letter
    if letter.read_at is None and letter.status == Letter.Status.SENT:
        now = timezone.now()
        Letter.objects.filter(pk=letter.pk, read_at__isnull=True).update(read_at=now)
        letter.read_at = now
        if letter.notification_id:
            Notification.objects.filter(pk=letter.notification_id, read_at__isnull=True).update(
                read_at=now
            )
    return letter


def require_letter_access(*, letter: Letter, user: User) -> None:
    if not Letter.objects.visible_to(user).filter(pk=letter.pk).exists():
        raise PermissionDenied(_("您无权查看这封信"))
    if letter.recipient_id == user.pk and letter.status != Letter.Status.SENT:
        raise PermissionDenied(_("这封信尚未发出"))


# --- totals for the preview -------------------------------------------------------------------


def batch_totals(*, batch: LetterBatch) -> dict:
    """Totals of the batch as its letters would say them, composed in one go (few queries)."""
    letters = list(batch.letters.select_related("chief__user", "chief__region"))
    status = dict(batch.letters.values("status").annotate(n=Count("id")).values_list("status", "n"))
    town_orders: dict = {}
    contexts = sources.gather(
        batch=batch, chiefs=[letter.chief for letter in letters], town_totals=town_orders
    )
    rivers = {}
    behind = 0
    attention_letters = 0
    for ctx in contexts.values():
        for r in ctx["rivers"]:
            rivers[r["id"]] = r
        if ctx["patrols"] and ctx["patrols"]["behind"]:
            behind += 1
        if ctx["attention"]:
            attention_letters += 1
    any_ctx = next(iter(contexts.values()), None)
    return {
        "letters": len(letters),
        "by_status": {s: status.get(s, 0) for s in Letter.Status.values},
        "read": batch.letters.filter(read_at__isnull=False).count(),
        "town_chiefs": sum(1 for x in letters if x.chief.level == "town"),
        "village_chiefs": sum(1 for x in letters if x.chief.level == "village"),
        "rivers": len(rivers),
        "rivers_off_target": sum(1 for r in rivers.values() if r["meets_target"] is False),
        # Each order once, even on a river several chiefs answer for reach by reach.
        "orders_open": town_orders.get("orders_open", 0),
        "orders_overdue": town_orders.get("orders_overdue", 0),
        "measures_overdue": sum(r["measures_overdue"] or 0 for r in rivers.values()),
        "chiefs_behind_on_patrols": behind,
        "letters_with_attention": attention_letters,
        "sources": any_ctx["sources"] if any_ctx else {},
    }
