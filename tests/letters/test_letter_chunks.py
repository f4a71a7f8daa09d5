"""Letters composed and delivered a chunk at a time (letters.services.send_letters, then
notices.services.notify_many and deliver_many): queries constant in the chunk's size, each
letter and message exactly once whatever is re-run or killed half-way."""

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from letters import services, tasks
from letters.models import Letter, LetterBatch
from notices import services as notices
from notices.models import Delivery, Notification
from notices.sms import LocmemBackend
from tests.letters.conftest import chief_with_rivers
from tests.letters.test_snapshot import at, issue

pytestmark = pytest.mark.django_db
S = Delivery.Status


def sending_batch(town, village, n, *, rivers=1):
    """A town's September 2018 batch of ``n`` chiefs, marked sending (nothing queued)."""
    for _ in range(n):
        chief_with_rivers(village, n=rivers)
    batch = services.create_batch(town=town, month="2018-09")
    LetterBatch.objects.filter(pk=batch.pk).update(status=LetterBatch.Status.SENDING)
    return batch


def ids(batch):
    return list(batch.letters.order_by("pk").values_list("pk", flat=True))


def test_a_chunk_costs_the_same_queries_whether_it_holds_two_letters_or_twelve(
    town, village, django_capture_on_commit_callbacks
):
    batch = sending_batch(town, village, 14, rivers=2)
    chief_with_rivers(village, n=9)  # a chief with many rivers in the bigger chunk
    services.ensure_letters(batch=batch)
    letter_ids = ids(batch)
    counts = []
    # The last letter stays pending, so neither chunk finishes the batch.
    for chunk in (letter_ids[:2], letter_ids[2:-1]):
        with CaptureQueriesContext(connection) as ctx:
            result = services.send_letters(letter_ids=chunk)
        assert result["sent"] == len(chunk)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 25
    assert batch.letters.filter(status=Letter.Status.SENT).count() == 14
    assert Notification.objects.filter(kind="letter").count() == 14
    assert Delivery.objects.count() == 28


def test_running_a_chunk_again_sends_nothing_more(
    town, village, mailoutbox, django_capture_on_commit_callbacks
):
    batch = sending_batch(town, village, 4)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.send_letters(letter_ids=ids(batch))
        with django_capture_on_commit_callbacks(execute=True):
            tasks.send_letter_chunk(ids(batch))
    again = services.send_letters(letter_ids=ids(batch))
    assert (again["sent"], again["skipped"]) == (0, 4)
    assert Notification.objects.count() == 4
    assert Delivery.objects.filter(status=S.SENT).count() == 8
    assert len(mailoutbox) == 4
    assert len(LocmemBackend.outbox) == 4
    batch.refresh_from_db()
    assert batch.status == LetterBatch.Status.SENT


class Killed(BaseException):
    """A worker killed where it stands (no ``except Exception`` catches it)."""


