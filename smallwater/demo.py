"""Demo of the small water bodies of 朱泾镇 (shared/reference/zhujing.md): all 704 were split
among the villages with a responsible village chief, classified after the January 2018
inspection, and given a policy each in May 2018, whose measures sit in the programme's plan for
the town's small water bodies (plans.demo) and were completed by the end of 2018.

Deterministic (seeded) and idempotent: bodies that already have their rows are skipped.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count

from core.models import Region, User
from plans.models import Measure, Plan
from rivers.models import Chief, WaterBody
from smallwater.models import Care, Classification, Policy

SEED = 2018
TZ = ZoneInfo("Asia/Shanghai")
TOWN_CODE = "310116102"
# Shares of the four classes among the bodies (illustrative).
CLASS_WEIGHTS = [
    (Classification.GOOD, 45),
    (Classification.FAIR, 30),
    (Classification.POOR, 20),
    (Classification.BLACK_ODOROUS, 5),
]
SUMMARIES = {
    Classification.GOOD: "保持现状，落实日常保洁和巡查。",
    Classification.FAIR: "加强保洁，清理岸边杂物，定期巡查。",
    Classification.POOR: "清淤疏浚，截断污染源，恢复水体流动。",
    Classification.BLACK_ODOROUS: "截污、清淤、活水三管齐下，消除黑臭。",
}
MEASURES = {
    Classification.GOOD: [("日常保洁", "村委会")],
    Classification.FAIR: [("岸边杂物清理", "村委会")],
    Classification.POOR: [("清淤疏浚", "镇水务站"), ("截断污染源", "村委会")],
    Classification.BLACK_ODOROUS: [
        ("截污纳管", "镇城建中心"),
        ("清淤疏浚", "镇水务站"),
        ("活水畅流", "镇水务站"),
    ],
}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def build(*, stdout=None) -> str:
    rng = random.Random(SEED)
    town = Region.objects.filter(code=TOWN_CODE).first()
    plan = (
        Plan.objects.filter(river__isnull=True, region=town)
        .order_by("programme__start_date")
        .first()
        if town
        else None
    )
    if plan is None:
        return "skipped: no plan for the town's small water bodies"
    office = User.objects.filter(username="office").first()
    bodies = list(
        WaterBody.objects.filter(village__code__startswith=TOWN_CODE)
        .select_related("village")
        .order_by("code")
    )
    chiefs: dict[int, list[Chief]] = {}
    for chief in Chief.objects.filter(region__code__startswith=TOWN_CODE, level="village").order_by(
        "user__username"
    ):
        chiefs.setdefault(chief.region_id, []).append(chief)
    have_care = set(Care.objects.values_list("water_body_id", flat=True))
    have_policy = set(Policy.objects.values_list("water_body_id", flat=True))
    classes = [c for c, w in CLASS_WEIGHTS for _ in range(w)]

    cares, policies, measures, links = [], [], [], []
    for n, body in enumerate(bodies):
        classification = rng.choice(classes)
        inspected = date(2018, 1, 2) + timedelta(days=rng.randint(0, 27))
        prepared = date(2018, 5, 2) + timedelta(days=rng.randint(0, 27))
        village_chiefs = chiefs.get(body.village_id, [])
        responsible = village_chiefs[n % len(village_chiefs)] if village_chiefs else None
        if body.pk not in have_care:
            cares.append(
                Care(
                    water_body=body,
                    responsible=responsible,
                    classification=classification,
                    inspected_on=inspected,
                    inspection_note=f"{inspected:%m月%d日}排查：{Classification(classification).label}",
                    updated_at=_at(inspected),
                    updated_by=office,
                )
            )
        if body.pk not in have_policy:
            policies.append(
                Policy(
                    water_body=body,
                    plan=plan,
                    summary=SUMMARIES[classification],
                    prepared_on=prepared,
                    prepared_by=office,
                )
            )
            for title, unit in MEASURES[classification]:
                done = prepared + timedelta(days=rng.randint(30, 200))
                measures.append(
                    Measure(
                        plan=plan,
                        title=f"{body.name}：{title}",
                        description=SUMMARIES[classification],
                        owner_unit=unit if unit != "村委会" else f"{body.village.name}委会",
                        owner_chief=responsible,
                        deadline=date(2018, 12, 31),
                        status=Measure.Status.DONE,
                        progress=100,
                        note="已完成",
                        updated_at=_at(done),
                        updated_by=office,
                    )
                )
                links.append(body.pk)

    from simple_history.utils import bulk_create_with_history

    bulk_create_with_history(cares, Care, default_date=_at(date(2018, 1, 31)))
    bulk_create_with_history(policies, Policy, default_date=_at(date(2018, 5, 31)))
    created_measures = bulk_create_with_history(
        measures, Measure, default_date=_at(date(2018, 5, 31))
    )
    policy_ids = dict(
        Policy.objects.filter(water_body_id__in=set(links)).values_list("water_body_id", "id")
    )
    through = Policy.measures.through
    through.objects.bulk_create(
        [
            through(policy_id=policy_ids[body_id], measure_id=m.pk)
            for body_id, m in zip(links, created_measures, strict=True)
        ]
    )
    inspected = Care.objects.filter(water_body__village__code__startswith=TOWN_CODE).aggregate(
        n=Count("id")
    )["n"]
    return f"care +{len(cares)}, policies +{len(policies)}, measures +{len(measures)} ({inspected} inspected)"
