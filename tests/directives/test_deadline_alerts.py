"""The deadline alert job: stages, recipients, once per stage and recipient, query counts."""

from datetime import date

import pytest
import time_machine
from django.core import mail

from directives import services, tasks
from directives.models import Event
from directives.services.alerts import alert_key
from notices.models import Delivery, Notification
from tests import factories

pytestmark = pytest.mark.django_db

SHANGHAI_LATE_ON_DEADLINE = "2026-03-10T15:59:00Z"  # 23:59 on 10 March in Shanghai
SHANGHAI_JUST_AFTER = "2026-03-10T16:01:00Z"  # 00:01 on 11 March in Shanghai


def alerts(stage: str | None = None):
    qs = Notification.objects.filter(kind__startswith="directive_")
    if stage:
        qs = qs.filter(kind=f"directive_{stage}")
    return qs


def test_running_the_job_twice_across_the_overdue_boundary_alerts_once_per_stage_and_recipient(
    make_order, village_chief, django_capture_on_commit_callbacks
):
    order = make_order(deadline=date(2026, 3, 10))
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(SHANGHAI_LATE_ON_DEADLINE, tick=False):
            tasks.send_deadline_alerts.delay()
            tasks.send_deadline_alerts.delay()
        with time_machine.travel(SHANGHAI_JUST_AFTER, tick=False):
            tasks.send_deadline_alerts.delay()
            tasks.send_deadline_alerts.delay()
    assert sorted(alerts().values_list("kind", "recipient")) == [
        ("directive_due_today", village_chief.pk),
        ("directive_overdue", village_chief.pk),
    ]
    keys = set(alerts().values_list("key", flat=True))
    assert keys == {
        alert_key(
            directive_id=order.pk,
            stage="due_today",
            user_id=village_chief.pk,
            deadline=order.deadline,
        ),
        alert_key(
            directive_id=order.pk,
            stage="overdue",
            user_id=village_chief.pk,
            deadline=order.deadline,
        ),
    }
    # One e-mail per alert (the issue notice is not an alert but is e-mailed too).
    assert sum("到期" in m.subject or "逾期" in m.subject for m in mail.outbox) == 2
    assert order.events.filter(kind=Event.Kind.ALERTED).count() == 2


def test_due_soon_starts_the_configured_number_of_days_before(make_order, settings):
    settings.DIRECTIVES_DUE_SOON_DAYS = 3
    make_order(deadline=date(2026, 3, 10))
    assert services.send_deadline_alerts(at=date_at(2026, 3, 6))["due_soon"] == 0
    assert services.send_deadline_alerts(at=date_at(2026, 3, 7))["due_soon"] == 1
    assert services.send_deadline_alerts(at=date_at(2026, 3, 8))["due_soon"] == 0


def date_at(y, m, d, hour=9):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(y, m, d, hour, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_escalation_goes_to_the_chiefs_superior_and_the_town_office(
    make_order, chief, town_chief, town_staff, settings
):
    settings.DIRECTIVES_ESCALATE_AFTER_DAYS = 3
    order = make_order(deadline=date(2026, 3, 10), target_village=None, target_chief=chief)
    counts = services.send_deadline_alerts(at=date_at(2026, 3, 12))
    assert counts["escalated"] == 0
    counts = services.send_deadline_alerts(at=date_at(2026, 3, 13))
    assert counts == {"due_soon": 0, "due_today": 0, "overdue": 0, "escalated": 2}
    escalated = set(alerts("escalated").values_list("recipient", flat=True))
    assert escalated == {town_chief.user.pk, town_staff.pk}
    assert services.send_deadline_alerts(at=date_at(2026, 3, 20))["escalated"] == 0
    assert order.events.filter(kind="alerted").count() == 2


def test_an_order_submitted_or_closed_gets_no_alert(make_order, village_chief, town_staff):
    order = make_order(deadline=date(2026, 3, 10))
    services.accept_directive(directive=order, by=village_chief)
    services.submit_rectification(directive=order, by=village_chief, text="done")
    assert services.send_deadline_alerts(at=date_at(2026, 3, 12)) == {
        "due_soon": 0,
        "due_today": 0,
        "overdue": 0,
        "escalated": 0,
    }


def test_every_channel_gets_a_delivery_for_an_alert(make_order, village_chief):
    make_order(deadline=date(2026, 3, 10))
    services.send_deadline_alerts(at=date_at(2026, 3, 11))
    note = alerts("overdue").get()
    assert set(note.deliveries.values_list("channel", flat=True)) == {
        Delivery.Channel.EMAIL,
        Delivery.Channel.SMS,
    }


def test_the_job_reads_only_due_orders_whatever_the_archive(
    make_order, village, django_assert_max_num_queries, django_assert_num_queries
):
    for _ in range(3):
        make_order(deadline=date(2026, 3, 10))
    # A large archive of closed orders and orders far from their deadline changes nothing.
    for _ in range(20):
        make_order(deadline=date(2026, 6, 30), notify_target=False)
    at = date_at(2026, 3, 11)
    # first run: a fixed number of reads, then a few writes per new alert (3 orders)
    with django_assert_max_num_queries(4 + 3 * 8):
        counts = services.send_deadline_alerts(at=at)
    assert counts["overdue"] == 3
    # second run: nothing new, and a constant number of queries
    with django_assert_num_queries(3):
        services.send_deadline_alerts(at=at)


def test_an_inactive_chief_gets_no_alert(make_order, village_chief):
    make_order(deadline=date(2026, 3, 10))
    village_chief.is_active = False
    village_chief.save()
    services.send_deadline_alerts(at=date_at(2026, 3, 11))
    assert not alerts().exists()


def test_alerts_use_the_notices_keys_so_a_crash_between_runs_cannot_send_twice(
    make_order, village_chief
):
    order = make_order(deadline=date(2026, 3, 10))
    key = alert_key(
        directive_id=order.pk, stage="overdue", user_id=village_chief.pk, deadline=order.deadline
    )
    # another process created the alert first
    Notification.objects.create(key=key, recipient=village_chief, kind="directive_overdue")
    assert services.send_deadline_alerts(at=date_at(2026, 3, 11))["overdue"] == 0
    assert Notification.objects.filter(key=key).count() == 1


def test_a_village_order_alerts_every_active_chief_of_the_village(make_order, village):
    second = factories.UserFactory(role="village_chief", region=village)
    factories.ChiefFactory(user=second, level="village", region=village)
    make_order(deadline=date(2026, 3, 10))
    assert services.send_deadline_alerts(at=date_at(2026, 3, 11))["overdue"] == 2


def test_a_granted_extension_starts_the_stages_again_for_the_new_deadline(
    make_order, village_chief, town_staff
):
    order = make_order(deadline=date(2026, 3, 10))
    assert services.send_deadline_alerts(at=date_at(2026, 3, 8))["due_soon"] == 1
    extension = services.request_extension(
        directive=order, by=village_chief, requested_deadline=date(2026, 3, 20), reason="雨季施工"
    )
    services.decide_extension(extension=extension, by=town_staff, grant=True)
    # Still two days before the old deadline: nothing new.
    assert services.send_deadline_alerts(at=date_at(2026, 3, 8))["due_soon"] == 0
    # Due soon again before the new deadline, once.
    assert services.send_deadline_alerts(at=date_at(2026, 3, 18))["due_soon"] == 1
    assert services.send_deadline_alerts(at=date_at(2026, 3, 18))["due_soon"] == 0
    assert alerts("due_soon").count() == 2
