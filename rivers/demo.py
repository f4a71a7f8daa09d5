"""The registry of the demo town, 朱泾镇 (Zhujing, Jinshan district, Shanghai).

Figures from shared/reference/zhujing.md: 188 rivers (23 town-level, about 77 km; 165
village-level, about 120 km), 97 sluice gates, 704 small and micro water bodies, 91 town-level
chiefs. Names of villages and rivers are illustrative; the counts and lengths are the report's.
Deterministic (seeded) and idempotent: only missing rows are created.
"""

import math
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import make_password

from core.choices import ChiefLevel, WaterClass
from core.models import ApiToken, Region, User
from rivers.models import (
    Chief,
    ChiefAssignment,
    Reach,
    River,
    SluiceGate,
    WaterBody,
    fill_river_codes,
)

SEED = 2018
DEMO_PASSWORD = "hezhang-demo"
# A fixed key so the README can show a working API call against the demo; production tokens
# are random (core.services.create_api_client).
DEMO_READ_TOKEN = "demo-jinshan-read-token"
DEMO_WRITE_TOKEN = "demo-jinshan-write-token"
# A town's own system (scope 朱泾镇 only), to show what a town-scoped token may not do.
DEMO_TOWN_TOKEN = "demo-zhujing-write-token"

DISTRICT = ("310116", "金山区")
TOWN = ("310116102", "朱泾镇")
# (code suffix, name): villages (村) and residential committees (居委).
VILLAGES = [
    ("201", "待泾村"),
    ("202", "秀州村"),
    ("203", "万联村"),
    ("204", "五龙村"),
    ("205", "新泾村"),
    ("206", "大茫村"),
    ("207", "温河村"),
    ("208", "民主村"),
    ("209", "慧农村"),
    ("210", "牡丹村"),
    ("211", "中洪村"),
    ("212", "长浜村"),
    ("001", "东林居委"),
    ("002", "西林居委"),
    ("003", "临源居委"),
]
TOWN_RIVERS, TOWN_KM = 23, Decimal("77")
VILLAGE_RIVERS, VILLAGE_KM = 165, Decimal("120")
TOWN_CHIEFS = 91
GATES = 97
WATER_BODIES = 704
ASSIGNED_SINCE = date(2017, 3, 1)
PREVIOUS_SINCE = date(2014, 1, 1)

