"""Writes for programmes, plans and measures. Each one is atomic and raises ValidationError."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region, User
from core.scoping import can_manage_registry, require_office, require_region_in_scope, scope_code
from plans.models import Measure, Plan, PlanTarget, Programme, ResponsibilityLetter
from rivers.models import Chief, River


@transaction.atomic
def create_programme(
    *, name: str, region: Region, start_date: date, end_date: date, goal: str = "", by: User
) -> Programme:
    require_office(by)
    require_region_in_scope(by, region)
    if end_date < start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期")})
    return Programme.objects.create(
        name=name, region=region, start_date=start_date, end_date=end_date, goal=goal
    )


@transaction.atomic
def record_responsibility_letter(
    *,
    programme: Programme,
    region: Region,
    signed_on: date,
    party_a: str,
    party_b: str,
    scan=None,
    note: str = "",
    by: User,
) -> ResponsibilityLetter:
    require_office(by)
    require_region_in_scope(by, region)
    if not region.code.startswith(programme.region.code) and not programme.region.code.startswith(
        region.code
    ):
        raise ValidationError({"region": _("签订单位不在该行动计划的实施范围内")})
    if ResponsibilityLetter.objects.filter(programme=programme, region=region).exists():
        raise ValidationError({"region": _("%(region)s已登记该计划的责任书") % {"region": region}})
    return ResponsibilityLetter.objects.create(
        programme=programme,
        region=region,
        signed_on=signed_on,
        party_a=party_a,
        party_b=party_b,
        scan=scan or "",
        note=note,
    )


@transaction.atomic
def create_plan(
    *,
    programme: Programme,
    title: str,
    by: User,
    river: River | None = None,
    region: Region | None = None,
    problems: str = "",
    batch: int = 1,
    targets: list[dict] | tuple = (),
) -> Plan:
    """A plan for one river, or (``river=None``) for the small water bodies of ``region``.

    ``targets``: ``[{"year": 2018, "water_class": 5, "black_odour_eliminated": True}, ...]``,
    each year inside the programme.
    """
    require_office(by)
    if river is not None:
        region = river.region
    if region is None:
        raise ValidationError({"region": _("请选择河道，或小微水体所属的镇/村")})
    require_region_in_scope(by, region)
    qs = Plan.objects.filter(programme=programme)
    if river is not None and qs.filter(river=river).exists():
        raise ValidationError({"river": _("该河道在此计划中已有方案")})
    if river is None and qs.filter(river__isnull=True, region=region).exists():
        raise ValidationError({"region": _("该区划的小微水体在此计划中已有方案")})
    plan = Plan.objects.create(
        programme=programme,
        river=river,
        region=region,
        title=title,
        problems=problems,
        batch=batch,
    )
    for target in targets:
        set_target(plan=plan, by=by, **target)
    return plan


@transaction.atomic
def set_target(
    *,
    plan: Plan,
    year: int,
    by: User,
    water_class: int | None = None,
    black_odour_eliminated: bool = False,
    note: str = "",
) -> PlanTarget:
    require_office(by)
    require_region_in_scope(by, plan.region)
    if year not in plan.programme.years:
        raise ValidationError(
            {
                "year": _("年度须在行动计划期限内（%(a)s–%(b)s）")
                % {"a": plan.programme.start_date.year, "b": plan.programme.end_date.year}
            }
        )
    if water_class is not None and not 1 <= int(water_class) <= 6:
        raise ValidationError({"water_class": _("水质类别应为 1–6")})
    target, _created = PlanTarget.objects.update_or_create(
        plan=plan,
        year=year,
        defaults={
            "water_class": water_class,
            "black_odour_eliminated": black_odour_eliminated,
            "note": note,
        },
    )
    return target


def _check_deadline(programme: Programme, deadline: date) -> None:
    if not programme.covers(deadline):
        raise ValidationError(
            {
                "deadline": _("完成时限须在行动计划期限内（%(start)s 至 %(end)s）")
                % {"start": programme.start_date, "end": programme.end_date}
            }
        )


@transaction.atomic
def add_measure(
    *,
    plan: Plan,
    title: str,
    owner_unit: str,
    deadline: date,
    by: User,
    owner_chief: Chief | None = None,
    description: str = "",
) -> Measure:
    require_office(by)
    require_region_in_scope(by, plan.region)
    _check_deadline(plan.programme, deadline)
    if not owner_unit.strip():
        raise ValidationError({"owner_unit": _("请填写责任单位")})
    return Measure.objects.create(
        plan=plan,
        title=title,
        description=description,
        owner_unit=owner_unit,
        owner_chief=owner_chief,
        deadline=deadline,
        updated_by=by,
    )


@transaction.atomic
def change_deadline(*, measure: Measure, deadline: date, by: User, note: str = "") -> Measure:
    require_office(by)
    require_region_in_scope(by, measure.plan.region)
    _check_deadline(measure.plan.programme, deadline)
    measure.deadline = deadline
    measure._change_reason = note
    measure._history_user = by
    measure.save(update_fields=["deadline"])
    return measure


def can_update_measure(*, user: User, measure: Measure) -> bool:
    """The owner chief, or office staff whose scope holds the plan."""
    if not (user and user.is_authenticated):
        return False
    if measure.owner_chief_id and measure.owner_chief.user_id == user.pk:
        return True
    if can_manage_registry(user):
        # The plan's own region, not merely a river crossing the office's town: a town does
        # not change the plan measures of a border river another town owns.
        code = scope_code(user)
        return code is not None and measure.plan.region.code.startswith(code)
    return False


@transaction.atomic
def update_progress(
    *, measure: Measure, by: User, progress: int, note: str = "", status: str | None = None
) -> Measure:
    """Record the owner's progress report. Progress going backwards needs a note.

    Locks the row so two simultaneous reports cannot both compare against the same old value.
    """
    measure = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("owner_chief")
        .get(pk=measure.pk)
    )
    if not can_update_measure(user=by, measure=measure):
        raise PermissionDenied(_("只有责任河长或河长办可以更新该措施"))
    errors = {}
    try:
        progress = int(progress)
    except (TypeError, ValueError):
        progress = -1
    note = (note or "").strip()
    if not 0 <= progress <= 100:
        errors["progress"] = _("进度应在 0 到 100 之间")
    elif progress < measure.progress and not note:
        errors["note"] = _("进度回退（%(old)s%% → %(new)s%%）时必须说明原因") % {
            "old": measure.progress,
            "new": progress,
        }
    if status is not None and status not in Measure.Status.values:
        errors["status"] = _("状态无效")
    if errors:
        raise ValidationError(errors)
    if status is None or status == measure.status:
        if progress == 100:
            status = Measure.Status.DONE
        elif progress > 0 and measure.status in (Measure.Status.PLANNED, Measure.Status.DONE):
            status = Measure.Status.IN_PROGRESS
        elif progress == 0 and measure.status == Measure.Status.DONE:
            status = Measure.Status.PLANNED
        else:
            status = measure.status
    if status == Measure.Status.DONE and progress != 100:
        raise ValidationError({"status": _("进度为 100% 才能标为已完成")})
    measure.progress = progress
    measure.status = status
    measure.note = note
    measure.updated_at = timezone.now()
    measure.updated_by = by
    measure._change_reason = note[:100]
    measure._history_user = by
    measure.save()
    return measure
