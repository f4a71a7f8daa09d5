"""Findings: report, photograph, and move through their statuses (audited by simple_history)."""

import uuid
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.idempotency import save_once
from core.models import Region, User
from core.scoping import scope_code
from patrols import geo
from patrols.models import Finding, FindingPhoto, Patrol
from patrols.photos import clean_photo
from patrols.services.flags import refresh_flags
from patrols.services.patrols import CLOCK_SKEW, require_can_edit
from rivers.models import River

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


def _region_in_scope(by: User, river: River, reach) -> Region:
    code = scope_code(by) or ""
    if river.region.code.startswith(code):
        return river.region
    if reach is not None and reach.village_id and reach.village.code.startswith(code):
        return reach.village
    inside = sorted(
        (r for r in river.regions.all() if r.code.startswith(code)),
        key=lambda r: len(r.code),
    )
    if not inside:
        raise PermissionDenied(_("该河道不在您的管辖范围内"))
    return inside[0]


@transaction.atomic
def report_finding(
    *,
    by: User,
    river,
    category: str,
    patrol: Patrol | None = None,
    reach=None,
    note: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    found_at: datetime | None = None,
    client_id: uuid.UUID | None = None,
    photos: list | None = None,
) -> Finding:
    """Record a problem (on a patrol, or reported on its own); same ``client_id`` returns it,
    also when sent concurrently (``just_created`` False: the API answers 200)."""
    if client_id is not None:
        existing = Finding.objects.filter(client_id=client_id).select_related("region").first()
        if existing is not None:
            _require_visible(existing, by)
            existing.just_created = False
            return existing
    errors = {}
    if category not in Finding.Category.values:
        errors["category"] = _("请选择问题类别")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("纬度和经度须同时填写")
    elif latitude is not None and not geo.plausible(float(latitude), float(longitude)):
        errors["latitude"] = _("位置坐标不合理（%(lat)s, %(lon)s）") % {
            "lat": latitude,
            "lon": longitude,
        }
    found_at = found_at or timezone.now()
    if found_at > timezone.now() + CLOCK_SKEW:
        errors["found_at"] = _("发现时间不能晚于现在")
    if reach is not None and reach.river_id != river.pk:
        errors["reach"] = _("该河段不属于所选河道")
    if errors:
        raise ValidationError(errors)
    if patrol is not None:
        require_can_edit(patrol, by)
        if patrol.river_id != river.pk:
            raise ValidationError({"river": _("问题所在河道须与巡河河道一致")})
        region = patrol.region
    else:
        if not River.objects.visible_to(by).filter(pk=river.pk).exists():
            raise PermissionDenied(_("该河道不在您的管辖范围内"))
        # A chief's report belongs to the chief's region; anyone else's (the office, a district
        # system) to the region that owns the river, so the town's office sees it. On a river
        # that merely crosses the caller's town, it lands in the caller's own part of it: a
        # town acts on its own reaches and never writes into another town.
        chief = getattr(by, "chief", None)
        region = chief.region if chief is not None else _region_in_scope(by, river, reach)
    finding = Finding(
        client_id=client_id or uuid.uuid4(),
        patrol=patrol,
        river=river,
        reach=reach,
        region=region,
        category=category,
        note=note.strip(),
        latitude=float(latitude) if latitude is not None else None,
        longitude=float(longitude) if longitude is not None else None,
        found_at=found_at,
        reported_by=by,
    )
    finding._history_user = by
    finding, created = save_once(finding)
    if not created:
        _require_visible(finding, by)
        return finding
    for upload in photos or []:
        add_finding_photo(finding=finding, by=by, upload=upload)
    return finding


@transaction.atomic
def add_finding_photo(
    *, finding: Finding, by: User, upload, client_id: uuid.UUID | None = None
) -> FindingPhoto:
    """Store a re-encoded copy of a photo (metadata stripped); same ``client_id`` returns it.

    If the finding belongs to a finished patrol, the patrol's flags are recomputed, since a
    photo's capture time is one of them.
    """
    finding = Finding.objects.select_related("region", "patrol__river").get(pk=finding.pk)
    _require_visible(finding, by)
    if client_id is not None:
        existing = FindingPhoto.objects.filter(client_id=client_id).first()
        if existing is not None:
            # A retry returns its own photo; a client_id of another finding (perhaps another
            # town's) is refused without telling whose it is.
            if existing.finding_id != finding.pk:
                raise ValidationError({"client_id": _("该 client_id 已被使用")})
            return existing
    if finding.patrol is not None:
        require_can_edit(finding.patrol, by)
    clean = clean_photo(upload)
    photo = FindingPhoto(
        client_id=client_id or uuid.uuid4(),
        finding=finding,
        taken_at=clean.taken_at,
        latitude=clean.latitude,
        longitude=clean.longitude,
    )
    photo.image.save(clean.content.name, clean.content, save=False)
    photo.width, photo.height = clean.width, clean.height
    photo.save()
    patrol = finding.patrol
    if patrol is not None and patrol.status == Patrol.Status.FINISHED:
        before = list(patrol.flags)
        if refresh_flags(patrol) != before:
            patrol._history_user = by
            patrol.save(update_fields=["flags"])
    return photo