def test_a_worker_killed_mid_chunk_before_its_commit_leaves_letters_resumed_once(
    town, village, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    batch = sending_batch(town, village, 5)

    def die(**kw):
        raise Killed

    monkeypatch.setattr(services, "notify_many", die)
    with pytest.raises(Killed):
        services.send_letters(letter_ids=ids(batch))
    assert batch.letters.filter(status=Letter.Status.SENDING).count() == 5
    assert not Notification.objects.exists()
    monkeypatch.undo()
    # A plain re-run cannot take them (claimed); the resume job does, each once.
    assert services.send_letters(letter_ids=ids(batch))["skipped"] == 5
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled(stale_after=timedelta(0)) == 5
    assert batch.letters.filter(status=Letter.Status.SENT).count() == 5
    assert Notification.objects.count() == 5
    assert len(mailoutbox) == 5
    assert Counter(m["phone"] for m in LocmemBackend.outbox).most_common(1)[0][1] == 1


def test_a_worker_killed_mid_chunk_of_sms_sends_no_message_twice(
    town, village, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.NOTICES_HANDOVER_GROUP = 4
    batch = sending_batch(town, village, 10)
    services.send_letters(letter_ids=ids(batch))
    sms = list(Delivery.objects.filter(channel="sms").order_by("pk").values_list("pk", flat=True))
    real = notices._send_sms
    calls = {"n": 0}

    def send(delivery, notification, phone):
        calls["n"] += 1
        if calls["n"] == 6:  # the second group: 5 left, 6 did not
            raise Killed
        return real(delivery, notification, phone)

    monkeypatch.setattr(notices, "_send_sms", send)
    with pytest.raises(Killed):
        notices.deliver_many(delivery_ids=sms)
    monkeypatch.setattr(notices, "_send_sms", real)
    assert Delivery.objects.filter(channel="sms", status=S.SENT).count() == 4  # the first group
    assert len(LocmemBackend.outbox) == 5

    # Past the lease: the handed-over group is "unknown" until the gateway tells (here it can:
    # one got it, three did not); the group never handed over is pending and is sent once.
    later = timezone.now() + timedelta(seconds=settings.NOTICES_LEASE_SECONDS + 1)
    swept = notices.sweep_outbox(now=later, grace=timedelta(0))
    assert (swept["unknown"], swept["released"], swept["resolved"]) == (4, 2, 4)
    with time_machine.travel(later):
        notices.deliver_many(delivery_ids=swept["due"])
    assert Delivery.objects.filter(channel="sms", status=S.SENT).count() == 10
    assert Counter(m["phone"] for m in LocmemBackend.outbox) == Counter(
        {phone: 1 for phone in {m["phone"] for m in LocmemBackend.outbox}}
    )
    assert len(LocmemBackend.outbox) == 10


def test_one_letter_that_cannot_be_composed_does_not_hold_back_its_chunk(
    town, village, monkeypatch, django_capture_on_commit_callbacks
):
    from letters import templating

    batch = sending_batch(town, village, 4)
    bad = batch.letters.order_by("pk")[1]
    real = templating.render

    def render(source, context):
        if context["chief"]["name"] == str(bad.recipient):
            raise ValueError("a filter that fails on this letter")
        return real(source, context)

    monkeypatch.setattr(templating, "render", render)
    result = services.send_letters(letter_ids=ids(batch))
    assert (result["sent"], result["failed"]) == (3, 1)
    bad.refresh_from_db()
    assert (bad.status, bad.attempts, bad.notification_id) == ("pending", 1, None)
    assert "fails on this letter" in bad.last_error
    assert Notification.objects.count() == 3


def test_fan_out_queues_one_task_per_chunk_and_continues_after_a_page(
    town, village, settings, monkeypatch
):
    settings.LETTERS_CHUNK_SIZE = 2
    settings.LETTERS_CHUNKS_PER_FAN_OUT = 2
    batch = sending_batch(town, village, 5)
    queued = []
    monkeypatch.setattr(
        tasks.send_letter_chunk,
        "apply_async",
        lambda args=(), kwargs=None, **kw: queued.append(args[0]),
    )
    letter_ids = ids(batch)
    after = services.fan_out(batch_id=batch.pk)
    assert queued == [letter_ids[:2], letter_ids[2:4]]
    assert after == letter_ids[3]
    assert services.fan_out(batch_id=batch.pk, after_id=after) is None
    assert queued[-1] == letter_ids[4:]


def test_each_towns_chunk_holds_its_own_chiefs_and_the_border_reach_counts_for_both(
    two_towns, mailoutbox, django_capture_on_commit_callbacks
):
    d = two_towns
    kw = {"issued_on": date(2018, 8, 5), "deadline": date(2018, 8, 20)}
    with at(datetime(2018, 8, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai"))):
        for reach in (d.reach_a1, d.reach_b1):  # town B's orders on both reaches
            issue(d.office_b, d.border_river, village=d.village_b1, reach=reach, **kw)
    batches = {
        t: services.create_batch(town=t, month="2018-09", by=o)
        for t, o in ((d.town_a, d.office_a), (d.town_b, d.office_b))
    }
    with django_capture_on_commit_callbacks(execute=True):
        for town, batch in batches.items():
            services.send_batch(batch=batch, by=d.office_a if town == d.town_a else d.office_b)
    a = batches[d.town_a]
    recipients = set(a.letters.values_list("recipient__username", flat=True))
    assert recipients == {"chief-a1", "chief-a2"}  # town chief A answers for no river
    assert not a.letters.filter(chief__region__code__startswith=d.town_b.code).exists()
    a1 = a.letters.get(recipient=d.chief_a1)
    border = next(r for r in a1.figures["rivers"] if r["id"] == d.border_river.pk)
    assert (border["reach"], border["orders_open"]) == (d.reach_a1.name, 1)
    b1 = batches[d.town_b].letters.get(recipient=d.chief_b1)
    border_b = next(r for r in b1.figures["rivers"] if r["id"] == d.border_river.pk)
    assert (border_b["reach"], border_b["orders_open"]) == (d.reach_b1.name, 1)
    # Town B: chiefs B1 and B2, and town chief B for both border reaches.
    assert set(batches[d.town_b].letters.values_list("recipient__username", flat=True)) == {
        "chief-b1",
        "chief-b2",
        "town-chief-b",
    }
    assert Letter.objects.filter(status=Letter.Status.SENT).count() == 5
    assert len(mailoutbox) == 5


def test_the_progress_fragment_follows_chunks(
    client, two_towns, settings, monkeypatch, django_capture_on_commit_callbacks
):
    for _ in range(2):
        chief_with_rivers(two_towns.village_a2)
    batch = services.create_batch(town=two_towns.town_a, month="2018-09", by=two_towns.office_a)
    monkeypatch.setattr(tasks.fan_out_batch, "apply_async", lambda *a, **kw: None)
    services.send_batch(batch=batch, by=two_towns.office_a)
    letter_ids = ids(batch)
    client.force_login(two_towns.office_a)
    services.send_letters(letter_ids=letter_ids[:2])
    fragment = client.get(f"/letters/batches/{batch.pk}/progress/").content.decode()
    assert f"已发送 2 / {len(letter_ids)} 封" in fragment
    assert "every 2s" in fragment
    services.send_letters(letter_ids=letter_ids[2:])
    fragment = client.get(f"/letters/batches/{batch.pk}/progress/").content.decode()
    assert 'data-state="done"' in fragment
    assert "hx-get" not in fragment