TOWN_RIVER_NAMES = [
    "朱泾塘",
    "掘石港",
    "大茫塘",
    "秀州塘",
    "待泾河",
    "胥浦塘",
    "新泾港",
    "温河港",
    "万联港",
    "五龙港",
    "民主塘",
    "慧农河",
    "牡丹港",
    "中洪港",
    "长浜港",
    "东林河",
    "西林塘",
    "临源港",
    "北圩港",
    "南横泾",
    "界河",
    "团结河",
    "友谊港",
]
SYLLABLES = "东西南北前后新老大小长横直上下中里外金石青白"
SUFFIXES = ["浜", "泾", "港", "河", "沟"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅林斌凤云飞鹏宇浩辉"


def _split(total: Decimal, parts: int, rng: random.Random, low=0.4, high=1.6) -> list[Decimal]:
    """``parts`` positive lengths (2 decimals) that add up to exactly ``total``."""
    weights = [rng.uniform(low, high) for _ in range(parts)]
    scale = total / Decimal(str(sum(weights)))
    lengths = [(Decimal(str(w)) * scale).quantize(Decimal("0.01"), ROUND_HALF_UP) for w in weights]
    lengths[-1] += total - sum(lengths)
    return lengths


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(SURNAMES), "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(n: int) -> str:
    return f"139{n:08d}"


def _course(rng: random.Random, length_km: Decimal) -> dict:
    """An illustrative GeoJSON LineString of about ``length_km`` near Zhujing (WGS84)."""
    lat, lon = 30.90 + rng.uniform(-0.035, 0.035), 121.17 + rng.uniform(-0.045, 0.045)
    segments = rng.randint(4, 8)
    step = float(length_km) / segments / 111.0  # degrees; 1° of latitude ≈ 111 km
    heading = rng.uniform(0, 6.283)
    points = [[round(lon, 6), round(lat, 6)]]
    for _ in range(segments):
        heading += rng.uniform(-0.6, 0.6)
        lat += step * math.sin(heading)
        lon += step * math.cos(heading) / math.cos(math.radians(lat))
        points.append([round(lon, 6), round(lat, 6)])
    return {"type": "LineString", "coordinates": points}


def build(*, stdout=None) -> str:
    rng = random.Random(SEED)
    # A second stream for the river courses, so that adding them changed no other figure.
    course_rng = random.Random(SEED + 1)
    created = {"regions": 0, "rivers": 0, "reaches": 0, "gates": 0, "water_bodies": 0, "users": 0}

    def region(code, name, kind, parent=None):
        obj, new = Region.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": parent}
        )
        created["regions"] += new
        return obj

    district = region(*DISTRICT, Region.Kind.DISTRICT)
    town = region(*TOWN, Region.Kind.TOWN, district)
    villages = [
        region(TOWN[0] + suffix, name, Region.Kind.VILLAGE, town) for suffix, name in VILLAGES
    ]

    password = make_password(DEMO_PASSWORD)

    def user(username, role, home, *, last="", first="", phone="", email=""):
        obj, new = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "region": home,
                "last_name": last,
                "first_name": first,
                "phone": phone,
                "email": email,
                "password": password,
            },
        )
        created["users"] += new
        return obj

    # Rivers --------------------------------------------------------------------------------
    existing = set(River.objects.values_list("code", flat=True))
    town_lengths = _split(TOWN_KM, TOWN_RIVERS, rng)
    village_lengths = _split(VILLAGE_KM, VILLAGE_RIVERS, rng, 0.3, 1.7)
    town_rivers: list[tuple[River, list[Region]]] = []
    used_names = set(TOWN_RIVER_NAMES)
    for i, length in enumerate(town_lengths, start=1):
        code = f"ZJ-Z{i:03d}"
        crossed = rng.sample(villages, rng.randint(2, 5))
        river = _river(
            code,
            existing,
            name=TOWN_RIVER_NAMES[i - 1],
            level=ChiefLevel.TOWN,
            length_km=length,
            region=town,
            target_class=rng.choice([WaterClass.III, WaterClass.IV, WaterClass.IV, WaterClass.V]),
            geometry=_course(course_rng, length),
        )
        river.regions.add(town, *crossed)
        town_rivers.append((river, crossed))
    village_rivers: list[River] = []
    for i, length in enumerate(village_lengths, start=1):
        code = f"ZJ-C{i:03d}"
        village = villages[(i - 1) % len(villages)]
        name = _unique_name(rng, used_names)
        river = _river(
            code,
            existing,
            name=name,
            level=ChiefLevel.VILLAGE,
            length_km=length,
            region=village,
            target_class=WaterClass.V,
            geometry=_course(course_rng, length),
        )
        river.regions.add(village)
        village_rivers.append(river)
    created["rivers"] = len(set(River.objects.values_list("code", flat=True)) - existing)

    # Reaches of town-level rivers: 91 in all, one per town-level chief ----------------------
    per_river = _distribute(TOWN_CHIEFS, [len(c) for _, c in town_rivers])
    reaches: list[Reach] = []
    for (river, crossed), count in zip(town_rivers, per_river, strict=True):
        km = _split(river.length_km, count, rng)
        for n in range(count):
            village = crossed[n % len(crossed)]
            reach, new = Reach.objects.get_or_create(
                river=river,
                name=f"{village.name}段"
                + (f"{n // len(crossed) + 1}" if n >= len(crossed) else ""),
                defaults={"position": n + 1, "length_km": km[n], "village": village},
            )
            created["reaches"] += new
            reaches.append(reach)

    # Chiefs ----------------------------------------------------------------------------------
    titles = [Chief.Title.FIRST_CHIEF, Chief.Title.GENERAL_CHIEF] + [
        Chief.Title.DEPUTY_GENERAL_CHIEF
    ] * 2
    town_chiefs = []
    for n in range(1, TOWN_CHIEFS + 1):
        last, first = _person(rng)
        u = user(
            f"z{n:03d}",
            User.Role.TOWN_CHIEF,
            town,
            last=last,
            first=first,
            phone=_phone(n),
            email=f"z{n:03d}@zhujing.example.cn",
        )
        chief, _ = Chief.objects.get_or_create(
            user=u,
            defaults={
                "level": ChiefLevel.TOWN,
                "title": titles[n - 1] if n <= len(titles) else Chief.Title.CHIEF,
                "position": "镇党委书记" if n == 1 else ("镇长" if n == 2 else "镇机关干部"),
                "region": town,
            },
        )
        town_chiefs.append(chief)
    general = town_chiefs[1]
    village_chiefs: dict[int, list[Chief]] = {}
    serial = 1000
    for village in villages:
        village_chiefs[village.pk] = []
        for k in range(3):
            serial += 1
            last, first = _person(rng)
            u = user(
                f"c{serial - 1000:03d}",
                User.Role.VILLAGE_CHIEF,
                village,
                last=last,
                first=first,
                phone=_phone(serial),
                email=f"c{serial - 1000:03d}@zhujing.example.cn",
            )
            chief, _ = Chief.objects.get_or_create(
                user=u,
                defaults={
                    "level": ChiefLevel.VILLAGE,
                    "title": Chief.Title.CHIEF,
                    "position": ["村党组织书记", "村委会主任", "村委委员"][k],
                    "region": village,
                    "superior": general,
                },
            )
            village_chiefs[village.pk].append(chief)

    # Assignments: a town-level chief for each reach, a village chief for each reach and for
    # each village-level river. Created only where missing.
    have = set(ChiefAssignment.objects.values_list("chief_id", "river_id", "reach_id", "level"))
    new_assignments = []

    def assign(chief, river, reach, level, start=ASSIGNED_SINCE, end=None):
        key = (chief.pk, river.pk, reach.pk if reach else None, level)
        if key not in have:
            have.add(key)
            new_assignments.append(
                ChiefAssignment(
                    chief=chief,
                    river=river,
                    reach=reach,
                    level=level,
                    start_date=start,
                    end_date=end,
                )
            )

    for chief, reach in zip(town_chiefs, reaches, strict=True):
        assign(chief, reach.river, reach, ChiefLevel.TOWN)
        assign(village_chiefs[reach.village_id][0], reach.river, reach, ChiefLevel.VILLAGE)
    for i, river in enumerate(village_rivers):
        chiefs = village_chiefs[river.region_id]
        # Rivers are dealt to villages in turn, so i // len(villages) counts this village's
        # rivers: dealing them to its chiefs in turn gives every village chief some rivers.
        nth = i // len(villages)
        assign(chiefs[nth % len(chiefs)], river, None, ChiefLevel.VILLAGE)
        if i % 15 == 0:
            # Some history to show: a predecessor who handed over when today's chief began.
            assign(
                chiefs[(nth + 1) % len(chiefs)],
                river,
                None,
                ChiefLevel.VILLAGE,
                start=PREVIOUS_SINCE,
                end=ASSIGNED_SINCE - timedelta(days=1),
            )
    ChiefAssignment.objects.bulk_create(new_assignments)
    fill_river_codes(ChiefAssignment.objects.filter(river_code=""))

    # Sluice gates and small water bodies ----------------------------------------------------
    have_gates = set(SluiceGate.objects.values_list("code", flat=True))
    all_rivers = [r for r, _ in town_rivers] + village_rivers
    gates = []
    for i in range(1, GATES + 1):
        code = f"ZJ-SZ{i:03d}"
        river = all_rivers[rng.randrange(len(all_rivers))]
        lat = Decimal(str(round(30.90 + rng.uniform(-0.04, 0.04), 6)))
        lon = Decimal(str(round(121.17 + rng.uniform(-0.05, 0.05), 6)))
        if code not in have_gates:
            gates.append(
                SluiceGate(
                    code=code,
                    name=f"{river.name}{['节制闸', '水闸', '套闸'][i % 3]}{i}",
                    river=river,
                    region=river.region if river.level == ChiefLevel.VILLAGE else town,
                    latitude=lat,
                    longitude=lon,
                    width_m=Decimal(rng.choice([4, 5, 6, 8])),
                )
            )
    SluiceGate.objects.bulk_create(gates)
    created["gates"] = len(gates)

    have_bodies = set(WaterBody.objects.values_list("code", flat=True))
    bodies = []
    kinds = [WaterBody.Kind.POND] * 5 + [WaterBody.Kind.DITCH] * 3 + [WaterBody.Kind.POOL] * 2
    for i in range(1, WATER_BODIES + 1):
        code = f"ZJ-XW{i:04d}"
        village = villages[(i - 1) % len(villages)]
        kind = rng.choice(kinds)
        area = Decimal(str(round(rng.uniform(80, 4000), 1)))
        if code not in have_bodies:
            bodies.append(
                WaterBody(
                    code=code,
                    name=f"{village.name[:-1]}{WaterBody.Kind(kind).label}{i:03d}",
                    kind=kind,
                    village=village,
                    area_m2=area,
                )
            )
    WaterBody.objects.bulk_create(bodies)
    created["water_bodies"] = len(bodies)

    # Demo users of every role ---------------------------------------------------------------
    admin = user("admin", "", town, last="管理员")
    if not admin.is_superuser:
        User.objects.filter(pk=admin.pk).update(
            is_superuser=True, is_staff=True, role=User.Role.OFFICE
        )
    user(
        "office",
        User.Role.OFFICE,
        town,
        last="河长办",
        first="小朱",
        phone="13900000001",
        email="office@zhujing.example.cn",
    )
    user("inspector", User.Role.INSPECTOR, district, last="检查组", first="三组")
    client = user("district-api", User.Role.DISTRICT_CLIENT, district, last="金山区智慧水务平台")
    for key, scope in (
        (DEMO_READ_TOKEN, ApiToken.Scope.READ),
        (DEMO_WRITE_TOKEN, ApiToken.Scope.WRITE),
    ):
        ApiToken.objects.get_or_create(
            key_hash=ApiToken.hash_key(key),
            defaults={"user": client, "name": f"demo-{scope}", "scope": scope, "prefix": key[:8]},
        )
    _town_token(town, user)
    _build_second_town(district, villages, user, created, rng=random.Random(SEED + 2))
    return ", ".join(f"{k} +{v}" for k, v in created.items())


