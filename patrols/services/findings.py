"""Findings: report, photograph, and move through their statuses (audited by simple_history)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import User
from core.scoping import scope_code
from patrols.models import Finding

# Which status may follow which. ORDERED -> RESOLVED when the order's rectification is accepted;
# an ordered finding can also be reopened if the order is withdrawn.
TRANSITIONS = {
    Finding.Status.OPEN: {
        Finding.Status.ORDERED,
        Finding.Status.RESOLVED,
        Finding.Status.DISMISSED,
    },
    Finding.Status.ORDERED: {Finding.Status.RESOLVED, Finding.Status.OPEN},
    Finding.Status.RESOLVED: {Finding.Status.OPEN},
    Finding.Status.DISMISSED: {Finding.Status.OPEN},
}


def _require_visible(finding: Finding, by: User) -> None:
    code = scope_code(by)
    if code is None or not finding.region.code.startswith(code):
        raise PermissionDenied(_("该问题不在您的管辖范围内"))


@transaction.atomic
def set_finding_status(*, finding: Finding, status: str, by: User, reason: str = "") -> Finding:
    """Move a finding to ``status`` if the transition is allowed; a repeat is a no-op."""
    finding = Finding.objects.select_for_update().select_related("region").get(pk=finding.pk)
    _require_visible(finding, by)
    if finding.status == status:
        return finding
    if status not in TRANSITIONS[finding.status]:
        raise ValidationError(
            {
                "status": _("问题状态不能从“%(old)s”改为“%(new)s”")
                % {
                    "old": finding.get_status_display(),
                    "new": Finding.Status(status).label,
                }
            }
        )
    finding.status = status
    finding._change_reason = reason or None
    finding._history_user = by
    finding.save(update_fields=["status"])
    return finding


def mark_finding_ordered(*, finding: Finding, by: User) -> Finding:
    """A supervision order was issued for this finding (called by the directives app)."""
    return set_finding_status(
        finding=finding, status=Finding.Status.ORDERED, by=by, reason=_("已转督办单")
    )


def mark_finding_resolved(*, finding: Finding, by: User) -> Finding:
    """The problem is solved (the directives app calls this when an order is closed)."""
    return set_finding_status(
        finding=finding, status=Finding.Status.RESOLVED, by=by, reason=_("已解决")
    )


def dismiss_finding(*, finding: Finding, by: User, reason: str = "") -> Finding:
    if not (by.is_office or by.role == User.Role.TOWN_CHIEF):
        raise PermissionDenied(_("只有河长办或镇级河长可以将问题标为不予处理"))
    return set_finding_status(
        finding=finding, status=Finding.Status.DISMISSED, by=by, reason=reason
    )
