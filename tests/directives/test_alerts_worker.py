"""The alert job through a real Celery worker on Redis, reading the test database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from directives import services, tasks
from directives.services.alerts import alert_key
from notices.models import Delivery, Notification
from tests.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_alert_job_in_a_real_worker_alerts_once_however_often_it_runs(
    celery_worker_process, make_order, village_chief
):
    today = timezone.localdate()
    late = make_order(
        issued_on=today - timedelta(days=10),
        deadline=today - timedelta(days=1),
        notify_target=False,
    )
    key = alert_key(
        directive_id=late.pk, stage="overdue", user_id=village_chief.pk, deadline=late.deadline
    )

    tasks.send_deadline_alerts.delay()
    note = wait_until(lambda: Notification.objects.filter(key=key).first())
    # Both channels are delivered by the worker (deliver tasks queued after commit).
    wait_until(
        lambda: set(note.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
    )

    # Run it again twice, then once more after a new order falls due: the worker handles
    # the queue in order, so when the new alert exists the repeated runs are done.
    tasks.send_deadline_alerts.delay()
    tasks.send_deadline_alerts.delay()
    marker = make_order(
        issued_on=today, deadline=today, title="今天到期的问题", notify_target=False
    )
    tasks.send_deadline_alerts.delay()
    wait_until(
        lambda: Notification.objects.filter(
            key=alert_key(
                directive_id=marker.pk,
                stage="due_today",
                user_id=village_chief.pk,
                deadline=marker.deadline,
            )
        ).exists()
    )
    assert Notification.objects.filter(key__startswith=f"directive:{late.pk}:").count() == 1
    assert late.events.filter(kind="alerted").count() == 1
    assert services.send_deadline_alerts()["overdue"] == 0
