from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from letters import services
from letters.models import Letter, LetterBatch
from notices.models import Delivery, Notification
from notices.sms import LocmemBackend
from tests.letters.conftest import chief_with_rivers


def test_a_batch_is_numbered_per_town_and_year_and_gets_one_letter_per_chief(
    batch, town, town_staff, chief_a, chief_b
):
    assert (batch.year, batch.number, batch.status) == (2018, 1, "draft")
    assert batch.period_start.isoformat() == "2018-08-01"
    assert set(batch.letters.values_list("chief_id", flat=True)) == {chief_a[0].pk, chief_b[0].pk}
    second = services.create_batch(town=town, month="2018-10", by=town_staff)
    assert second.number == 2
    next_year = services.create_batch(town=town, month="2019-01", by=town_staff)
    assert next_year.number == 1


def test_a_chief_without_rivers_gets_no_letter(batch, village):
    from tests import factories

    factories.ChiefFactory(user=factories.UserFactory(role="village_chief", region=village))
    services.ensure_letters(batch=batch)
    assert batch.letters.count() == 2


def test_a_second_batch_for_the_same_month_is_refused_not_duplicated(batch, town, town_staff):
    with pytest.raises(ValidationError) as exc:
        services.create_batch(town=town, month="2018-09", by=town_staff)
    assert "month" in exc.value.message_dict
    services.send_batch(batch=batch, by=town_staff)
    with pytest.raises(ValidationError) as exc:
        services.create_batch(town=town, month="2018-09-15", by=town_staff)
    assert "已发送" in exc.value.message_dict["month"][0]
    assert LetterBatch.objects.count() == 1