def _town_token(town, user) -> None:
    client = user("zhujing-api", User.Role.DISTRICT_CLIENT, town, last="朱泾镇网格化平台")
    ApiToken.objects.get_or_create(
        key_hash=ApiToken.hash_key(DEMO_TOWN_TOKEN),
        defaults={
            "user": client,
            "name": "demo-town-write",
            "scope": ApiToken.Scope.WRITE,
            "prefix": DEMO_TOWN_TOKEN[:8],
        },
    )


# The neighbouring town, so that the demo is a district of two towns: 亭林镇 with two villages,
# its own office, chiefs and rivers, and a border river (界泾) that it owns and that crosses
# 朱泾镇's 待泾村, whose reach there 朱泾镇's village chief c001 answers for. Small on purpose:
# 朱泾镇 keeps the reference figures; 亭林镇 exists to show (and test) what one town may do to
# the other's records.
SECOND_TOWN = ("310116105", "亭林镇")
SECOND_VILLAGES = [("201", "亭东村"), ("202", "南星村")]
SECOND_RIVERS = [
    # code, name, level, km, village index (None: the town), target class
    ("TL-Z001", "亭林塘", ChiefLevel.TOWN, Decimal("6.40"), None, WaterClass.IV),
    ("TL-Z002", "界泾", ChiefLevel.TOWN, Decimal("3.20"), None, WaterClass.IV),
    ("TL-C001", "亭东浜", ChiefLevel.VILLAGE, Decimal("0.90"), 0, WaterClass.V),
    ("TL-C002", "亭东河", ChiefLevel.VILLAGE, Decimal("1.10"), 0, WaterClass.V),
    ("TL-C003", "南星浜", ChiefLevel.VILLAGE, Decimal("0.80"), 1, WaterClass.V),
    ("TL-C004", "南星港", ChiefLevel.VILLAGE, Decimal("1.30"), 1, WaterClass.V),
]


