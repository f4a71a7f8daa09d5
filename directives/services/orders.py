"""Supervision orders: issuing (with the per-town, per-year number), the workflow transitions,
rectification evidence and extensions.

Every change of status goes through :func:`_transition`, which reads :data:`TRANSITIONS`: the
one table of which action may move an order from which status, and who may do it. Each
transition locks the row, writes one timeline :class:`Event` and is audited by simple_history.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Region, User
from core.scoping import can_manage_registry, scope_code
from directives.models import (
    AWAITING_TARGET,
    Attachment,
    Directive,
    Event,
    ExtensionRequest,
    OrderCounter,
    Rectification,
    Source,
    Status,
    WorkOrder,
)
from directives.services.files import store_upload
from patrols.models import Finding
from patrols.services.findings import mark_finding_ordered, mark_finding_resolved
from rivers.models import Chief, Reach, River

# --- who may act ------------------------------------------------------------------------------


def is_office_for(user: User, directive: Directive) -> bool:
    """Office staff whose scope covers the order's town (or an administrator)."""
    if not can_manage_registry(user):
        return False
    code = scope_code(user)
    return code is not None and directive.town.code.startswith(code)


def is_target_of(user: User, directive: Directive) -> bool:
    """The chief the order is addressed to, or a village chief of the addressed village."""
    if user.is_superuser:
        return True
    if directive.target_chief_id and directive.target_chief.user_id == user.pk:
        return True
    return (
        user.role == User.Role.VILLAGE_CHIEF
        and directive.target_village_id is not None
        and directive.target_village_id == user.region_id
    )


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    actor: str  # "target": the addressee; "office": the town's office
    event: str


# The whole workflow. Anything not listed here is refused with a message.
TRANSITIONS: dict[str, Transition] = {
    "accept": Transition((Status.ISSUED,), Status.ACCEPTED, "target", Event.Kind.ACCEPTED),
    "submit": Transition(
        (Status.ACCEPTED, Status.RETURNED), Status.SUBMITTED, "target", Event.Kind.SUBMITTED
    ),
    "return": Transition((Status.SUBMITTED,), Status.RETURNED, "office", Event.Kind.RETURNED),
    "close": Transition((Status.SUBMITTED,), Status.CLOSED, "office", Event.Kind.CLOSED),
}

ACTION_LABELS = {
    "accept": gettext_lazy("签收"),
    "submit": gettext_lazy("提交整改"),
    "return": gettext_lazy("退回"),
    "close": gettext_lazy("核查销号"),
}


def allowed_actions(*, directive: Directive, user: User) -> list[str]:
    """The actions of the table this user may take on the order now (for buttons)."""
    actions = []
    for name, t in TRANSITIONS.items():
        if directive.status not in t.sources:
            continue
        if (t.actor == "office" and is_office_for(user, directive)) or (
            t.actor == "target" and is_target_of(user, directive)
        ):
            actions.append(name)
    return actions


def _lock(directive: Directive) -> Directive:
    return (
        Directive.objects.select_for_update(of=("self",))
        .select_related("town", "target_chief")
        .get(pk=directive.pk)
    )


def _transition(*, directive: Directive, action: str, by: User, note: str = "") -> Directive:
    """Apply one row of :data:`TRANSITIONS` to a locked order and record the event."""
    t = TRANSITIONS[action]
    locked = _lock(directive)
    allowed = is_office_for(by, locked) if t.actor == "office" else is_target_of(by, locked)
    if not allowed:
        if t.actor == "office":
            raise PermissionDenied(_("只有本镇河长办工作人员可以进行此操作"))
        raise PermissionDenied(_("只有督办单的责任村或责任河长可以进行此操作"))
    if locked.status not in t.sources:
        raise ValidationError(
            {
                "status": _("督办单当前状态为“%(status)s”，不能%(action)s")
                % {"status": locked.get_status_display(), "action": ACTION_LABELS[action]}
            }
        )
    before = locked.status
    locked.status = t.target
    locked._change_reason = ACTION_LABELS[action]
    locked._event = Event.objects.create(
        directive=locked, kind=t.event, actor=by, from_status=before, to_status=t.target, note=note
    )
    return locked