def test_the_database_refuses_a_second_letter_for_a_chief_in_a_batch(batch, chief_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.create(batch=batch, chief=chief_a[0], recipient=chief_a[0].user)


def test_the_database_refuses_a_second_batch_for_a_month(batch):
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterBatch.objects.create(town=batch.town, month=batch.month, year=2018, number=9)


def test_a_future_month_or_a_bad_month_is_refused(town, town_staff):
    future = (timezone.localdate().replace(day=1) + timedelta(days=40)).strftime("%Y-%m")
    for month in (future, "2018-13", "soon"):
        with pytest.raises(ValidationError) as exc:
            services.create_batch(town=town, month=month, by=town_staff)
        assert "month" in exc.value.message_dict


def test_sending_a_batch_delivers_every_letter_once_by_inbox_email_and_sms(
    batch, town_staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_batch(batch=batch, by=town_staff)
    batch.refresh_from_db()
    assert batch.status == LetterBatch.Status.SENT
    letters = list(batch.letters.all())
    assert all(letter.status == Letter.Status.SENT for letter in letters)
    assert Notification.objects.filter(kind="letter").count() == 2
    assert {n.key for n in Notification.objects.all()} == {f"letter:{x.pk}" for x in letters}
    assert Delivery.objects.filter(status="sent").count() == 4
    assert len(mailoutbox) == 2
    assert len(LocmemBackend.outbox) == 2
    assert "致河长信" in mailoutbox[0].subject


def test_sending_twice_is_refused_and_sends_nothing_more(
    batch, town_staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_batch(batch=batch, by=town_staff)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.send_batch(batch=batch, by=town_staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.queue_batch(town=batch.town, month="2018-09") is None
    assert len(mailoutbox) == 2
    assert Notification.objects.count() == 2


def test_running_the_monthly_job_twice_sends_each_letter_once(
    town, chief_a, mailoutbox, django_capture_on_commit_callbacks
):
    from letters.tasks import queue_monthly_letters

    month = timezone.localdate().strftime("%Y-%m")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            queue_monthly_letters(month)
    batch = LetterBatch.objects.get(town=town)
    assert batch.status == LetterBatch.Status.SENT
    assert batch.letters.count() == 1
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_second_run_of_a_letter_task_does_nothing(
    batch, town_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_batch(batch=batch, by=town_staff)
    letter = batch.letters.first()
    assert services.compose_and_send_letter(letter_id=letter.pk) == "skipped: already claimed"
    assert Notification.objects.count() == 2


def test_a_failure_puts_the_letter_back_and_the_resume_job_sends_it_once_after_a_backoff(
    batch, monkeypatch, django_capture_on_commit_callbacks
):
    from letters import sources

    letter = batch.letters.first()
    LetterBatch.objects.filter(pk=batch.pk).update(status="sending")
    real = sources.gather
    monkeypatch.setattr(sources, "gather", lambda **kw: (_ for _ in ()).throw(OSError("db gone")))
    assert services.compose_and_send_letter(letter_id=letter.pk).startswith("failed (1)")
    letter.refresh_from_db()
    assert (letter.status, letter.attempts) == ("pending", 1)
    assert "db gone" in letter.last_error
    assert not Notification.objects.exists()
    monkeypatch.setattr(sources, "gather", real)
    # Within its backoff the failed letter waits; the untouched one is queued once the batch
    # has stopped moving (here at once: stale_after 0).
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled() == 0  # a letter was just claimed: still moving
        assert services.requeue_stalled(stale_after=timedelta(0)) == 1
    letter.refresh_from_db()
    assert letter.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        services.requeue_stalled(now=timezone.now() + timedelta(minutes=3))
    letter.refresh_from_db()
    assert letter.status == "sent"
    assert Notification.objects.filter(key=f"letter:{letter.pk}").count() == 1


def test_a_letter_failing_every_attempt_is_marked_failed_and_the_rest_are_sent(
    batch, town_staff, monkeypatch, django_capture_on_commit_callbacks
):
    from letters import sources

    bad = batch.letters.order_by("pk").first()
    real = sources.gather

    def flaky(*, batch, chiefs):
        if chiefs[0].pk == bad.chief_id:
            raise OSError("source down")
        return real(batch=batch, chiefs=chiefs)

    monkeypatch.setattr(sources, "gather", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_batch(batch=batch, by=town_staff)
    for minutes in (3, 6, 12, 24):
        with django_capture_on_commit_callbacks(execute=True):
            services.requeue_stalled(now=timezone.now() + timedelta(minutes=minutes))
    bad.refresh_from_db()
    assert bad.status == Letter.Status.FAILED
    assert bad.attempts == services.MAX_ATTEMPTS
    assert batch.letters.filter(status="sent").count() == 1
    batch.refresh_from_db()
    assert batch.status == LetterBatch.Status.SENT  # done, with one failure shown on its page
    monkeypatch.setattr(sources, "gather", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_failed(batch=batch, by=town_staff) == 1
    assert batch.letters.filter(status="sent").count() == 2
    assert Notification.objects.count() == 2


def test_a_letter_left_sending_by_a_dead_worker_is_resumed_once(
    batch, django_capture_on_commit_callbacks
):
    LetterBatch.objects.filter(pk=batch.pk).update(status="sending")
    letter = batch.letters.first()
    old = timezone.now() - timedelta(hours=1)
    Letter.objects.filter(pk=letter.pk).update(status="sending", claimed_at=old)
    # A plain retry cannot take it: it is claimed.
    assert services.compose_and_send_letter(letter_id=letter.pk).startswith("skipped")
    # The resume job can, once: it queues it with the claim time it saw.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled(stale_after=timedelta(minutes=10)) == 2
    letter.refresh_from_db()
    assert letter.status == "sent"
    assert Notification.objects.filter(key=f"letter:{letter.pk}").count() == 1
    assert services.compose_and_send_letter(letter_id=letter.pk, stale_claim=old).startswith(
        "skipped"
    )
    batch.refresh_from_db()
    assert batch.status == "sent"


def test_a_letter_whose_notification_exists_is_not_notified_again(batch):
    """A worker died after notify() committed? It cannot: both are in one transaction. But
    if a notification with the key exists, notify() returns it and nothing is sent twice."""
    LetterBatch.objects.filter(pk=batch.pk).update(status="sending")
    letter = batch.letters.first()
    from notices.services import notify

    notify(key=f"letter:{letter.pk}", recipient=letter.recipient, kind="letter", title="x")
    services.compose_and_send_letter(letter_id=letter.pk)
    assert Notification.objects.filter(key=f"letter:{letter.pk}").count() == 1
    assert Delivery.objects.count() == 2


def test_the_work_per_letter_is_a_constant_number_of_queries(town, village, town_staff):
    few, _ = chief_with_rivers(village, n=1)
    many, _ = chief_with_rivers(village, n=8)
    chief_with_rivers(village, n=1)  # still pending: the batch is not finished by the two
    batch = services.create_batch(town=town, month="2018-09", by=town_staff)
    services.send_batch(batch=batch, by=town_staff)  # on_commit never runs here: nothing sent
    counts = []
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for chief in (few, many):
        letter = batch.letters.get(chief=chief)
        with CaptureQueriesContext(connection) as ctx:
            assert services.compose_and_send_letter(letter_id=letter.pk) == "sent"
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 22
    assert len(batch.letters.get(chief=many).figures["rivers"]) == 8


def test_a_batch_for_every_chief_composes_in_a_constant_number_of_queries(
    town, village, town_staff, django_assert_max_num_queries
):
    for _ in range(12):
        chief_with_rivers(village, n=2)
    batch = services.create_batch(town=town, month="2018-09", by=town_staff)
    with django_assert_max_num_queries(14):
        totals = services.batch_totals(batch=batch)
    assert totals["letters"] == 12
    assert totals["rivers"] == 24


def test_the_command_runs_a_batch_by_hand_and_refuses_a_second_run(
    town, chief_a, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("queue_letters", "2018-09", town=town.code, stdout=out)
    assert "1 letters queued" in out.getvalue()
    assert Notification.objects.count() == 1
    with pytest.raises(CommandError, match="already sent"):
        call_command("queue_letters", "2018-09", town=town.code)
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("queue_letters", "September", town=town.code)
    assert Notification.objects.count() == 1
