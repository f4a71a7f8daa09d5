"""Demo of the public's part for 朱泾镇: the office's public phone on the signboards, the 39
publicity articles of 2018 (shared/reference/zhujing.md), an Open311 client key, and a few
residents' reports waiting in the office's queue.

Deterministic (seeded) and idempotent: rows are keyed (title, receipt, key hash) and only the
missing ones are created.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from simple_history.utils import bulk_create_with_history

from core.models import Region, User
from public.models import Article, Category, OfficeContact, Open311Client, Report
from rivers.models import River

SEED = 2018
TZ = ZoneInfo("Asia/Shanghai")
TOWN_CODE = "310116102"
ARTICLES_2018 = 39  # shared/reference/zhujing.md: publicity articles
OFFICE_PHONE = "021-57310000"  # illustrative
DEMO_OPEN311_KEY = "demo-open311-key"

TOPICS = [
    ("朱泾镇召开河长制工作推进会", "部署全年河长制重点工作，签订目标责任书。"),
    ("第一总河长带队开展大巡河", "镇第一总河长带队巡查朱泾塘等骨干河道，现场协调解决问题。"),
    ("小微水体分类排查全面完成", "全镇704个小微水体完成分类排查，分属各村落实责任人。"),
    ("“一信河长”每月送达各级河长", "镇河长办每月向河长发送工作提示信，通报河道整治进展。"),
    ("劣Ⅴ类水体消除三年行动启动", "朱泾镇启动2018—2020年消除劣Ⅴ类水体三年行动计划。"),
    ("河道保洁队伍开展技能培训", "各村保洁员学习河面保洁和设施维护要求。"),
    ("村级河长巡河记录统计归档", "镇河长办通报各村巡河记录统计归档情况。"),
    (
        "市检查组对黑臭河道整治开展检查",
        "市水务局检查组对三条河道整治情况开展检查，工作指令全部答复。",
    ),
    ("智慧水务监测点选址踏勘", "镇河长办会同区水务部门对河道和水闸监测点选址进行踏勘。"),
    ("“河长制”进社区宣传活动", "志愿者走进居委，宣传爱河护河知识。"),
    ("截污纳管工程加快推进", "沿河农户生活污水纳管工作加快实施。"),
    ("督办单整改全部按期完成", "全年下发督办单全部在期限内完成整改销号。"),
    ("河道疏浚工程开工", "村级河道轮疏工程陆续开工。"),
]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def build(*, stdout=None) -> str:
    rng = random.Random(SEED)
    town = Region.objects.filter(code=TOWN_CODE).first()
    if town is None:
        return "skipped: no demo town"
    office = User.objects.filter(username="office").first()
    created = {"articles": 0, "reports": 0, "open311_clients": 0}

    OfficeContact.objects.get_or_create(
        town=town, defaults={"phone": OFFICE_PHONE, "address": "金山区朱泾镇人民政府河长办"}
    )
    if not Open311Client.objects.filter(key_hash=Open311Client.hash_key(DEMO_OPEN311_KEY)):
        Open311Client.objects.create(
            name="随手拍（演示）",
            prefix=DEMO_OPEN311_KEY[:8],
            key_hash=Open311Client.hash_key(DEMO_OPEN311_KEY),
        )
        created["open311_clients"] += 1

    have = set(Article.objects.filter(town=town).values_list("title", flat=True))
    articles = []
    for n in range(ARTICLES_2018):
        day = date(2018, 1, 8) + timedelta(days=round(n * 350 / ARTICLES_2018) + rng.randint(0, 4))
        topic, summary = TOPICS[n % len(TOPICS)]
        title = f"{topic}（{day:%m月%d日}）"
        if title in have:
            continue
        articles.append(
            Article(
                town=town,
                title=title,
                summary=summary,
                body=f"{summary}\n\n{day.year}年{day.month}月{day.day}日，{summary}"
                "镇河长办将持续做好河长制各项工作，欢迎群众通过河道公示牌扫码反映问题。",
                status=Article.Status.PUBLISHED,
                published_at=_at(day),
                created_by=office,
                created_at=_at(day, 9),
            )
        )
    bulk_create_with_history(articles, Article, default_date=_at(date(2018, 12, 31)))
    created["articles"] = len(articles)

    rivers = list(River.objects.filter(code__in=["ZJ-Z001", "ZJ-Z004", "ZJ-C007"]))
    samples = [
        (
            "20181105-DEMO0001",
            Category.GARBAGE,
            "河面漂浮垃圾较多，靠近桥边。",
            Report.Status.RECEIVED,
        ),
        (
            "20181112-DEMO0002",
            Category.SEWAGE_OUTLET,
            "岸边有管道往河里排水，有异味。",
            Report.Status.RECEIVED,
        ),
        ("20181020-DEMO0003", Category.DUMPING, "有人往河边倒建筑垃圾。", Report.Status.CLOSED),
    ]
    for (receipt, category, text, status), river in zip(samples, rivers, strict=False):
        if Report.objects.filter(receipt=receipt).exists():
            continue
        day = date(int(receipt[:4]), int(receipt[4:6]), int(receipt[6:8]))
        Report.objects.create(
            receipt=receipt,
            town=town,
            river=river,
            category=category,
            text=text,
            location="桥东侧",
            contact_phone="13800000000",
            status=status,
            close_reason="已由村保洁队清理完毕。" if status == Report.Status.CLOSED else "",
            handled_by=office if status == Report.Status.CLOSED else None,
            handled_at=_at(day + timedelta(days=2)) if status == Report.Status.CLOSED else None,
            created_at=_at(day, 8),
        )
        created["reports"] += 1
    return ", ".join(f"{k} +{v}" for k, v in created.items())