# --- issuing ----------------------------------------------------------------------------------


def _short_town_name(town: Region) -> str:
    for suffix in ("街道", "镇", "乡"):
        if town.name.endswith(suffix) and len(town.name) > len(suffix):
            return town.name[: -len(suffix)]
    return town.name


def format_number(*, town: Region, year: int, serial: int) -> str:
    """The formal document number, e.g. 朱泾河长办督〔2018〕第7号."""
    return f"{_short_town_name(town)}河长办督〔{year}〕第{serial}号"


def _next_serial(*, town: Region, year: int) -> int:
    """Take the next serial for (town, year) under a row lock, so two issuers never share it.

    The unique constraint on (town, year, serial) is the last line of defence.
    """
    OrderCounter.objects.get_or_create(town=town, year=year)
    counter = OrderCounter.objects.select_for_update().get(town=town, year=year)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return counter.last_serial


def _issuer_town(user: User, river: River) -> Region | None:
    if user.region_id and user.region.kind == Region.Kind.TOWN:
        return user.region
    if user.is_superuser:
        # An administrator issues for the town the river belongs to.
        return Region.objects.filter(code=river.region.code[:9], kind=Region.Kind.TOWN).first()
    return None


def _river_in_town(river: River, town: Region) -> bool:
    return (
        River.objects.filter(pk=river.pk)
        .filter(Q(region__code__startswith=town.code) | Q(regions__code__startswith=town.code))
        .exists()
    )


def recipients_of(directive: Directive) -> list[User]:
    """Who has to act on an order: the addressed chief, else the chiefs of the village."""
    if directive.target_chief_id:
        return [directive.target_chief.user]
    chiefs = (
        Chief.objects.active().filter(region_id=directive.target_village_id).select_related("user")
    )
    return [c.user for c in chiefs]


def office_of(directive: Directive) -> list[User]:
    return list(
        User.objects.filter(is_active=True, role=User.Role.OFFICE, region_id=directive.town_id)
    )


def _tell(*, directive: Directive, event: Event, users, title: str, body: str = "", channels=None):
    """Notify people of a step of the workflow, once per event and person."""
    from notices.models import Delivery
    from notices.services import notify

    for user in {u.pk: u for u in users if u.pk != event.actor_id}.values():
        notify(
            key=f"directive:{directive.pk}:event{event.pk}:{user.pk}",
            recipient=user,
            kind=f"directive_{event.kind}",
            title=title,
            body=body,
            url=f"/directives/{directive.pk}/",
            channels=channels or (Delivery.Channel.EMAIL, Delivery.Channel.SMS),
        )


