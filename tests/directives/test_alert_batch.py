"""The alert job as a batch: its cost does not grow with the orders owed, a rerun sends
nothing twice, and each town's people get only their own town's alerts."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from directives import services
from directives.models import Event, Source
from notices.models import Delivery, Notification
from notices.sms import LocmemBackend

pytestmark = pytest.mark.django_db

S = Delivery.Status
DEADLINE = date(2026, 3, 10)


def at(y, m, d):
    return datetime(y, m, d, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "notices.sms.LocmemBackend"
    LocmemBackend.outbox.clear()


def issue(office, river, village, n=1, **fields):
    return [
        services.issue_directive(
            issued_by=office,
            river=river,
            title=f"漂浮垃圾{i}",
            description="桥下有漂浮垃圾",
            issued_on=date(2026, 3, 1),
            deadline=DEADLINE,
            source=Source.PHONE_REPORT,
            target_village=village,
            notify_target=False,
            **fields,
        )
        for i in range(n)
    ]


def alerts():
    return Notification.objects.filter(kind__startswith="directive_")


@pytest.mark.parametrize("owed", [3, 30])
def test_the_job_costs_the_same_queries_for_3_and_for_30_owed_orders(
    owed, two_towns, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    d = two_towns
    issue(d.office_a, d.river_a1, d.village_a1, n=owed)
    # Reads: the orders owed, their village chiefs, the keys already alerted. Writes, in one
    # transaction (two savepoints here): the alerts, their deliveries (one statement up to
    # SQLite's 999 parameters, about 80 deliveries; PostgreSQL takes 1,000 at a time), the
    # orders' timeline entries.
    with django_capture_on_commit_callbacks() as wake_ups, django_assert_num_queries(10):
        counts = services.send_deadline_alerts(at=at(2026, 3, 11))
    assert counts == {"due_soon": 0, "due_today": 0, "overdue": owed, "escalated": 0}
    assert alerts().count() == owed
    assert Delivery.objects.filter(status=S.PENDING).count() == 2 * owed
    # The deliveries are woken up a chunk per task, not one task each.
    assert len(wake_ups) == -(-2 * owed // settings.NOTICES_DELIVERY_CHUNK)
    # A run that finds nothing new: the same reads, no writes.
    with django_assert_num_queries(3):
        assert sum(services.send_deadline_alerts(at=at(2026, 3, 11)).values()) == 0


@pytest.mark.parametrize("owed", [3, 15])
def test_escalating_adds_one_read_whatever_the_number_of_orders(
    owed, two_towns, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.DIRECTIVES_ESCALATE_AFTER_DAYS = 3
    d = two_towns
    issue(d.office_a, d.river_a1, d.village_a1, n=owed)
    with django_capture_on_commit_callbacks(), django_assert_num_queries(11):
        counts = services.send_deadline_alerts(at=at(2026, 3, 14))
    assert counts == {"due_soon": 0, "due_today": 0, "overdue": owed, "escalated": owed}
    with django_assert_num_queries(4):
        assert sum(services.send_deadline_alerts(at=at(2026, 3, 14)).values()) == 0


@pytest.mark.parametrize("owed", [10, 20])
def test_delivering_a_chunk_costs_two_queries_a_handover_group(
    owed, two_towns, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from notices.services import deliver_many

    settings.NOTICES_HANDOVER_GROUP = 10
    d = two_towns
    issue(d.office_a, d.river_a1, d.village_a1, n=owed)
    with django_capture_on_commit_callbacks():
        services.send_deadline_alerts(at=at(2026, 3, 11))
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 2 * owed
    # Claim (select for update and update, in a savepoint here), read, then per group of 10
    # one transaction (a savepoint here) that records the previous group's sends and hands
    # this one over, and at the end the last group's sends.
    groups = 2 * owed // 10
    with django_assert_num_queries(5 + 3 + 4 * (groups - 1) + 1):
        assert deliver_many(delivery_ids=ids) == {"sent": 2 * owed}


def test_running_the_job_twice_delivers_every_alert_once_on_each_channel(
    two_towns, settings, django_capture_on_commit_callbacks
):
    settings.NOTICES_DELIVERY_CHUNK = 7  # several chunks
    d = two_towns
    issue(d.office_a, d.river_a1, d.village_a1, n=5)
    issue(d.office_b, d.river_b2, d.village_b2, n=5)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.send_deadline_alerts(at=at(2026, 3, 11))
    with django_capture_on_commit_callbacks(execute=True) as again:
        second = services.send_deadline_alerts(at=at(2026, 3, 11))
    assert first["overdue"] == 10
    assert sum(second.values()) == 0
    assert again == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {S.SENT}
    keys = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(keys) == len(set(keys)) == 10
    out_ids = [m["out_id"] for m in LocmemBackend.outbox]
    assert len(out_ids) == len(set(out_ids)) == 10
    assert Event.objects.filter(kind=Event.Kind.ALERTED).count() == 10


def test_each_towns_office_and_chiefs_get_only_their_own_towns_alerts(two_towns, settings):
    settings.DIRECTIVES_ESCALATE_AFTER_DAYS = 3
    d = two_towns
    a = issue(d.office_a, d.river_a2, d.village_a2, n=2)
    b = issue(d.office_b, d.river_b1, d.village_b1, n=3)
    services.send_deadline_alerts(at=at(2026, 3, 14))

    def got(user):
        return sorted(
            int(key.split(":")[1])
            for key in alerts().filter(recipient=user).values_list("key", flat=True)
        )

    assert got(d.chief_a2) == sorted(o.pk for o in a)
    assert got(d.office_a) == sorted(o.pk for o in a)
    assert got(d.chief_b1) == sorted(o.pk for o in b)
    assert got(d.office_b) == sorted(o.pk for o in b)
    assert got(d.chief_a1) == got(d.chief_b2) == []


def test_an_order_on_the_border_river_alerts_its_target_village_not_the_other_towns_chief(
    two_towns, settings
):
    settings.DIRECTIVES_ESCALATE_AFTER_DAYS = 3
    d = two_towns
    # Town B owns the border river; chief_a1 answers for its reach in town A's village.
    (order,) = issue(d.office_b, d.border_river, d.village_b1, reach=d.reach_b1)
    counts = services.send_deadline_alerts(at=at(2026, 3, 14))
    assert counts["overdue"] == 1
    recipients = set(alerts().values_list("recipient", flat=True))
    assert d.chief_b1.pk in recipients
    assert d.office_b.pk in recipients
    assert not recipients & {d.chief_a1.pk, d.office_a.pk, d.chief_a2.pk, d.town_chief_a.pk}
    assert set(alerts().values_list("url", flat=True)) == {f"/directives/{order.pk}/"}
