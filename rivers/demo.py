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
from rivers.models import Chief, ChiefAssignment, Reach, River, SluiceGate, WaterBody

SEED = 2018
DEMO_PASSWORD = "hezhang-demo"
# A fixed key so the README can show a working API call against the demo; production tokens
# are random (core.services.create_api_client).
DEMO_READ_TOKEN = "demo-jinshan-read-token"
DEMO_WRITE_TOKEN = "demo-jinshan-write-token"

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
    return ", ".join(f"{k} +{v}" for k, v in created.items())


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