@transaction.atomic
def issue_directive(
    *,
    issued_by: User,
    river: River,
    title: str,
    description: str,
    deadline: date,
    source: str,
    severity: str = "normal",
    reach: Reach | None = None,
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    target_village: Region | None = None,
    target_chief: Chief | None = None,
    requirement: str = "",
    source_ref: str = "",
    issued_on: date | None = None,
    work_order: WorkOrder | None = None,
    finding: "Finding | None" = None,
    attachments=(),
    notify_target: bool = True,
) -> Directive:
    """Issue a numbered order to a village and/or a chief of the issuer's town."""
    if not can_manage_registry(issued_by):
        raise PermissionDenied(_("只有河长办工作人员可以下发督办单"))
    issued_on = issued_on or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    town = _issuer_town(issued_by, river)
    if town is None:
        error("river", _("无法确定下发督办单的镇"))
    elif not _river_in_town(river, town):
        error("river", _("%(river)s不在%(town)s范围内") % {"river": river.name, "town": town.name})
    if reach is not None and reach.river_id != river.pk:
        error("reach", _("该河段不属于所选河道"))
    if target_village is None and target_chief is None:
        error("target_village", _("请指定责任村或责任河长"))
    if (
        target_village is not None
        and town is not None
        and (
            target_village.kind != Region.Kind.VILLAGE
            or not target_village.code.startswith(town.code)
        )
    ):
        error("target_village", _("责任村必须是本镇的村/居委"))
    if (
        target_chief is not None
        and town is not None
        and (not target_chief.region.code.startswith(town.code) or not target_chief.is_active)
    ):
        error("target_chief", _("责任河长必须是本镇在任的河长"))
    if deadline < issued_on:
        error("deadline", _("整改期限不能早于下发日期（%(day)s）") % {"day": issued_on})
    if source not in Source.values:
        error("source", _("来源无效"))
    if (latitude is None) != (longitude is None):
        error("latitude", _("经纬度须同时填写"))
    if not title.strip():
        error("title", _("请填写事由"))
    if not description.strip():
        error("description", _("请填写发现的问题"))
    if finding is not None:
        if finding.status != Finding.Status.OPEN:
            error(
                "finding",
                _("该问题已“%(status)s”，不能再生成督办单")
                % {"status": finding.get_status_display()},
            )
        if finding.river_id != river.pk:
            error("river", _("督办单的河道须与发现问题的河道一致"))
    if errors:
        raise ValidationError(errors)

    year = issued_on.year
    serial = _next_serial(town=town, year=year)
    directive = Directive(
        town=town,
        year=year,
        serial=serial,
        number=format_number(town=town, year=year, serial=serial),
        title=title.strip(),
        description=description.strip(),
        requirement=requirement.strip(),
        river=river,
        reach=reach,
        location=location,
        latitude=latitude,
        longitude=longitude,
        source=source,
        source_ref=source_ref,
        finding=finding,
        work_order=work_order,
        severity=severity,
        target_village=target_village,
        target_chief=target_chief,
        issued_by=issued_by,
        issued_on=issued_on,
        original_deadline=deadline,
        deadline=deadline,
    )
    directive.save()
    for upload in attachments:
        _attach(directive=directive, upload=upload, kind=Attachment.Kind.ATTACHMENT, by=issued_by)
    Event.objects.create(
        directive=directive,
        kind=Event.Kind.ISSUED,
        actor=issued_by,
        to_status=Status.ISSUED,
        note=_("整改期限 %(day)s") % {"day": deadline},
    )
    if finding is not None:
        _mark_finding(finding=finding, by=issued_by, resolved=False)
    if notify_target:
        from notices.services import notify

        for user in recipients_of(directive):
            notify(
                key=f"directive:{directive.pk}:issued:{user.pk}",
                recipient=user,
                kind="directive",
                title=_("新督办单：%(number)s %(title)s")
                % {"number": directive.number, "title": directive.title},
                body=_("请于 %(day)s 前完成整改并反馈。") % {"day": deadline},
                url=f"/directives/{directive.pk}/",
            )
    return directive


def _mark_finding(*, finding: Finding, by: User, resolved: bool) -> None:
    """Tell the patrols app what became of its finding: ORDERED on issue, RESOLVED on close."""
    if resolved:
        mark_finding_resolved(finding=finding, by=by)
    else:
        mark_finding_ordered(finding=finding, by=by)


def _attach(*, directive: Directive, upload, kind: str, by: User, rectification=None):
    stored = store_upload(upload, image_only=kind != Attachment.Kind.ATTACHMENT)
    return Attachment.objects.create(
        directive=directive,
        rectification=rectification,
        kind=kind,
        file=stored,
        name=stored.name,
        uploaded_by=by,
    )


# --- the workflow -----------------------------------------------------------------------------


