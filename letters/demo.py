"""Demo letters for 朱泾镇: the reference year's 5 batches (shared/reference/zhujing.md: "over
500 letters, in 5 batches"), August to December 2018, each to every chief with a river (all 136
of the registry demo: 91 town-level and 45 village-level): 680 letters, composed from the other
apps' data by the same code as a real batch, delivered and mostly read. Plus this month's
batch, left as a draft so the office can preview and send it.

Deterministic (seeded) and idempotent: a second run creates nothing.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from core.models import Region, User
from letters import services, templating
from letters.models import Letter, LetterBatch, LetterTemplate, first_of_month
from notices.models import Delivery, Notification

SEED = 2018
TZ = ZoneInfo("Asia/Shanghai")
TOWN_CODE = "310116102"
MONTHS_2018 = [date(2018, m, 1) for m in (8, 9, 10, 11, 12)]


def build(*, stdout=None) -> str:
    rng = random.Random(SEED)
    town = Region.objects.filter(code=TOWN_CODE).first()
    if town is None:
        return "skipped: no demo town"
    office = User.objects.filter(username="office").first()
    created = {"template": 0, "batches": 0, "letters": 0}
    before = Letter.objects.filter(batch__town=town).count()
    _template, new = LetterTemplate.objects.get_or_create(
        town=town,
        defaults={
            "subject": templating.DEFAULT_SUBJECT,
            "body": templating.DEFAULT_BODY,
            "updated_by": office,
            "updated_at": datetime(2018, 7, 20, 10, tzinfo=TZ),
        },
    )
    created["template"] += new
    for number, month in enumerate(MONTHS_2018, start=1):
        if LetterBatch.objects.filter(town=town, month=month).exists():
            continue
        _sent_batch(town=town, month=month, number=number, office=office, rng=rng)
        created["batches"] += 1
    current = first_of_month(timezone.localdate())
    if not LetterBatch.objects.filter(town=town, month=current).exists():
        services.create_batch(town=town, month=current, by=office)
        created["batches"] += 1
    created["letters"] = Letter.objects.filter(batch__town=town).count() - before
    return ", ".join(f"{k} +{v}" for k, v in created.items())


def _sent_batch(*, town, month, number, office, rng) -> LetterBatch:
    queued = datetime.combine(month, time(9, 0), tzinfo=TZ)
    subject_t, body_t = services.template_for(town=town)
    batch = LetterBatch.objects.create(
        town=town,
        month=month,
        year=month.year,
        number=number,
        status=LetterBatch.Status.SENDING,
        subject_template=subject_t,
        body_template=body_t,
        created_at=queued - timedelta(days=1),
        created_by=office,
        queued_at=queued,
        queued_by=office,
    )
    services.ensure_letters(batch=batch)
    letters = list(batch.letters.select_related("chief__user", "chief__region", "batch__town"))
    composed = services.compose(letters=letters)
    notifications = []
    for n, letter in enumerate(letters):
        subject, body, figures = composed[letter.pk]
        letter.subject, letter.body, letter.figures = subject, body, figures
        letter.status = Letter.Status.SENT
        letter.attempts = 1
        letter.sent_at = queued + timedelta(seconds=2 * n)
        letter.claimed_at = letter.sent_at
        if rng.random() < 0.9:  # most chiefs read their letter within a week
            letter.read_at = letter.sent_at + timedelta(hours=rng.randint(1, 160))
        notifications.append(
            Notification(
                key=letter.notification_key,
                recipient_id=letter.recipient_id,
                kind="letter",
                title=subject,
                body=body,
                url=reverse("letters:letter-detail", args=[letter.pk]),
                created_at=letter.sent_at,
                read_at=letter.read_at,
            )
        )
    Notification.objects.bulk_create(notifications)
    by_key = dict(
        Notification.objects.filter(key__in=[n.key for n in notifications]).values_list("key", "pk")
    )
    deliveries = []
    for letter in letters:
        letter.notification_id = by_key[letter.notification_key]
        for channel in (Delivery.Channel.EMAIL, Delivery.Channel.SMS):
            deliveries.append(
                Delivery(
                    notification_id=letter.notification_id,
                    channel=channel,
                    status=Delivery.Status.SENT,
                    attempts=1,
                    next_attempt_at=letter.sent_at,
                    claimed_at=letter.sent_at,
                    sent_at=letter.sent_at + timedelta(seconds=1),
                )
            )
    Delivery.objects.bulk_create(deliveries)
    Letter.objects.bulk_update(
        letters,
        [
            "subject",
            "body",
            "figures",
            "status",
            "attempts",
            "sent_at",
            "claimed_at",
            "read_at",
            "notification",
        ],
        batch_size=500,
    )
    batch.status = LetterBatch.Status.SENT
    batch.completed_at = queued + timedelta(seconds=2 * len(letters) + 5)
    batch.save(update_fields=["status", "completed_at"])
    return batch
