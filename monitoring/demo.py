"""Water-quality data of the demo town (朱泾镇).

The reference report: 125 rivers monitored to list the worse-than-Class-V ones (and the
2018–2020 plan to eliminate worse-than-Class-V water). Every town-level river and 102
village-level rivers get points (朱泾塘 five, so the share rule shows; some at a sluice gate),
with monthly samples for 2018 and for the last twelve months up to today. Most rivers are
Class III–V; some are worse than Class V in 2018 and improve later, a few stay so; a few
are black-odorous. Values are drawn from seeded generators keyed by point and month, so the
data is the same on every machine and a second run creates nothing.
"""

import math
import random
from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.choices import ChiefLevel
from core.models import Region, User
from monitoring.models import MonitoringPoint, Sample
from rivers.models import River, SluiceGate

SEED = 2018
MONITORED_RIVERS = 125
LABS = ["朱泾镇水质检测室", "金山区环境监测站"]
SAMPLERS = ["沈建华", "陆晓燕", "顾卫东", "张丽萍"]

# name: (DO, CODMn, NH3-N, TP) typical ranges; the other items follow from them.
PROFILES = {
    "good": ((6.2, 8.0), (3.0, 5.5), (0.3, 0.9), (0.08, 0.18)),
    "fair": ((4.0, 5.8), (5.5, 9.0), (0.9, 1.45), (0.18, 0.28)),
    "poor": ((2.4, 3.8), (8.0, 13.0), (1.3, 1.95), (0.26, 0.38)),
    "bad": ((1.4, 3.0), (10.0, 16.0), (2.2, 4.5), (0.42, 0.75)),
    "black": ((0.1, 1.2), (14.0, 22.0), (9.0, 18.0), (0.8, 1.6)),
}


def _profile_of(index: int, recent: bool) -> str:
    """Deterministic quality of the index-th monitored river, in 2018 and recently."""
    if index in (7, 41, 88):  # black-odorous in 2018; remediated to worse-than-V / light
        return "bad" if recent and index != 41 else "black"
    if index % 9 == 4:  # worse than Class V in 2018; most improved under the 2018–2020 plan
        return "bad" if recent and index % 27 == 4 else ("poor" if recent else "bad")
    if index % 5 == 1:
        return "poor"
    if index % 3 == 0:
        return "good"
    return "fair"


def _months(now: datetime) -> list[tuple[int, int]]:
    months = [(2018, m) for m in range(1, 13)]
    y, m = now.year, now.month
    recent = []
    for _ in range(12):
        recent.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return months + [ym for ym in reversed(recent) if ym not in months]


def _values(rng: random.Random, profile: str, month: int) -> dict:
    do, codmn, nh3n, tp = (rng.uniform(*r) for r in PROFILES[profile])
    season = math.sin((month - 4) / 12 * 2 * math.pi)  # warm in July, cold in January
    temp = round(16 + 11 * season + rng.uniform(-1.5, 1.5), 1)
    black = profile == "black"
    # Only the black-odorous rivers fall below the guideline's 2.0 mg/L DO.
    do = max(0.05 if black else 2.05, do - 0.6 * season)
    return {
        "temp": temp,
        "ph": round(rng.uniform(6.9, 8.1), 2),
        "do": round(do, 2),
        "codmn": round(codmn, 1),
        "cod": round(codmn * rng.uniform(2.6, 3.2), 1),
        "bod5": round(codmn * rng.uniform(0.45, 0.6), 1),
        "nh3n": round(nh3n, 2),
        "tp": round(tp, 3),
        "tn": round(nh3n * 1.4 + rng.uniform(0.5, 1.2), 2),
        "transparency": round(rng.uniform(6, 22) if black else rng.uniform(28, 65)),
        "orp": round(rng.uniform(-260, -40) if black else rng.uniform(60, 260)),
    }


