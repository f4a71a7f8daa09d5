"""Findings: a stable identity and status the directives app moves through the services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch

from patrols.links import order_from_finding_url
from patrols.models import Finding
from patrols.services import dismiss_finding, mark_finding_ordered, mark_finding_resolved
from tests.patrols.factories import FindingFactory, PatrolFactory, chief_on_river


@pytest.fixture
def finding(village):
    chief, river = chief_on_river(village)
    return FindingFactory(patrol=PatrolFactory(chief=chief, river=river))


def test_an_ordered_finding_can_be_resolved_and_every_step_is_audited(finding, town_staff):
    assert finding.status == Finding.Status.OPEN
    mark_finding_ordered(finding=finding, by=town_staff)
    mark_finding_ordered(finding=finding, by=town_staff)  # a repeat changes nothing
    resolved = mark_finding_resolved(finding=finding, by=town_staff)
    assert resolved.status == Finding.Status.RESOLVED
    steps = list(finding.history.order_by("history_date").values_list("status", "history_user"))
    assert steps == [("open", None), ("ordered", town_staff.pk), ("resolved", town_staff.pk)]


def test_a_dismissed_finding_cannot_be_ordered(finding, town_staff):
    dismiss_finding(finding=finding, by=town_staff, reason="已由水务所处理")
    with pytest.raises(ValidationError) as exc:
        mark_finding_ordered(finding=finding, by=town_staff)
    assert "status" in exc.value.message_dict


def test_a_village_chief_cannot_dismiss_a_finding(finding):
    with pytest.raises(PermissionDenied):
        dismiss_finding(finding=finding, by=finding.reported_by)


def test_nobody_outside_the_findings_region_can_change_it(finding, other_village):
    from tests.factories import UserFactory

    stranger = UserFactory(role="office", region=other_village)
    with pytest.raises(PermissionDenied):
        mark_finding_ordered(finding=finding, by=stranger)


def test_visible_to_follows_the_region(finding, village, other_village):
    from tests.factories import UserFactory

    here = UserFactory(role="village_chief", region=village)
    there = UserFactory(role="village_chief", region=other_village)
    assert list(Finding.objects.visible_to(here)) == [finding]
    assert not Finding.objects.visible_to(there).exists()


def test_the_order_link_appears_only_when_the_directives_page_exists(finding, monkeypatch):
    import patrols.links as links

    def missing(*args, **kwargs):
        raise NoReverseMatch

    monkeypatch.setattr(links, "reverse", missing)
    assert order_from_finding_url(finding.pk) is None
    monkeypatch.setattr(
        links, "reverse", lambda name, kwargs: f"/directives/new/{kwargs['finding_id']}/"
    )
    assert order_from_finding_url(finding.pk) == f"/directives/new/{finding.pk}/"
