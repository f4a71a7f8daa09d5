"""The workflow of an order: issued -> accepted -> rectification submitted -> closed, or
returned with a reason (and submitted again).

Every change of status goes through :func:`_transition`, which reads :data:`TRANSITIONS`: the
one table of which action may move an order from which status, and who may do it. Each
transition locks the row, writes one timeline :class:`Event` and is audited by simple_history.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import User
from directives.models import Attachment, Directive, Event, Rectification, Status
from directives.services.access import (
    attach,
    is_office_for,
    is_target_of,
    mark_finding,
    office_of,
    recipients_of,
    tell,
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
    tell(
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
            attach(
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
    tell(
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
        mark_finding(finding=directive.finding, by=by, resolved=True)
    tell(
        directive=directive,
        event=directive._event,
        users=recipients_of(directive),
        title=_("督办单已核查销号：%(number)s") % {"number": directive.number},
        body=note,
        channels=("email",),
    )
    return directive