@transaction.atomic
def accept_directive(*, directive: Directive, by: User, note: str = "") -> Directive:
    directive = _transition(directive=directive, action="accept", by=by, note=note)
    directive.accepted_at = timezone.now()
    directive.save()
    return directive


@transaction.atomic
def submit_rectification(
    *,
    directive: Directive,
    by: User,
    text: str = "",
    before_photos=(),
    after_photos=(),
) -> Rectification:
    """Record the target's evidence; text or at least one photo is required."""
    text = (text or "").strip()
    if not text and not before_photos and not after_photos:
        raise ValidationError({"text": [_("请填写整改情况或上传整改照片")]})
    directive = _transition(directive=directive, action="submit", by=by, note=text)
    directive.save()
    rectification = Rectification.objects.create(directive=directive, text=text, submitted_by=by)
    _tell(
        directive=directive,
        event=directive._event,
        users=office_of(directive),
        title=_("整改待核查：%(number)s %(title)s")
        % {"number": directive.number, "title": directive.title},
        body=text,
        channels=("email",),
    )
    for kind, uploads in (
        (Attachment.Kind.BEFORE, before_photos),
        (Attachment.Kind.AFTER, after_photos),
    ):
        for upload in uploads:
            _attach(
                directive=directive,
                upload=upload,
                kind=kind,
                by=by,
                rectification=rectification,
            )
    return rectification


def _pending_rectification(directive: Directive) -> Rectification | None:
    return (
        directive.rectifications.filter(outcome=Rectification.Outcome.PENDING)
        .order_by("-submitted_at", "-id")
        .first()
    )


