"""The office sees what did not leave (deliveries by state) and resends it, once."""

import pytest
from django.urls import reverse

from letters import services as letters
from notices import services
from notices.models import Delivery
from notices.sms import LocmemBackend

pytestmark = pytest.mark.django_db
S = Delivery.Status


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "notices.sms.LocmemBackend"
    LocmemBackend.outbox.clear()


@pytest.fixture
def alerts(two_towns):
    """One alert to a chief of each town, its e-mail unknown and its SMS pending."""
    d = two_towns
    rows = {}
    for name, user in (("a", d.chief_a1), ("b", d.chief_b1)):
        note, _ = services.notify(
            key=f"directive:{name}:overdue", recipient=user, kind="directive_overdue", title="逾期"
        )
        note.deliveries.filter(channel="email").update(status=S.UNKNOWN)
        rows[name] = note
    return rows


def test_the_alerts_page_counts_the_towns_deliveries_by_state(client, two_towns, alerts):
    client.force_login(two_towns.office_a)
    response = client.get(reverse("notices:alert-deliveries"))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts["unknown"], counts["pending"], counts["sent"]) == (1, 1, 0)
    assert [d.notification.recipient for d in response.context["page"]] == [two_towns.chief_a1]


def test_the_office_resends_its_towns_unknown_and_pending_alerts_once(
    client, two_towns, alerts, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(two_towns.office_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notices:alert-deliveries-resend"))
    assert response.status_code == 302
    mine = Delivery.objects.filter(notification=alerts["a"])
    assert set(mine.values_list("status", flat=True)) == {S.SENT}
    assert set(mine.values_list("resent_by", flat=True)) == {two_towns.office_a.pk}
    # The other town's alert was not touched.
    theirs = Delivery.objects.filter(notification=alerts["b"])
    assert set(theirs.values_list("status", flat=True)) == {S.UNKNOWN, S.PENDING}
    assert [m.to for m in mailoutbox] == [[two_towns.chief_a1.email]]
    # Once: a second resend finds nothing to resend.
    Delivery.objects.filter(notification=alerts["a"]).update(status=S.UNKNOWN)
    response = client.post(reverse("notices:alert-deliveries-resend"), follow=True)
    assert "每条只能人工重发一次" in response.content.decode()


def test_a_chief_can_neither_see_nor_resend_alert_deliveries(client, two_towns, alerts):
    client.force_login(two_towns.chief_a1)
    assert client.get(reverse("notices:alert-deliveries")).status_code == 403
    assert client.post(reverse("notices:alert-deliveries-resend")).status_code == 403
    assert not Delivery.objects.filter(resent_at__isnull=False).exists()


def test_the_batch_page_counts_deliveries_and_resends_them_once(
    client, two_towns, mailoutbox, django_capture_on_commit_callbacks
):
    d = two_towns
    batch = letters.create_batch(town=d.town_a, month="2018-09", by=d.office_a)
    with django_capture_on_commit_callbacks(execute=False):  # wake-ups lost with the broker
        letters.send_batch(batch=batch, by=d.office_a)
        for letter in batch.letters.all():
            letters.compose_and_send_letter(letter_id=letter.pk)
    n = batch.letters.count()
    client.force_login(d.office_a)
    url = reverse("letters:batch-detail", args=[batch.pk])
    counts = client.get(url).context["delivery_counts"]
    assert (counts["pending"], counts["sent"]) == (2 * n, 0)

    # The other town's office may not resend it.
    client.force_login(d.office_b)
    assert client.post(reverse("letters:batch-resend", args=[batch.pk])).status_code == 404

    client.force_login(d.office_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("letters:batch-resend", args=[batch.pk]))
    counts = client.get(url).context["delivery_counts"]
    assert (counts["pending"], counts["sent"]) == (0, 2 * n)
    assert len(mailoutbox) == n
    assert len(LocmemBackend.outbox) == n
