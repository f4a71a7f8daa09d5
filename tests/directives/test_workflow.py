"""The order service itself: numbering, every transition, every refusal."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from directives import services
from directives.models import (
    Directive,
    Event,
    ExtensionRequest,
    Rectification,
    Status,
)
from notices.models import Notification
from tests import factories
from tests.directives.conftest import photo

pytestmark = pytest.mark.django_db


def test_orders_are_numbered_per_town_and_year(make_order, town):
    town.name = "朱泾镇"
    town.save()
    first = make_order()
    second = make_order()
    next_year = make_order(issued_on=date(2027, 1, 4), deadline=date(2027, 1, 20))
    assert (first.serial, second.serial, next_year.serial) == (1, 2, 1)
    assert first.number == "朱泾河长办督〔2026〕第1号"
    assert next_year.number == "朱泾河长办督〔2027〕第1号"


def test_another_town_has_its_own_numbers(make_order, river):
    make_order()
    other_town = factories.TownFactory()
    other_village = factories.VillageFactory(parent=other_town)
    other_staff = factories.UserFactory(role="office", region=other_town)
    other_river = factories.RiverFactory(region=other_village)
    order = services.issue_directive(
        issued_by=other_staff,
        river=other_river,
        title="t",
        description="d",
        deadline=date(2026, 3, 10),
        issued_on=date(2026, 3, 1),
        source="public_report",
        target_village=other_village,
    )
    assert order.serial == 1


def test_the_database_refuses_a_duplicate_number(make_order):
    order = make_order()
    order.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        order.save()


def test_the_database_refuses_a_deadline_before_the_issue_date(make_order):
    order = make_order()
    with pytest.raises(IntegrityError), transaction.atomic():
        Directive.objects.filter(pk=order.pk).update(deadline=date(2026, 2, 1))


def test_a_deadline_before_the_issue_date_is_refused_and_nothing_is_saved(make_order):
    with pytest.raises(ValidationError) as exc:
        make_order(deadline=date(2026, 2, 27))
    assert "deadline" in exc.value.message_dict
    assert Directive.objects.count() == 0
    assert Event.objects.count() == 0


def test_an_order_for_a_river_outside_the_issuers_town_is_refused(make_order, other_town_river):
    with pytest.raises(ValidationError) as exc:
        make_order(river=other_town_river)
    assert "river" in exc.value.message_dict
    assert Directive.objects.count() == 0


def test_a_village_of_another_town_cannot_be_the_target(make_order):
    stranger = factories.VillageFactory()
    with pytest.raises(ValidationError) as exc:
        make_order(target_village=stranger)
    assert "target_village" in exc.value.message_dict


def test_an_order_needs_a_target(make_order):
    with pytest.raises(ValidationError) as exc:
        make_order(target_village=None)
    assert "target_village" in exc.value.message_dict


def test_only_the_office_issues_orders(make_order, village_chief):
    with pytest.raises(PermissionDenied):
        make_order(issued_by=village_chief)


def test_issuing_records_the_event_and_tells_the_village_chiefs(make_order, village_chief):
    order = make_order()
    assert order.status == Status.ISSUED
    assert list(order.events.values_list("kind", flat=True)) == ["issued"]
    assert Notification.objects.filter(
        recipient=village_chief, key=f"directive:{order.pk}:issued:{village_chief.pk}"
    ).exists()


def test_the_full_workflow_records_every_step(make_order, village_chief, town_staff):
    order = make_order()
    services.accept_directive(directive=order, by=village_chief)
    rect = services.submit_rectification(
        directive=order, by=village_chief, text="已打捞清理", after_photos=[photo()]
    )
    assert rect.attachments.get().kind == "after"
    services.return_directive(directive=order, by=town_staff, reason="桥下仍有垃圾")
    services.submit_rectification(directive=order, by=village_chief, before_photos=[photo()])
    services.close_directive(directive=order, by=town_staff, note="现场核查已清理")
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    assert order.rectified_at is not None
    assert list(order.events.values_list("kind", "actor__username")) == [
        ("issued", town_staff.username),
        ("accepted", village_chief.username),
        ("submitted", village_chief.username),
        ("returned", town_staff.username),
        ("submitted", village_chief.username),
        ("closed", town_staff.username),
    ]
    outcomes = list(order.rectifications.values_list("outcome", flat=True))
    assert outcomes == [Rectification.Outcome.RETURNED, Rectification.Outcome.ACCEPTED]
    # simple_history audits every change of the order
    assert list(order.history.values_list("status", flat=True))[:5] == [
        "closed",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]


@pytest.mark.parametrize(
    ("action", "status"),
    [("submit", "issued"), ("close", "issued"), ("return", "accepted"), ("accept", "closed")],
)
def test_a_transition_out_of_order_is_refused_with_a_message(
    make_order, village_chief, town_staff, action, status
):
    order = make_order()
    Directive.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()
    calls = {
        "submit": lambda: services.submit_rectification(
            directive=order, by=village_chief, text="x"
        ),
        "close": lambda: services.close_directive(directive=order, by=town_staff),
        "return": lambda: services.return_directive(directive=order, by=town_staff, reason="r"),
        "accept": lambda: services.accept_directive(directive=order, by=village_chief),
    }
    with pytest.raises(ValidationError) as exc:
        calls[action]()
    assert "status" in exc.value.message_dict
    order.refresh_from_db()
    assert order.status == status
    assert order.events.count() == 1


def test_evidence_without_text_or_photo_is_refused(make_order, village_chief):
    order = make_order()
    services.accept_directive(directive=order, by=village_chief)
    with pytest.raises(ValidationError) as exc:
        services.submit_rectification(directive=order, by=village_chief, text="   ")
    assert "text" in exc.value.message_dict
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED
    assert not Rectification.objects.exists()


def test_a_file_that_is_not_a_picture_is_refused_as_a_photo(make_order, village_chief):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = make_order()
    services.accept_directive(directive=order, by=village_chief)
    bogus = SimpleUploadedFile("after.jpg", b"not a jpeg", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.submit_rectification(directive=order, by=village_chief, after_photos=[bogus])
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED
    assert not Rectification.objects.exists()


def test_another_village_chief_cannot_act_on_the_order(make_order, other_village):
    stranger = factories.UserFactory(role="village_chief", region=other_village)
    order = make_order()
    with pytest.raises(PermissionDenied):
        services.accept_directive(directive=order, by=stranger)


def test_a_village_chief_cannot_verify_their_own_rectification(make_order, village_chief):
    order = make_order()
    services.accept_directive(directive=order, by=village_chief)
    services.submit_rectification(directive=order, by=village_chief, text="done")
    with pytest.raises(PermissionDenied):
        services.close_directive(directive=order, by=village_chief)


def test_returning_needs_a_reason(make_order, village_chief, town_staff):
    order = make_order()
    services.accept_directive(directive=order, by=village_chief)
    services.submit_rectification(directive=order, by=village_chief, text="done")
    with pytest.raises(ValidationError):
        services.return_directive(directive=order, by=town_staff, reason="")


def test_a_granted_extension_moves_the_deadline(make_order, village_chief, town_staff):
    order = make_order()
    ext = services.request_extension(
        directive=order, by=village_chief, requested_deadline=date(2026, 3, 20), reason="需清淤"
    )
    services.decide_extension(extension=ext, by=town_staff, grant=True)
    order.refresh_from_db()
    assert order.deadline == date(2026, 3, 20)
    assert order.original_deadline == date(2026, 3, 10)
    assert order.extensions_granted == 1
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["extension_requested", "extension_granted"]


def test_a_refused_extension_keeps_the_deadline_and_needs_a_reason(
    make_order, village_chief, town_staff
):
    order = make_order()
    ext = services.request_extension(
        directive=order, by=village_chief, requested_deadline=date(2026, 3, 20), reason="需清淤"
    )
    with pytest.raises(ValidationError):
        services.decide_extension(extension=ext, by=town_staff, grant=False, note="")
    services.decide_extension(extension=ext, by=town_staff, grant=False, note="工作量不大")
    order.refresh_from_db()
    ext.refresh_from_db()
    assert order.deadline == date(2026, 3, 10)
    assert ext.decision == ExtensionRequest.Decision.REFUSED


def test_an_extension_past_the_day_limit_is_refused(make_order, village_chief, settings):
    settings.DIRECTIVES_MAX_EXTENSION_DAYS = 15
    order = make_order()
    with pytest.raises(ValidationError) as exc:
        services.request_extension(
            directive=order,
            by=village_chief,
            requested_deadline=date(2026, 3, 26),
            reason="需清淤",
        )
    assert "requested_deadline" in exc.value.message_dict
    assert not ExtensionRequest.objects.exists()


def test_extensions_past_the_count_limit_are_refused(
    make_order, village_chief, town_staff, settings
):
    settings.DIRECTIVES_MAX_EXTENSIONS = 1
    order = make_order()
    ext = services.request_extension(
        directive=order, by=village_chief, requested_deadline=date(2026, 3, 15), reason="r"
    )
    services.decide_extension(extension=ext, by=town_staff, grant=True)
    with pytest.raises(ValidationError) as exc:
        services.request_extension(
            directive=order, by=village_chief, requested_deadline=date(2026, 3, 20), reason="r"
        )
    assert "次" in exc.value.message_dict["requested_deadline"][0]


def test_an_extension_must_move_the_deadline_later(make_order, village_chief):
    order = make_order()
    with pytest.raises(ValidationError):
        services.request_extension(
            directive=order, by=village_chief, requested_deadline=date(2026, 3, 9), reason="r"
        )


def test_overdue_is_derived_from_the_deadline_in_shanghai(make_order, village_chief):
    order = make_order()
    # 2026-03-10 23:30 in Shanghai is 15:30 UTC: still the deadline day.
    with time_machine.travel("2026-03-10T15:30:00Z", tick=False):
        assert not order.is_overdue()
        assert not Directive.objects.overdue().exists()
    # Half an hour later it is the 11th in Shanghai: overdue.
    with time_machine.travel("2026-03-10T16:30:00Z", tick=False):
        assert order.is_overdue()
        assert list(Directive.objects.overdue()) == [order]
    services.accept_directive(directive=order, by=village_chief)
    services.submit_rectification(directive=order, by=village_chief, text="done")
    assert not Directive.objects.overdue(at=date(2026, 4, 1)).exists()


def test_closing_reports_on_time_and_days_to_rectify(make_order, village_chief, town_staff):
    order = make_order()
    with time_machine.travel("2026-03-05T02:00:00Z", tick=False):
        services.accept_directive(directive=order, by=village_chief)
        services.submit_rectification(directive=order, by=village_chief, text="done")
    with time_machine.travel("2026-03-12T02:00:00Z", tick=False):
        services.close_directive(directive=order, by=town_staff)
    order.refresh_from_db()
    assert order.rectified_on_time() is True
    assert order.days_to_rectify() == 4


def _finding(river, village, reporter):
    from django.utils import timezone

    from patrols.models import Finding

    return Finding.objects.create(
        river=river,
        region=village,
        category=Finding.Category.GARBAGE,
        note="桥下漂浮垃圾",
        found_at=timezone.now(),
        reported_by=reporter,
    )


def test_an_order_from_a_finding_marks_it_ordered_then_resolved(
    make_order, river, village, village_chief, town_staff
):
    from patrols.models import Finding

    finding = _finding(river, village, village_chief)
    order = make_order(finding=finding, source="patrol_finding")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ORDERED
    services.accept_directive(directive=order, by=village_chief)
    services.submit_rectification(directive=order, by=village_chief, text="已清理")
    services.close_directive(directive=order, by=town_staff)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RESOLVED


def test_a_finding_already_ordered_cannot_be_ordered_again(
    make_order, river, village, village_chief
):
    finding = _finding(river, village, village_chief)
    make_order(finding=finding, source="patrol_finding")
    finding.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        make_order(finding=finding, source="patrol_finding")
    assert "finding" in exc.value.message_dict
    assert Directive.objects.count() == 1


def test_each_step_tells_the_other_side_once(make_order, village_chief, town_staff):
    order = make_order()
    services.accept_directive(directive=order, by=village_chief)
    services.submit_rectification(directive=order, by=village_chief, text="已清理")
    services.return_directive(directive=order, by=town_staff, reason="仍有垃圾")
    kinds = dict(
        Notification.objects.filter(key__startswith=f"directive:{order.pk}:").values_list(
            "kind", "recipient__username"
        )
    )
    assert kinds == {
        "directive": village_chief.username,  # the new order
        "directive_submitted": town_staff.username,
        "directive_returned": village_chief.username,
    }