@transaction.atomic
def return_directive(*, directive: Directive, by: User, reason: str) -> Directive:
    """Send the rectification back; the reason is required and shown to the village."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("退回时请说明理由")]})
    directive = _transition(directive=directive, action="return", by=by, note=reason.strip())
    directive.save()
    _tell(
        directive=directive,
        event=directive._event,
        users=recipients_of(directive),
        title=_("督办单被退回重改：%(number)s") % {"number": directive.number},
        body=reason.strip(),
    )
    rectification = _pending_rectification(directive)
    if rectification is not None:
        rectification.outcome = Rectification.Outcome.RETURNED
        rectification.reviewed_by = by
        rectification.reviewed_at = timezone.now()
        rectification.review_note = reason.strip()
        rectification.save()
    return directive


@transaction.atomic
def close_directive(*, directive: Directive, by: User, note: str = "") -> Directive:
    """Verify the rectification and close the order (销号); a linked finding is resolved."""
    directive = _transition(directive=directive, action="close", by=by, note=note)
    rectification = _pending_rectification(directive)
    now = timezone.now()
    directive.closed_at = now
    directive.rectified_at = rectification.submitted_at if rectification else now
    directive.save()
    if rectification is not None:
        rectification.outcome = Rectification.Outcome.ACCEPTED
        rectification.reviewed_by = by
        rectification.reviewed_at = now
        rectification.review_note = note
        rectification.save()
    if directive.finding_id is not None:
        _mark_finding(finding=directive.finding, by=by, resolved=True)
    _tell(
        directive=directive,
        event=directive._event,
        users=recipients_of(directive),
        title=_("督办单已核查销号：%(number)s") % {"number": directive.number},
        body=note,
        channels=("email",),
    )
    return directive


# --- extensions -------------------------------------------------------------------------------


def _extension_limits() -> tuple[int, int]:
    return settings.DIRECTIVES_MAX_EXTENSIONS, settings.DIRECTIVES_MAX_EXTENSION_DAYS


def _check_extension_limits(directive: Directive, new_deadline: date) -> None:
    max_count, max_days = _extension_limits()
    if directive.extensions_granted >= max_count:
        raise ValidationError(
            {"requested_deadline": [_("延期次数已达上限（%(n)d 次）") % {"n": max_count}]}
        )
    if (new_deadline - directive.original_deadline).days > max_days:
        raise ValidationError(
            {
                "requested_deadline": [
                    _("延期不能超过原定期限 %(n)d 天（最晚 %(day)s）")
                    % {
                        "n": max_days,
                        "day": directive.original_deadline + timedelta(days=max_days),
                    }
                ]
            }
        )


@transaction.atomic
def request_extension(
    *, directive: Directive, by: User, requested_deadline: date, reason: str
) -> ExtensionRequest:
    directive = _lock(directive)
    if not is_target_of(by, directive):
        raise PermissionDenied(_("只有督办单的责任村或责任河长可以申请延期"))
    if directive.status not in AWAITING_TARGET:
        raise ValidationError(
            {
                "status": _("督办单当前状态为“%(status)s”，不能申请延期")
                % {"status": directive.get_status_display()}
            }
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请说明延期理由")]})
    if requested_deadline <= directive.deadline:
        raise ValidationError({"requested_deadline": [_("申请的期限必须晚于当前期限")]})
    _check_extension_limits(directive, requested_deadline)
    if directive.extensions.filter(decision=ExtensionRequest.Decision.PENDING).exists():
        raise ValidationError({"requested_deadline": [_("已有一项延期申请待审批")]})
    extension = ExtensionRequest.objects.create(
        directive=directive,
        requested_deadline=requested_deadline,
        reason=reason.strip(),
        requested_by=by,
    )
    event = Event.objects.create(
        directive=directive,
        kind=Event.Kind.EXTENSION_REQUESTED,
        actor=by,
        note=_("申请延至 %(day)s：%(reason)s")
        % {"day": requested_deadline, "reason": reason.strip()},
    )
    _tell(
        directive=directive,
        event=event,
        users=office_of(directive),
        title=_("延期申请待审批：%(number)s") % {"number": directive.number},
        body=reason.strip(),
        channels=("email",),
    )
    return extension


@transaction.atomic
def decide_extension(
    *, extension: ExtensionRequest, by: User, grant: bool, note: str = ""
) -> ExtensionRequest:
    """Grant (moving the deadline) or refuse an extension request, within the limits."""
    directive = _lock(extension.directive)
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if not is_office_for(by, directive):
        raise PermissionDenied(_("只有本镇河长办工作人员可以审批延期"))
    if extension.decision != ExtensionRequest.Decision.PENDING:
        raise ValidationError({"decision": [_("该延期申请已审批")]})
    if grant:
        if directive.status not in AWAITING_TARGET:
            raise ValidationError({"status": _("督办单已不在整改中，不能延期")})
        _check_extension_limits(directive, extension.requested_deadline)
        directive.deadline = extension.requested_deadline
        directive.extensions_granted += 1
        directive._change_reason = _("批准延期")
        directive.save()
    elif not (note or "").strip():
        raise ValidationError({"note": [_("不予延期时请说明理由")]})
    extension.decision = (
        ExtensionRequest.Decision.GRANTED if grant else ExtensionRequest.Decision.REFUSED
    )
    extension.decided_by = by
    extension.decided_at = timezone.now()
    extension.decision_note = note.strip()
    extension.save()
    event = Event.objects.create(
        directive=directive,
        kind=Event.Kind.EXTENSION_GRANTED if grant else Event.Kind.EXTENSION_REFUSED,
        actor=by,
        note=(
            (_("期限延至 %(day)s") if grant else _("申请延至 %(day)s，不予批准"))
            % {"day": extension.requested_deadline}
            + (f"。{note.strip()}" if note.strip() else "")
        ),
    )
    _tell(
        directive=directive,
        event=event,
        users=[extension.requested_by],
        title=(
            _("延期已批准：%(number)s 期限延至 %(day)s")
            if grant
            else _("延期未获批准：%(number)s 期限仍为 %(day)s")
        )
        % {"number": directive.number, "day": directive.deadline},
        body=note.strip(),
    )
    return extension
