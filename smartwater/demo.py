"""Demo of the smart-water monitoring sites of 朱泾镇 (shared/reference/zhujing.md): sites on
186 rivers and at 97 sluice gates, registered as proposals in the second half of 2018, then
surveyed, approved and (most of them) installed in 2019.

Each site gets its history rows at the dates of its steps, so the figures "as at" a moment
come out as they stood then. Deterministic (seeded) and idempotent: sites are keyed by code.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.models import Region
from rivers.models import River, SluiceGate
from smartwater.models import Parameter, Site

SEED = 2018
TZ = ZoneInfo("Asia/Shanghai")
TOWN_CODE = "310116102"
RIVERS_WITH_SITES = 186  # shared/reference/zhujing.md
GATES_WITH_SITES = 97
RIVER_PARAMETERS = [Parameter.WATER_LEVEL, Parameter.DO, Parameter.NH3N, Parameter.TP]
GATE_PARAMETERS = [Parameter.WATER_LEVEL, Parameter.GATE_OPENING, Parameter.VIDEO]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=TZ)


def _midpoint(river: River, rng: random.Random) -> tuple[Decimal, Decimal]:
    coords = (river.geometry or {}).get("coordinates") or []
    if coords:
        lon, lat = coords[len(coords) // 2]
    else:
        lat, lon = 30.90 + rng.uniform(-0.03, 0.03), 121.17 + rng.uniform(-0.04, 0.04)
    return Decimal(str(round(lat, 6))), Decimal(str(round(lon, 6)))


def build(*, stdout=None) -> str:
    rng = random.Random(SEED)
    town = Region.objects.filter(code=TOWN_CODE).first()
    if town is None:
        return "skipped: no demo town"
    rivers = list(River.objects.filter(region__code__startswith=TOWN_CODE).order_by("code"))
    gates = list(SluiceGate.objects.filter(region__code__startswith=TOWN_CODE).order_by("code"))
    # Two short village rivers get no site: 188 rivers, 186 with a site.
    rivers = [r for r in rivers if r.code not in {"ZJ-C164", "ZJ-C165"}][:RIVERS_WITH_SITES]
    have = set(Site.objects.values_list("code", flat=True))
    history = Site.history.model
    fields = [f.attname for f in Site._meta.fields]
    sites, steps = [], []

    def add(code, name, *, river=None, gate=None, lat, lon, parameters):
        registered = date(2018, 6, 4) + timedelta(days=rng.randint(0, 110))
        surveyed = registered + timedelta(days=rng.randint(20, 60))
        approved = surveyed + timedelta(days=rng.randint(30, 90))
        installed = approved + timedelta(days=rng.randint(60, 200))
        final = rng.choices(
            [Site.Status.INSTALLED, Site.Status.APPROVED, Site.Status.SURVEYED], [85, 10, 5]
        )[0]
        if code in have:
            return
        site = Site(
            code=code,
            name=name,
            town=town,
            river=river,
            gate=gate,
            status=final,
            latitude=lat,
            longitude=lon,
            parameters=[str(p) for p in parameters],
            notes="",
            created_at=_at(registered),
            updated_at=_at(registered),
        )
        path = [
            (Site.Status.PROPOSED, registered),
            (Site.Status.SURVEYED, surveyed),
            (Site.Status.APPROVED, approved),
            (Site.Status.INSTALLED, installed),
        ]
        upto = [s for s, _ in path].index(final) + 1
        site.updated_at = _at(path[upto - 1][1])
        sites.append(site)
        steps.append(path[:upto])

    for i, river in enumerate(rivers, start=1):
        lat, lon = _midpoint(river, rng)
        add(
            f"ZJ-JC-H{i:03d}",
            f"{river.name}监测点",
            river=river,
            lat=lat,
            lon=lon,
            parameters=RIVER_PARAMETERS,
        )
    for i, gate in enumerate(gates[:GATES_WITH_SITES], start=1):
        add(
            f"ZJ-JC-Z{i:03d}",
            f"{gate.name}监测点",
            gate=gate,
            lat=gate.latitude or Decimal("30.900000"),
            lon=gate.longitude or Decimal("121.170000"),
            parameters=GATE_PARAMETERS,
        )
    created = Site.objects.bulk_create(sites)
    rows = []
    for site, path in zip(created, steps, strict=True):
        for n, (status, day) in enumerate(path):
            values = {f: getattr(site, f) for f in fields}
            values.update(status=status, updated_at=_at(day))
            rows.append(
                history(
                    **values,
                    history_date=_at(day),
                    history_type="+" if n == 0 else "~",
                    history_change_reason="演示数据",
                )
            )
    history.objects.bulk_create(rows, batch_size=1000)
    return f"sites +{len(created)}"
