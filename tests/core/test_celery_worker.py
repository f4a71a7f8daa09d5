"""A real Celery worker on Redis, reading the test database: proves the wiring CI relies on."""

import pytest

from notices import services
from notices.models import Delivery
from tests import factories
from tests.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_notification_is_delivered_by_a_real_worker_through_redis(celery_worker_process):
    user = factories.UserFactory(email="chief@example.cn", phone="13900000000")
    notification, created = services.notify(
        key="integration:worker", recipient=user, kind="test", title="朱泾塘巡河提醒"
    )
    assert created
    # notify() queued one `deliver` task per channel on commit; the worker claims and sends.
    wait_until(
        lambda: (
            set(notification.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
        ),
        timeout=60,
    )
    assert notification.deliveries.count() == 2
    assert all(d.attempts == 1 for d in notification.deliveries.all())
    log = celery_worker_process.log.read_text(errors="replace")
    assert "notices.tasks.deliver" in log
    assert "succeeded" in log


def test_the_embedded_default_delivers_through_a_real_worker_without_redis(
    embedded_worker_process,
):
    user = factories.UserFactory(email="village@example.cn", phone="13900000001")
    notification, _ = services.notify(
        key="integration:embedded", recipient=user, kind="test", title="村级河道巡河提醒"
    )
    wait_until(
        lambda: (
            set(notification.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
        ),
        timeout=60,
    )
    assert "filesystem" in embedded_worker_process.log.read_text(errors="replace")
