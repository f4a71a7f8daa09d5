"""Demo plans for 朱泾镇: the 2018–2020 three-year action plan to eliminate water worse than
Class V, the responsibility letters the town and each village signed, and the first batch of 25
river plans (shared/reference/zhujing.md) plus a plan for the town's small water bodies, each
with yearly targets and measures whose progress history runs from 2018 to 2020.

Deterministic (seeded) and idempotent: nothing is created when the programme already has plans.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from simple_history.utils import bulk_create_with_history

from core.choices import ChiefLevel, WaterClass
from core.models import Region, User
from plans.models import Measure, Plan, PlanTarget, Programme, ResponsibilityLetter
from rivers.models import ChiefAssignment, River

SEED = 2018
TZ = ZoneInfo("Asia/Shanghai")
TOWN_CODE = "310116102"
PROGRAMME = "朱泾镇2018—2020年消除劣Ⅴ类水体三年行动计划"
START, END = date(2018, 1, 1), date(2020, 12, 31)
FIRST_BATCH = 25  # shared/reference/zhujing.md: first batch of rivers with a plan

PROBLEMS = [
    "沿河居民生活污水直排，截污纳管尚未覆盖",
    "河道淤积严重，水体流动性差",
    "岸坡坍塌，缺少生态护坡",
    "沿岸违章搭建、堆放杂物",
    "农业面源污染，农田退水直接入河",
    "断头浜水系不通，水体自净能力弱",
    "河面漂浮物、水葫芦较多，保洁不到位",
    "沿河养殖尾水未经处理排放",
]
MEASURES = [
    ("截污纳管", "镇城建中心", "完成沿河农户生活污水纳管，消除直排口"),
    ("河道疏浚", "镇水务站", "清除淤泥，恢复河道过水断面"),
    ("生态护岸", "镇水务站", "建设生态护坡，种植水生植物"),
    ("拆除违章", "镇城管中队", "拆除沿河违章搭建，清理堆放"),
    ("面源治理", "镇农业中心", "推广生态沟渠，减少化肥流失"),
    ("水系沟通", "镇水务站", "打通断头浜，沟通水系"),
    ("河面保洁", "村委会", "落实保洁队伍，每日巡查打捞"),
    ("养殖尾水治理", "镇农业中心", "建设养殖尾水处理设施，达标排放"),
]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=TZ)


def build(*, stdout=None) -> str:
    rng = random.Random(SEED)
    town = Region.objects.filter(code=TOWN_CODE).first()
    if town is None:
        return "skipped: no demo town"
    office = User.objects.filter(username="office").first()
    programme, created = Programme.objects.get_or_create(
        name=PROGRAMME,
        region=town,
        defaults={
            "start_date": START,
            "end_date": END,
            "goal": "到2020年底全镇河道基本消除劣Ⅴ类水体，黑臭水体全部消除，水质稳定达到功能区目标。",
        },
    )
    if Plan.objects.filter(programme=programme).exists():
        return "nothing to do"

    # Responsibility letters: the town with the district, every village with the town.
    villages = list(Region.objects.filter(parent=town, kind=Region.Kind.VILLAGE).order_by("code"))
    chiefs_by_region = {}
    for a in ChiefAssignment.objects.select_related("chief__user").order_by(
        "chief__user__username"
    ):
        chiefs_by_region.setdefault(a.chief.region_id, a.chief)
    general = User.objects.filter(username="z002").first()
    letters = [
        ResponsibilityLetter(
            programme=programme,
            region=town,
            signed_on=date(2018, 2, 26),
            party_a="金山区总河长",
            party_b=str(general or "朱泾镇总河长"),
            note="镇与区签订消除劣Ⅴ类水体责任书",
        )
    ]
    for i, village in enumerate(villages):
        chief = chiefs_by_region.get(village.pk)
        letters.append(
            ResponsibilityLetter(
                programme=programme,
                region=village,
                signed_on=date(2018, 3, 5) + timedelta(days=i % 6),
                party_a=str(general or "朱泾镇总河长"),
                party_b=str(chief.user) if chief else f"{village.name}河长",
            )
        )
    bulk_create_with_history(letters, ResponsibilityLetter, default_date=_at(date(2018, 3, 12)))

    # The first batch: the 23 town-level rivers and the two village rivers in worst state.
    rivers = list(
        River.objects.filter(level=ChiefLevel.TOWN, code__startswith="ZJ-").order_by("code")
    )
    rivers += list(
        River.objects.filter(level=ChiefLevel.VILLAGE, code__startswith="ZJ-").order_by("code")[
            : FIRST_BATCH - len(rivers)
        ]
    )
    owner_of = {}
    for a in ChiefAssignment.objects.filter(river__in=rivers).order_by("-level", "pk"):
        owner_of.setdefault(a.river_id, a.chief)  # "village" sorts after "town": town first
    plans = []
    for river in rivers:
        problems = rng.sample(PROBLEMS, rng.randint(2, 3))
        plans.append(
            Plan(
                programme=programme,
                river=river,
                region=river.region,
                title=f"{river.name}“一河一策”实施方案（2018—2020）",
                problems="\n".join(f"{n}. {p}" for n, p in enumerate(problems, 1)),
                batch=1,
                created_at=_at(date(2018, 3, 20)),
            )
        )
    plans.append(
        Plan(
            programme=programme,
            river=None,
            region=town,
            title="朱泾镇小微水体“一河一策”实施方案",
            problems="1. 全镇704个小微水体分属各村，1月完成分类排查\n2. 部分断头浜、沟渠水质较差",
            batch=2,
            created_at=_at(date(2018, 5, 25)),
        )
    )
    bulk_create_with_history(plans, Plan, default_date=_at(date(2018, 3, 20)))
    plans = list(Plan.objects.filter(programme=programme).select_related("river"))

    targets = []
    for plan in plans:
        goal = plan.river.target_class if plan.river else WaterClass.V
        for year in programme.years:
            water = {2018: WaterClass.V, 2019: max(goal, WaterClass.IV), 2020: goal}[year]
            targets.append(
                PlanTarget(
                    plan=plan,
                    year=year,
                    water_class=water,
                    black_odour_eliminated=True,
                    note="消除劣Ⅴ类" if year == 2018 else "",
                )
            )
    bulk_create_with_history(targets, PlanTarget, default_date=_at(date(2018, 3, 20)))

    measures = []
    for plan in plans:
        chosen = rng.sample(MEASURES, rng.randint(3, 5))
        chief = owner_of.get(plan.river_id)
        for title, unit, text in chosen:
            deadline = date(rng.choice([2018, 2019, 2019, 2020]), rng.choice([6, 9, 12]), 30)
            measures.append(
                Measure(
                    plan=plan,
                    title=title,
                    description=text,
                    owner_unit=unit,
                    owner_chief=chief,
                    deadline=deadline,
                    updated_at=_at(date(2018, 3, 20)),
                    updated_by=office,
                )
            )
    bulk_create_with_history(
        measures, Measure, default_date=_at(date(2018, 3, 20)), default_user=office
    )

    # Progress reports by the owners, each a history row dated when it was made.
    updates = 0
    for measure in Measure.objects.filter(plan__programme=programme).select_related(
        "owner_chief__user"
    ):
        reporter = measure.owner_chief.user if measure.owner_chief else office
        begin = date(2018, 4, 1)
        span = (measure.deadline - begin).days
        steps = sorted(rng.sample(range(15, span), k=min(3, max(1, span // 120))))
        stuck = rng.random() < 0.12  # about one in eight runs late
        final = rng.choice([60, 70, 80, 90]) if stuck else 100
        progress = 0
        for n, offset in enumerate(steps, 1):
            progress = final if n == len(steps) else min(final, progress + rng.randint(20, 45))
            measure.progress = progress
            measure.status = Measure.Status.DONE if progress == 100 else Measure.Status.IN_PROGRESS
            measure.note = (
                "已完成并通过验收"
                if progress == 100
                else f"{measure.title}推进中，已完成{progress}%"
            )
            when = _at(begin + timedelta(days=offset))
            measure.updated_at = when
            measure.updated_by = reporter
            measure._history_date = when
            measure._history_user = reporter
            measure._change_reason = measure.note[:100]
            measure.save()
            updates += 1
    return (
        f"programme {'+1' if created else 'kept'}, letters +{len(letters)}, plans +{len(plans)}, "
        f"targets +{len(targets)}, measures +{len(measures)}, progress reports +{updates}"
    )
