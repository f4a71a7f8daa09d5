"""Pressing "send" only queues the batch; the batch page follows the worker's progress by
polling a small status fragment (htmx), which stops polling once every letter is through."""

import pytest

from letters import services, tasks
from letters.models import Letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The broker (what leaves the process): records the fan-out instead of running it."""
    calls = []
    monkeypatch.setattr(
        tasks.fan_out_batch, "apply_async", lambda args=(), kwargs=None, **kw: calls.append(args)
    )
    return calls


@pytest.fixture
def batch(two_towns):
    return services.create_batch(town=two_towns.town_a, month="2018-09", by=two_towns.office_a)


def test_pressing_send_queues_the_batch_and_returns_before_any_letter_is_composed(
    client, two_towns, batch, queued, django_capture_on_commit_callbacks
):
    client.force_login(two_towns.office_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/letters/batches/{batch.pk}/send/")
    assert response.status_code == 302
    assert queued == [(batch.pk, 0)]
    assert not batch.letters.exclude(status=Letter.Status.PENDING).exists()

    page = client.get(f"/letters/batches/{batch.pk}/").content.decode()
    assert 'id="batch-progress"' in page
    assert 'data-state="sending"' in page
    assert f'hx-get="/letters/batches/{batch.pk}/progress/"' in page
    assert 'http-equiv="refresh"' not in page


def test_the_progress_fragment_counts_the_letters_and_stops_polling_when_all_are_sent(
    client,
    two_towns,
    batch,
    queued,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    client.force_login(two_towns.office_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_batch(batch=batch, by=two_towns.office_a)
    total = batch.letters.count()
    assert total >= 2
    first = batch.letters.order_by("pk").first()
    services.compose_and_send_letter(letter_id=first.pk)

    with django_assert_max_num_queries(8):
        fragment = client.get(f"/letters/batches/{batch.pk}/progress/").content.decode()
    assert f"已发送 1 / {total} 封" in fragment
    assert "every 2s" in fragment
    assert "<html" not in fragment

    for letter in batch.letters.filter(status=Letter.Status.PENDING):
        services.compose_and_send_letter(letter_id=letter.pk)
    services.requeue_stalled()  # finishes the batch (nothing left waiting)
    fragment = client.get(f"/letters/batches/{batch.pk}/progress/").content.decode()
    assert 'data-state="done"' in fragment
    assert f"已发送 {total} / {total} 封" in fragment
    assert "hx-get" not in fragment


def test_another_towns_office_cannot_follow_the_progress(client, two_towns, batch):
    client.force_login(two_towns.office_b)
    assert client.get(f"/letters/batches/{batch.pk}/progress/").status_code == 404
    client.force_login(two_towns.chief_a1)
    assert client.get(f"/letters/batches/{batch.pk}/progress/").status_code == 404
