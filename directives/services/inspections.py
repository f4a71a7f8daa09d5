"""Inspection rounds of higher bodies and the work orders (工作指令) of their groups."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region, User
from core.scoping import can_manage_registry, scope_code
from directives.models import InspectionRound, WorkOrder, WorkOrderReply
from rivers.models import River


def _in_scope(user: User, town: Region) -> bool:
    code = scope_code(user)
    return code is not None and town.code.startswith(code)


def _may_record(user: User, town: Region) -> bool:
    """The town's office, or a district system (API client) whose region covers the town."""
    if not _in_scope(user, town):
        return False
    return can_manage_registry(user) or user.role == User.Role.DISTRICT_CLIENT


@transaction.atomic
def create_inspection_round(
    *,
    by: User,
    town: Region,
    name: str,
    group: str,
    start_date: date,
    end_date: date,
    rivers: list[River],
    topic: str = "",
    conclusion: str = "",
) -> InspectionRound:
    if not _may_record(by, town):
        raise PermissionDenied(_("您不能为%(town)s登记检查") % {"town": town.name})
    errors = {}
    if town.kind != Region.Kind.TOWN:
        errors["town"] = [_("请选择一个镇")]
    if end_date < start_date:
        errors["end_date"] = [_("结束日期不能早于开始日期")]
    if not name.strip():
        errors["name"] = [_("请填写检查名称")]
    if not group.strip():
        errors["group"] = [_("请填写检查组")]
    outside = [
        r.name
        for r in rivers
        if not River.objects.filter(pk=r.pk)
        .filter(Q(region__code__startswith=town.code) | Q(regions__code__startswith=town.code))
        .exists()
    ]
    if outside:
        errors["rivers"] = [_("不在本镇范围内的河道：%(names)s") % {"names": "、".join(outside)}]
    if errors:
        raise ValidationError(errors)
    inspection = InspectionRound.objects.create(
        town=town,
        name=name.strip(),
        group=group.strip(),
        topic=topic.strip(),
        start_date=start_date,
        end_date=end_date,
        conclusion=conclusion.strip(),
        created_by=by,
    )
    inspection.rivers.set(rivers)
    return inspection


@transaction.atomic
def create_work_order(
    *,
    by: User,
    inspection_round: InspectionRound,
    number: str,
    content: str,
    issued_on: date,
    reply_deadline: date,
    river: River | None = None,
) -> WorkOrder:
    """Record a work order of an inspection group (the office, or a district system)."""
    if not _may_record(by, inspection_round.town):
        raise PermissionDenied(_("您不能为该检查登记工作指令"))
    errors = {}
    if not number.strip():
        errors["number"] = [_("请填写指令编号")]
    if not content.strip():
        errors["content"] = [_("请填写指令内容")]
    if reply_deadline < issued_on:
        errors["reply_deadline"] = [_("答复期限不能早于下达日期")]
    if river is not None and not inspection_round.rivers.filter(pk=river.pk).exists():
        errors["river"] = [_("该河道不在本轮检查范围内")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return WorkOrder.objects.create(
                inspection_round=inspection_round,
                number=number.strip(),
                content=content.strip(),
                issued_on=issued_on,
                reply_deadline=reply_deadline,
                river=river,
                created_by=by,
            )
    except IntegrityError:
        raise ValidationError({"number": [_("本轮检查已有该编号的工作指令")]}) from None


@transaction.atomic
def reply_to_work_order(*, work_order: WorkOrder, by: User, text: str) -> WorkOrderReply:
    """The office answers a work order; the first reply marks it answered."""
    work_order = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("inspection_round__town")
        .get(pk=work_order.pk)
    )
    if not (can_manage_registry(by) and _in_scope(by, work_order.inspection_round.town)):
        raise PermissionDenied(_("只有本镇河长办工作人员可以答复工作指令"))
    if not (text or "").strip():
        raise ValidationError({"text": [_("请填写答复内容")]})
    reply = WorkOrderReply.objects.create(work_order=work_order, text=text.strip(), replied_by=by)
    if work_order.status != WorkOrder.Status.ANSWERED:
        work_order.status = WorkOrder.Status.ANSWERED
        work_order.answered_at = timezone.now()
        work_order.save()
    return reply
