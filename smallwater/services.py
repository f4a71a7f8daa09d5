"""Writes for the small water bodies: responsibility, inspection, photos, and the policy whose
measures are added through plans.services (the plans' own rules: deadline inside the
programme, owner unit, office in scope)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region, User
from core.scoping import can_manage_registry, scope_code
from plans import services as plan_services
from plans.models import Measure, Plan
from public.services import reencode_photo
from rivers.models import Chief, WaterBody
from smallwater.models import Care, Classification, Photo, Policy


def can_office(user: User, body: WaterBody) -> bool:
    code = scope_code(user)
    return can_manage_registry(user) and code is not None and body.village.code.startswith(code)


def can_update(user: User, body: WaterBody) -> bool:
    """The town office, or a village chief of the body's own village."""
    if can_office(user, body):
        return True
    return bool(
        user
        and user.is_authenticated
        and user.role == User.Role.VILLAGE_CHIEF
        and user.region_id == body.village_id
    )


def _require_update(user: User, body: WaterBody) -> None:
    if not can_update(user, body):
        raise PermissionDenied(_("只有本村河长或镇河长办可以更新该小微水体"))


def _care(body: WaterBody) -> Care:
    care, _created = Care.objects.select_for_update().get_or_create(water_body=body)
    return care


@transaction.atomic
def assign_responsible(*, water_body: WaterBody, by: User, chief: Chief) -> Care:
    if not can_office(by, water_body):
        raise PermissionDenied(_("只有镇河长办可以指定责任人"))
    if chief.region_id != water_body.village_id or not chief.is_active:
        raise ValidationError({"responsible": [_("责任人须是该村在任的河长")]})
    care = _care(water_body)
    care.responsible = chief
    care.updated_at, care.updated_by = timezone.now(), by
    care._history_user = by
    care.save()
    return care


@transaction.atomic
def record_inspection(
    *,
    water_body: WaterBody,
    by: User,
    classification: str,
    inspected_on: date,
    note: str = "",
) -> Care:
    _require_update(by, water_body)
    errors = {}
    if classification not in Classification.values:
        errors["classification"] = [_("请选择排查分类")]
    if inspected_on > timezone.localdate():
        errors["inspected_on"] = [_("排查日期不能晚于今天")]
    if errors:
        raise ValidationError(errors)
    care = _care(water_body)
    care.classification = classification
    care.inspected_on = inspected_on
    care.inspection_note = note.strip()
    care.updated_at, care.updated_by = timezone.now(), by
    care._history_user = by
    care.save()
    return care


@transaction.atomic
def add_photo(*, water_body: WaterBody, by: User, upload, caption: str = "") -> Photo:
    _require_update(by, water_body)
    return Photo.objects.create(
        water_body=water_body,
        image=reencode_photo(upload),
        caption=caption.strip()[:200],
        uploaded_by=by,
    )


def plan_for(water_body: WaterBody, *, on: date) -> Plan | None:
    """The small-water-body plan in force on ``on``: the village's own, else the town's."""
    town_code = water_body.village.code[:9]
    plans = Plan.objects.filter(
        river__isnull=True,
        region__code__in=[water_body.village.code, town_code],
        programme__start_date__lte=on,
        programme__end_date__gte=on,
    ).select_related("programme", "region")
    return min(plans, key=lambda p: (len(p.region.code) != 12, p.pk), default=None)


@transaction.atomic
def prepare_policy(
    *,
    water_body: WaterBody,
    by: User,
    summary: str,
    prepared_on: date,
    measures: list[dict] | tuple = (),
) -> Policy:
    """Write (or rewrite) the body's policy and add its measures to the plan in force.

    ``measures``: ``[{"title": ..., "owner_unit": ..., "deadline": date, "owner_chief": ...}]``.
    """
    if not can_office(by, water_body):
        raise PermissionDenied(_("只有镇河长办可以编制一水一策"))
    if not summary.strip():
        raise ValidationError({"summary": [_("请填写治理思路")]})
    plan = plan_for(water_body, on=prepared_on)
    if plan is None:
        raise ValidationError(
            {"plan": [_("编制日期不在任何小微水体方案的行动计划期限内，请先在一河一策中建立方案")]}
        )
    policy, _created = Policy.objects.update_or_create(
        water_body=water_body,
        defaults={
            "plan": plan,
            "summary": summary.strip(),
            "prepared_on": prepared_on,
            "prepared_by": by,
        },
    )
    care = Care.objects.filter(water_body=water_body).first()
    default_chief = care.responsible if care else None
    for item in measures:
        measure = plan_services.add_measure(
            plan=plan,
            title=f"{water_body.name}：{item['title']}",
            owner_unit=item.get("owner_unit", ""),
            deadline=item["deadline"],
            owner_chief=item.get("owner_chief") or default_chief,
            description=item.get("description", ""),
            by=by,
        )
        policy.measures.add(measure)
    return policy


def update_measure_progress(
    *, measure: Measure, by: User, progress: int, note: str = "", status: str | None = None
) -> Measure:
    """The plans' own progress report (note rule, history), for a body's measure."""
    return plan_services.update_progress(
        measure=measure, by=by, progress=progress, note=note, status=status
    )


def village_of(user: User) -> Region | None:
    return user.region if user.region and user.region.kind == Region.Kind.VILLAGE else None
