"""Deadline alerts through the outbox when the worker dies between the commit of the alerts and
the publish of their deliveries: after the sweeper, every alert went out once on each channel."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from directives import services as directives
from directives.models import Source
from directives.tasks import send_deadline_alerts
from notices.models import Delivery, Notification
from notices.tasks import sweep_outbox
from notices.wakeup import wake
from tests import factories
from tests.conftest import wait_until
from tests.letters.factories import many_chiefs

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

S = Delivery.Status
CHIEFS, ORDERS = 15, 3


def test_a_worker_killed_between_an_alerts_commit_and_its_publish_loses_no_alert(
    outbox, sinks, town_staff, village
):
    smtp, sms = sinks
    many_chiefs(village, CHIEFS)
    river = factories.RiverFactory(region=village)
    today = timezone.localdate()
    for i in range(ORDERS):
        directives.issue_directive(
            issued_by=town_staff,
            river=river,
            title=f"漂浮垃圾{i}",
            description="桥下有漂浮垃圾",
            issued_on=today - timedelta(days=10),
            deadline=today - timedelta(days=1),
            source=Source.PHONE_REPORT,
            target_village=village,
            notify_target=False,
        )
    # The job commits every alert at once, then publishes its deliveries a chunk of 10 at a
    # time: the worker dies before the 5th chunk's wake-up.
    worker = outbox(FAULT_KILL="publish:5", NOTICES_DELIVERY_CHUNK="10")
    wake(send_deadline_alerts)
    wait_until(lambda: worker.proc.poll() is not None, timeout=90)
    alerts = Notification.objects.filter(kind__startswith="directive_")
    deliveries = Delivery.objects.filter(notification__kind__startswith="directive_")
    assert alerts.count() == CHIEFS * ORDERS  # all or nothing
    assert deliveries.filter(status=S.PENDING).count() == 2 * CHIEFS * ORDERS, "nothing sent yet"
    outbox(NOTICES_DELIVERY_CHUNK="10")

    def settled():
        wake(send_deadline_alerts)  # beat runs the job again: the rest of the alerts
        wake(sweep_outbox, 0)
        time.sleep(2)
        return (
            deliveries.count() == 2 * CHIEFS * ORDERS
            and not deliveries.exclude(status__in=[S.SENT, S.UNKNOWN]).exists()
        )

    wait_until(settled, timeout=120, interval=0)
    assert alerts.count() == CHIEFS * ORDERS  # one per order, stage and recipient
    # What reached the sinks, by the delivery's key (Message-ID <key@domain>, SMS out-id).
    email_keys = Counter(message_id.strip("<>").split("@")[0] for _to, message_id in smtp.messages)
    sms_keys = Counter(r["out_id"] for r in sms.requests)
    for d in deliveries:
        got = (email_keys if d.channel == Delivery.Channel.EMAIL else sms_keys)[d.idempotency_key]
        assert (d.status, got) == (S.SENT, 1), (d.pk, d.channel, d.status, got)