def build(*, stdout=None) -> str:
    rng = random.Random(SEED)
    rivers = list(
        River.objects.filter(code__startswith="ZJ-")
        .prefetch_related(
            Prefetch("regions", queryset=Region.objects.filter(kind=Region.Kind.VILLAGE)),
            Prefetch("sluice_gates", queryset=SluiceGate.objects.order_by("code")),
        )
        .order_by("code")
    )
    if not rivers:
        return "no demo rivers (run the rivers demo first)"
    town_rivers = [r for r in rivers if r.level == ChiefLevel.TOWN]
    village_rivers = [r for r in rivers if r.level != ChiefLevel.TOWN]
    chosen = town_rivers + sorted(
        rng.sample(village_rivers, min(len(village_rivers), MONITORED_RIVERS - len(town_rivers))),
        key=lambda r: r.code,
    )

    existing = {p.code: p for p in MonitoringPoint.objects.filter(code__startswith="ZJ-JC")}
    new_points = []
    plan = []  # (point code, river index)
    for index, river in enumerate(chosen):
        n = 5 if index == 0 else (rng.choice((2, 2, 3)) if river.level == ChiefLevel.TOWN else 1)
        villages = list(river.regions.all()) or [river.region]
        gates = list(river.sluice_gates.all())
        for position in range(1, n + 1):
            code = f"ZJ-JC{index + 1:03d}-{position}"
            gate = gates[0] if gates and position == n and n > 1 else None
            lat = 30.90 + rng.uniform(-0.04, 0.04)
            lon = 121.17 + rng.uniform(-0.05, 0.05)
            plan.append((code, index))
            if code in existing:
                continue
            new_points.append(
                MonitoringPoint(
                    code=code,
                    name=(f"{gate.name}" if gate else f"{river.name}{position}号断面"),
                    river=river,
                    sluice_gate=gate,
                    region=villages[(position - 1) % len(villages)],
                    position=position,
                    latitude=gate.latitude if gate and gate.latitude else round(lat, 6),
                    longitude=gate.longitude if gate and gate.longitude else round(lon, 6),
                    responsible=(
                        MonitoringPoint.Body.DISTRICT_STATION
                        if river.level == ChiefLevel.TOWN and position == 1
                        else MonitoringPoint.Body.TOWN_LAB
                    ),
                )
            )
    bulk_create_with_history(new_points, MonitoringPoint, batch_size=500)
    points = {
        p.code: p
        for p in MonitoringPoint.objects.filter(code__startswith="ZJ-JC").select_related("river")
    }

    now = timezone.localtime()
    tz = timezone.get_current_timezone()
    office = User.objects.filter(role=User.Role.OFFICE).order_by("id").first()
    have_keys = set(
        Sample.objects.filter(client_key__startswith="DEMO-").values_list("client_key", flat=True)
    )
    samples = []
    for year, month in _months(now):
        recent = year > 2018
        for code, index in plan:
            key = f"DEMO-{code}-{year}{month:02d}"
            if key in have_keys:
                continue
            prng = random.Random(f"{SEED}-{key}")
            at = datetime(year, month, prng.randint(3, 24), prng.randint(8, 11), 0, tzinfo=tz)
            if at > now:
                continue
            profile = _profile_of(index, recent)
            samples.append(
                Sample(
                    point=points[code],
                    sampled_at=at,
                    sampler=prng.choice(SAMPLERS),
                    lab=LABS[0] if points[code].responsible == "town_lab" else LABS[1],
                    sampling_depth_m=0.5,
                    water_depth_cm=round(prng.uniform(80, 250)),
                    client_key=key,
                    source=Sample.Source.IMPORT,
                    created_by=office,
                    created_at=at,
                    **_values(prng, profile, month),
                ).stamp(points[code].river)
            )
    bulk_create_with_history(
        samples, Sample, batch_size=1000, default_user=office, default_change_reason="demo"
    )
    return f"points +{len(new_points)}, samples +{len(samples)} on {len(chosen)} rivers"