def _build_second_town(district, zhujing_villages, user, created, *, rng) -> None:
    town, new = Region.objects.get_or_create(
        code=SECOND_TOWN[0],
        defaults={"name": SECOND_TOWN[1], "kind": Region.Kind.TOWN, "parent": district},
    )
    created["regions"] += new
    villages = []
    for suffix, name in SECOND_VILLAGES:
        village, new = Region.objects.get_or_create(
            code=town.code + suffix,
            defaults={"name": name, "kind": Region.Kind.VILLAGE, "parent": town},
        )
        created["regions"] += new
        villages.append(village)
    daijing = zhujing_villages[0]  # 待泾村, c001's village

    existing = set(River.objects.values_list("code", flat=True))
    rivers = {}
    for code, name, level, km, where, target in SECOND_RIVERS:
        owner = town if where is None else villages[where]
        river = _river(
            code,
            existing,
            name=name,
            level=level,
            length_km=km,
            region=owner,
            target_class=target,
            geometry=_course(rng, km),
        )
        created["rivers"] += code not in existing
        crossed = {"TL-Z001": villages, "TL-Z002": [villages[0], daijing]}.get(code, [owner])
        river.regions.add(*({owner, *crossed}))
        rivers[code] = river

    def reach(river, village, n, km):
        obj, new = Reach.objects.get_or_create(
            river=river,
            name=f"{village.name}段",
            defaults={"position": n, "length_km": km, "village": village},
        )
        created["reaches"] += new
        return obj

    reaches = [
        reach(rivers["TL-Z001"], villages[0], 1, Decimal("3.40")),
        reach(rivers["TL-Z001"], villages[1], 2, Decimal("3.00")),
        reach(rivers["TL-Z002"], villages[0], 1, Decimal("1.70")),
        reach(rivers["TL-Z002"], daijing, 2, Decimal("1.50")),
    ]

    phones: list[str] = []

    def chief(username, role, home, level, title, position, superior=None):
        last, first = _person(rng)
        phones.append(username)
        u = user(
            username,
            role,
            home,
            last=last,
            first=first,
            phone=f"1370116{len(phones) + 1:04d}",
            email=f"{username}@tinglin.example.cn",
        )
        obj, _ = Chief.objects.get_or_create(
            user=u,
            defaults={
                "level": level,
                "title": title,
                "position": position,
                "region": home,
                "superior": superior,
            },
        )
        return obj

    first = chief(
        "t001", User.Role.TOWN_CHIEF, town, ChiefLevel.TOWN, Chief.Title.FIRST_CHIEF, "镇党委书记"
    )
    deputy = chief("t002", User.Role.TOWN_CHIEF, town, ChiefLevel.TOWN, Chief.Title.CHIEF, "副镇长")
    village_chiefs = [
        chief(
            f"tc{n:02d}",
            User.Role.VILLAGE_CHIEF,
            v,
            ChiefLevel.VILLAGE,
            Chief.Title.CHIEF,
            "村党组织书记",
            first,
        )
        for n, v in enumerate(villages, start=1)
    ]
    c001 = Chief.objects.get(user__username="c001")

    have = set(ChiefAssignment.objects.values_list("chief_id", "river_id", "reach_id", "level"))
    plan = [
        (first, reaches[0], ChiefLevel.TOWN),
        (deputy, reaches[1], ChiefLevel.TOWN),
        (first, reaches[2], ChiefLevel.TOWN),
        (deputy, reaches[3], ChiefLevel.TOWN),
        (village_chiefs[0], reaches[0], ChiefLevel.VILLAGE),
        (village_chiefs[1], reaches[1], ChiefLevel.VILLAGE),
        (village_chiefs[0], reaches[2], ChiefLevel.VILLAGE),
        # 朱泾镇's village chief answers for 界泾's reach in 待泾村.
        (c001, reaches[3], ChiefLevel.VILLAGE),
    ]
    rows = [
        ChiefAssignment(chief=c, river=r.river, reach=r, level=lvl, start_date=ASSIGNED_SINCE)
        for c, r, lvl in plan
        if (c.pk, r.river_id, r.pk, lvl) not in have
    ]
    for i, code in enumerate(("TL-C001", "TL-C002", "TL-C003", "TL-C004")):
        c = village_chiefs[i // 2]
        if (c.pk, rivers[code].pk, None, ChiefLevel.VILLAGE) not in have:
            rows.append(
                ChiefAssignment(
                    chief=c,
                    river=rivers[code],
                    level=ChiefLevel.VILLAGE,
                    start_date=ASSIGNED_SINCE,
                )
            )
    ChiefAssignment.objects.bulk_create(rows)
    fill_river_codes(ChiefAssignment.objects.filter(river_code=""))

    user(
        "tl-office",
        User.Role.OFFICE,
        town,
        last="河长办",
        first="小亭",
        phone="13900000002",
        email="office@tinglin.example.cn",
    )


def _river(code, existing, **fields) -> River:
    if code in existing:
        return River.objects.get(code=code)
    return River.objects.create(code=code, **fields)


def _unique_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = "".join(rng.sample(SYLLABLES, 2)) + rng.choice(SUFFIXES)
        if name not in used:
            used.add(name)
            return name


def _distribute(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights``, each at least 1."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [max(1, int(x)) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(counts) < total:
        counts[order[i % len(order)]] += 1
        i += 1
    return counts
