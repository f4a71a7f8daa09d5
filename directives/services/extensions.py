"""Extensions of an order's deadline: requested by the target, granted or refused by the office,
within the limits of settings.DIRECTIVES_MAX_EXTENSIONS and DIRECTIVES_MAX_EXTENSION_DAYS."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import User
from directives.models import AWAITING_TARGET, Directive, Event, ExtensionRequest
from directives.services.access import is_office_for, is_target_of, office_of, tell
from directives.services.workflow import _lock


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
    tell(
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
    tell(
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
