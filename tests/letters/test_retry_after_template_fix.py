"""Issue 13 item 10: a batch broken by a template that fails at render time can be redone."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from letters import services
from letters.models import Letter, LetterBatch, LetterTemplate
from notices.models import Notification

BROKEN_BODY = "{{ 1|divisibleby:0 }}"  # passes the field check, raises ZeroDivisionError


def _run_out_of_attempts(batch, captured):
    for minutes in (3, 6, 12, 24, 48):
        with captured(execute=True):
            services.requeue_stalled(now=timezone.now() + timedelta(minutes=minutes))


@pytest.fixture
def broken_batch(two_towns, django_capture_on_commit_callbacks):
    d = two_towns
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    batch = services.create_batch(town=d.town_a, month=month, by=d.office_a)
    assert batch.letters.count() >= 2
    # Saved before the render check existed (or by hand): the service would refuse it now.
    LetterTemplate.objects.update_or_create(
        town=d.town_a, defaults={"subject": "致河长的信", "body": BROKEN_BODY}
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_batch(batch=batch, by=d.office_a)
    _run_out_of_attempts(batch, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    return batch


def test_a_template_failing_at_render_time_fails_every_letter_of_the_batch(broken_batch):
    letters = broken_batch.letters.all()
    assert {letter.status for letter in letters} == {Letter.Status.FAILED}
    assert all("ZeroDivisionError" in letter.last_error for letter in letters)
    assert Notification.objects.count() == 0


def test_after_the_template_is_fixed_the_office_retries_and_each_letter_is_sent_once(
    two_towns, broken_batch, django_capture_on_commit_callbacks
):
    d = two_towns
    services.save_template(
        town=d.town_a, subject="致河长的信", body="{{ chief.name }}", by=d.office_a
    )
    n = broken_batch.letters.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_failed_letters(batch=broken_batch, by=d.office_a) == n
    # The resume job and a second wake-up run too: the claim keeps each letter to one send.
    with django_capture_on_commit_callbacks(execute=True):
        services.requeue_stalled(now=timezone.now() + timedelta(hours=1))
    for letter in broken_batch.letters.all():
        assert services.compose_and_send_letter(letter_id=letter.pk).startswith("skipped")
        assert (letter.status, letter.last_error) == (Letter.Status.SENT, "")
        assert letter.status == Letter.Status.SENT
        assert Notification.objects.filter(key=letter.notification_key).count() == 1
    assert Notification.objects.count() == n
    broken_batch.refresh_from_db()
    assert broken_batch.status == LetterBatch.Status.SENT
    retried = broken_batch.history.filter(history_change_reason__startswith="retry").get()
    assert retried.history_user == d.office_a
    # Nothing left to retry.
    assert services.retry_failed_letters(batch=broken_batch, by=d.office_a) == 0


def test_the_other_towns_office_cannot_retry_the_batch(two_towns, broken_batch, client):
    d = two_towns
    with pytest.raises(PermissionDenied):
        services.retry_failed_letters(batch=broken_batch, by=d.office_b)
    client.force_login(d.office_b)
    url = reverse("letters:batch-retry", args=[broken_batch.pk])
    assert client.post(url).status_code == 404
    client.force_login(d.chief_a1)
    assert client.post(url).status_code in (403, 404)
    assert set(broken_batch.letters.values_list("status", flat=True)) == {Letter.Status.FAILED}


def test_the_batch_page_offers_the_office_of_its_town_the_retry_button(
    two_towns, broken_batch, client, django_capture_on_commit_callbacks
):
    d = two_towns
    client.force_login(d.office_a)
    page = client.get(reverse("letters:batch-detail", args=[broken_batch.pk]))
    url = reverse("letters:batch-retry", args=[broken_batch.pk])
    assert url in page.content.decode()
    LetterTemplate.objects.filter(town=d.town_a).update(body="{{ chief.name }}")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert set(broken_batch.letters.values_list("status", flat=True)) == {Letter.Status.SENT}
