"""Water-quality rules as pure functions (no database): GB 3838-2002 classes, black-odour levels.

Sources (see shared/reference/water-quality.md):
- GB 3838-2002《地表水环境质量标准》table 1 (basic items): the limits in :data:`PARAMETERS`.
- 地表水环境质量评价办法（试行）, 环办〔2011〕22号: the single-factor method, the 21 assessed
  items (table 1 less water temperature, fecal coliform and total nitrogen), the qualitative
  words and the rule for a river with several points.
- 城市黑臭水体整治工作指南 (住房城乡建设部、环境保护部, 2015): the four black-odour
  indicators and the rules for a sample, a point and a water body.

Where the official text could not be checked, the rule we adopt is called a *convention* here
(``CONVENTION_*`` constants) and the pages show the same words.

Classes are integers 1..5 for Class I..V and 6 for worse than Class V (劣Ⅴ类), as
``core.choices.WaterClass``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum
from fractions import Fraction

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

WORSE_THAN_V = 6
LE, GE, RANGE = "le", "ge", "range"


@dataclass(frozen=True)
class Parameter:
    code: str
    name: str  # Chinese name as labs write it (also the import header)
    unit: str  # canonical unit the value is stored in
    sense: str | None = (
        None  # LE: value <= limit; GE: value >= limit; RANGE: inside; None: no class
    )
    limits: tuple[float, ...] | None = None  # Class I..V (RANGE: (low, high) for every class)
    lake_limits: tuple[float, ...] | None = None  # lakes and reservoirs, where they differ
    assessed: bool = True  # counts in the class (环办〔2011〕22号: 21 items)
    aliases: tuple[str, ...] = ()
    core: bool = False  # the core list, shown in pages and charts
    decimals: int = 3

    @property
    def label(self) -> str:
        """The name in the user's language (``name`` stays the Chinese header labs write)."""
        return gettext(self.name)

    def limits_for(self, water_type: str) -> tuple[float, ...] | None:
        if water_type == LAKE and self.lake_limits is not None:
            return self.lake_limits
        return self.limits

    def assessed_for(self, water_type: str) -> bool:
        # TN: GB 3838-2002 table 1 gives it for lakes and reservoirs; 环办〔2011〕22号 leaves it
        # out of the class (it is reported separately for lakes, not at all for rivers).
        return self.assessed and self.limits is not None


RIVER, LAKE = "river", "lake"


def exact(value: float | int | str | Decimal) -> Decimal:
    """The decimal a value was written as, for comparing it with a limit exactly.

    Values are stored as floats, and binary floating point cannot hold 0.4 or 4.8: 0.4 × 12
    is 4.800000000000001 there, so 4.8 cm at 12 cm would fall below its own threshold. Every
    comparison with a limit (GB 3838-2002 classes, the black-odour thresholds, DO saturation)
    goes through this: 12 significant digits keep what a lab or a district system wrote and
    drop the float noise of a mean computed by the database.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(format(float(value), ".12g"))


MG_L = "mg/L"
# GB 3838-2002 table 1, basic items. Values in mg/L unless stated.
PARAMETERS: dict[str, Parameter] = {
    p.code: p
    for p in [
        Parameter("ph", N_("pH"), "", RANGE, (6, 9), aliases=("pH值", "PH"), core=True, decimals=2),
        Parameter(
            "do",
            N_("溶解氧"),
            MG_L,
            GE,
            (7.5, 6, 5, 3, 2),
            aliases=("DO",),
            core=True,
            decimals=2,
        ),
        Parameter(
            "codmn",
            N_("高锰酸盐指数"),
            MG_L,
            LE,
            (2, 4, 6, 10, 15),
            aliases=("CODMn", "COD_Mn"),
            core=True,
            decimals=2,
        ),
        Parameter(
            "cod",
            N_("化学需氧量"),
            MG_L,
            LE,
            (15, 15, 20, 30, 40),
            aliases=("COD", "CODcr", "CODCr"),
            core=True,
            decimals=1,
        ),
        Parameter(
            "bod5",
            N_("五日生化需氧量"),
            MG_L,
            LE,
            (3, 3, 4, 6, 10),
            aliases=("BOD5", "BOD₅"),
            core=True,
            decimals=2,
        ),
        Parameter(
            "nh3n",
            N_("氨氮"),
            MG_L,
            LE,
            (0.15, 0.5, 1.0, 1.5, 2.0),
            aliases=("NH3-N", "NH₃-N"),
            core=True,
        ),
        Parameter(
            "tp",
            N_("总磷"),
            MG_L,
            LE,
            (0.02, 0.1, 0.2, 0.3, 0.4),
            lake_limits=(0.01, 0.025, 0.05, 0.1, 0.2),
            aliases=("TP",),
            core=True,
        ),
        Parameter(
            "tn",
            N_("总氮"),
            MG_L,
            LE,
            (0.2, 0.5, 1.0, 1.5, 2.0),
            assessed=False,
            aliases=("TN",),
            core=True,
        ),
        Parameter(
            "cu", N_("铜"), MG_L, LE, (0.01, 1.0, 1.0, 1.0, 1.0), aliases=("Cu",), decimals=4
        ),
        Parameter(
            "zn", N_("锌"), MG_L, LE, (0.05, 1.0, 1.0, 2.0, 2.0), aliases=("Zn",), decimals=4
        ),
        Parameter(
            "f", N_("氟化物"), MG_L, LE, (1.0, 1.0, 1.0, 1.5, 1.5), aliases=("氟化物(以F-计)",)
        ),
        Parameter(
            "se", N_("硒"), MG_L, LE, (0.01, 0.01, 0.01, 0.02, 0.02), aliases=("Se",), decimals=4
        ),
        Parameter(
            "arsenic", N_("砷"), MG_L, LE, (0.05, 0.05, 0.05, 0.1, 0.1), aliases=("As",), decimals=4
        ),
        Parameter(
            "hg",
            N_("汞"),
            MG_L,
            LE,
            (0.00005, 0.00005, 0.0001, 0.001, 0.001),
            aliases=("Hg",),
            decimals=5,
        ),
        Parameter(
            "cd",
            N_("镉"),
            MG_L,
            LE,
            (0.001, 0.005, 0.005, 0.005, 0.01),
            aliases=("Cd",),
            decimals=4,
        ),
        Parameter(
            "cr6",
            N_("六价铬"),
            MG_L,
            LE,
            (0.01, 0.05, 0.05, 0.05, 0.1),
            aliases=("铬(六价)", "铬（六价）", "Cr6+"),
            decimals=4,
        ),
        Parameter(
            "pb", N_("铅"), MG_L, LE, (0.01, 0.01, 0.05, 0.05, 0.1), aliases=("Pb",), decimals=4
        ),
        Parameter("cn", N_("氰化物"), MG_L, LE, (0.005, 0.05, 0.2, 0.2, 0.2), decimals=4),
        Parameter("phenol", N_("挥发酚"), MG_L, LE, (0.002, 0.002, 0.005, 0.01, 0.1), decimals=4),
        Parameter("oil", N_("石油类"), MG_L, LE, (0.05, 0.05, 0.05, 0.5, 1.0), decimals=3),
        Parameter(
            "las",
            N_("阴离子表面活性剂"),
            MG_L,
            LE,
            (0.2, 0.2, 0.2, 0.3, 0.3),
            aliases=("LAS",),
        ),
        Parameter("s2", N_("硫化物"), MG_L, LE, (0.05, 0.1, 0.2, 0.5, 1.0)),
        Parameter(
            "fecal_coliform",
            N_("粪大肠菌群"),
            "个/L",
            LE,
            (200, 2000, 10000, 20000, 40000),
            assessed=False,
            decimals=0,
        ),
        # Water temperature has no class (GB 3838-2002: man-made change limited to a weekly
        # mean rise of 1 °C and fall of 2 °C); it is needed for DO saturation.
        Parameter("temp", N_("水温"), "℃", aliases=("温度",), core=True, decimals=1),
        # Black-odour indicators (城市黑臭水体整治工作指南, 2015), not GB 3838 items.
        Parameter("transparency", N_("透明度"), "cm", core=True, decimals=0),
        Parameter("orp", N_("氧化还原电位"), "mV", aliases=("ORP",), core=True, decimals=0),
    ]
}
CORE_PARAMETERS = [p for p in PARAMETERS.values() if p.core]
CLASSED_PARAMETERS = [p for p in PARAMETERS.values() if p.sense is not None]


def assessed_parameters(water_type: str = RIVER) -> list[Parameter]:
    """The 21 items that set the class (GB 3838 table 1 less temperature, coliform and TN)."""
    return [p for p in PARAMETERS.values() if p.sense is not None and p.assessed_for(water_type)]


CLASS_LABELS = {
    1: _("Ⅰ类"),
    2: _("Ⅱ类"),
    3: _("Ⅲ类"),
    4: _("Ⅳ类"),
    5: _("Ⅴ类"),
    6: _("劣Ⅴ类"),
}


def class_label(water_class: int | None) -> str:
    return str(CLASS_LABELS[water_class]) if water_class in CLASS_LABELS else "—"


class Quality(IntEnum):
    """The qualitative words of 环办〔2011〕22号."""

    EXCELLENT = 1  # 优: Class I-II
    GOOD = 2  # 良好: Class III
    LIGHT = 3  # 轻度污染: Class IV
    MODERATE = 4  # 中度污染: Class V
    HEAVY = 5  # 重度污染: worse than V

    @property
    def label(self):
        return QUALITY_LABELS[self]


QUALITY_LABELS = {
    Quality.EXCELLENT: _("优"),
    Quality.GOOD: _("良好"),
    Quality.LIGHT: _("轻度污染"),
    Quality.MODERATE: _("中度污染"),
    Quality.HEAVY: _("重度污染"),
}


def quality_of_class(water_class: int) -> Quality:
    return {
        1: Quality.EXCELLENT,
        2: Quality.EXCELLENT,
        3: Quality.GOOD,
        4: Quality.LIGHT,
        5: Quality.MODERATE,
    }.get(water_class, Quality.HEAVY)


# --- DO saturation ------------------------------------------------------------------------------


def do_saturation(temp_c: float) -> float:
    """Dissolved-oxygen saturation (mg/L) of fresh water at sea level, Benson & Krause (1984).

    The equation of APHA Standard Methods 4500-O; 14.62 mg/L at 0 °C, 9.09 at 20 °C.
    """
    t = temp_c + 273.15
    return math.exp(
        -139.34411 + 1.575701e5 / t - 6.642308e7 / t**2 + 1.243800e10 / t**3 - 8.621949e11 / t**4
    )


def do_saturation_mg_l(temp_c: float) -> Decimal:
    """Saturation to 0.01 mg/L, as Standard Methods tabulates it: the figure every threshold
    built on saturation is computed from exactly (90 % for Class I, twice for review)."""
    return exact(do_saturation(temp_c)).quantize(Decimal("0.01"))


# DO Class I in GB 3838-2002 table 1 is "7.5 mg/L (or 90 % saturation)". National evaluation
# practice grades Class I DO on 7.5 mg/L alone (the national automatic monitoring release:
# 23,752 officially classed samples reproduce with 7.5 mg/L, while "90 % saturation" at the
# measured water temperature turns 69 of them from Class II to I). So 7.5 mg/L is the default;
# an office may switch the saturation alternative on with the setting
# MONITORING_DO_CLASS_I_RULE = "saturation" (named on the pages, never silent).
DO_RULE_FIXED = "fixed"  # Class I at 7.5 mg/L, national practice (default)
DO_RULE_SATURATION = "saturation"  # Class I at 7.5 mg/L or at 90 % saturation
DO_RULES = (DO_RULE_FIXED, DO_RULE_SATURATION)
DO_CLASS_I_SATURATION = Decimal("0.9")


def do_rule() -> str:
    """The DO Class I rule in force (setting MONITORING_DO_CLASS_I_RULE, default "fixed")."""
    from django.conf import settings

    return getattr(settings, "MONITORING_DO_CLASS_I_RULE", DO_RULE_FIXED)


def do_rule_text(rule: str | None = None) -> str:
    """The rule in words, for the pages' conventions and the API."""
    if (rule or do_rule()) == DO_RULE_SATURATION:
        return gettext(
            "溶解氧Ⅰ类：≥7.5 mg/L，或有水温时≥该水温下饱和溶解氧的90%（GB 3838-2002 表1的备选规定，本单位已启用）"
        )
    return gettext(
        "溶解氧Ⅰ类：≥7.5 mg/L（全国评价实践；GB 3838-2002 表1中“饱和率90%”的备选规定未启用）"
    )


# Supersaturation is real: algal photosynthesis in warm lakes and slow rivers drives DO past
# twice the saturation at the water temperature (published national samples do). Such values
# are accepted and flagged for review; only what cannot be a measurement is refused: DO above
# what water holds under pure oxygen at 0 °C (saturation in air / 0.2095, the oxygen share of
# air: 69.8 mg/L), which is a percentage typed as mg/L or a wrong unit.
DO_REVIEW_SATURATION_FACTOR = Decimal(2)
OXYGEN_SHARE_OF_AIR = Decimal("0.2095")


def do_review_bound(temp_c: float | None) -> Decimal:
    """DO above this (twice saturation; at 0 °C without a temperature) is flagged for review."""
    return DO_REVIEW_SATURATION_FACTOR * do_saturation_mg_l(0.0 if temp_c is None else temp_c)


def do_impossible_bound() -> Decimal:
    """DO above this cannot be a measurement (pure oxygen over water at 0 °C): refused."""
    return (do_saturation_mg_l(0.0) / OXYGEN_SHARE_OF_AIR).quantize(Decimal("0.1"))


FLAG_DO_SUPERSATURATED = "do_supersaturated"


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def review_flags(values: Mapping[str, float | None]) -> list[str]:
    """Values accepted but worth a second look (codes: ``FLAG_*``), for preview, sample, API."""
    flags = []
    do, temp = values.get("do"), _finite(values.get("temp"))
    if do is not None and math.isfinite(do) and exact(do) > do_review_bound(temp):
        flags.append(FLAG_DO_SUPERSATURATED)
    return flags


def flag_text(flag: str, values: Mapping[str, float | None]) -> str:
    if flag == FLAG_DO_SUPERSATURATED:
        temp = _finite(values.get("temp"))
        return gettext(
            "溶解氧 %(v)s mg/L 超过%(t)s饱和值的 2 倍（%(b)s mg/L）：过饱和（如藻类暴发）可能真实，请复核"
        ) % {
            "v": f"{values['do']:g}",
            "t": gettext("该水温下") if temp is not None else gettext("0 ℃时"),
            "b": f"{do_review_bound(temp):.1f}",
        }
    return flag


# --- single-factor classification ------------------------------------------------------------


def classify_value(
    code: str,
    value: float,
    *,
    water_type: str = RIVER,
    temp_c: float | None = None,
    rule: str = DO_RULE_FIXED,
) -> int | None:
    """The best class whose limit ``value`` meets (limits inclusive), 6 if it fails Class V.

    Inclusive boundaries (GB 3838-2002 ≤ and ≥): a value exactly at a limit meets that class,
    and where two classes share a limit (COD, BOD5 for I and II) the better class is given.
    Compared exactly (:func:`exact`). DO Class I: 7.5 mg/L, or also 90 % saturation at
    ``temp_c`` when ``rule`` is ``DO_RULE_SATURATION`` (see above). None for items without a
    class (temperature, transparency, ORP).
    """
    param = PARAMETERS[code]
    limits = param.limits_for(water_type)
    if param.sense is None or limits is None:
        return None
    value = exact(value)
    if param.sense == RANGE:
        low, high = (exact(x) for x in limits)
        return 1 if low <= value <= high else WORSE_THAN_V
    if param.sense == GE:
        if (
            code == "do"
            and rule == DO_RULE_SATURATION
            and temp_c is not None
            and value >= DO_CLASS_I_SATURATION * do_saturation_mg_l(temp_c)
        ):
            return 1
        for cls, limit in enumerate(limits, start=1):
            if value >= exact(limit):
                return cls
        return WORSE_THAN_V
    for cls, limit in enumerate(limits, start=1):
        if value <= exact(limit):
            return cls
    return WORSE_THAN_V


@dataclass(frozen=True)
class ItemResult:
    code: str
    value: float
    water_class: int
    # Over the target class: (value − limit) / limit, as 环办〔2011〕22号 reports it; None when
    # the item meets the target, for DO (shortfall instead) and for pH (a range).
    multiple: float | None = None
    # DO only: mg/L below the target limit.
    shortfall: float | None = None

    @property
    def name(self) -> str:
        return PARAMETERS[self.code].label

    @property
    def exceeds(self) -> bool:
        return (
            self.multiple is not None
            or self.shortfall is not None
            or (self.code == "ph" and self.water_class == WORSE_THAN_V)
        )

    def describe(self) -> str:
        if self.multiple is not None:
            return f"{self.name}({self.multiple:.2f})"
        if self.shortfall is not None:
            # DO: a shortfall below the target, said as one, not a negative number.
            return gettext("%(name)s(低于目标 %(n)s mg/L)") % {
                "name": self.name,
                "n": f"{self.shortfall:.2f}",
            }
        return self.name


@dataclass(frozen=True)
class Assessment:
    """The single-factor result of a set of values: class, deciding items, exceedances."""

    water_class: int | None  # None when no assessed item was measured
    items: tuple[ItemResult, ...] = ()
    target_class: int | None = None
    water_type: str = RIVER
    # Lakes and reservoirs: total nitrogen classed on its own (reported, not in the class).
    total_nitrogen: ItemResult | None = None

    @property
    def assessed_codes(self) -> list[str]:
        """The items the class rests on."""
        return [i.code for i in self.items]

    @property
    def deciding(self) -> list[ItemResult]:
        """Items at the sample's (worst) class, worst exceedance first; empty at Class I."""
        if self.water_class is None or self.water_class == 1:
            return []
        worst = [i for i in self.items if i.water_class == self.water_class]
        return sorted(worst, key=_exceedance_key, reverse=True)

    @property
    def exceedances(self) -> list[ItemResult]:
        """Items worse than the target class (主要超标项目), largest multiple first."""
        return sorted((i for i in self.items if i.exceeds), key=_exceedance_key, reverse=True)

    @property
    def meets_target(self) -> bool | None:
        if self.water_class is None or self.target_class is None:
            return None
        return self.water_class <= self.target_class

    @property
    def quality(self) -> Quality | None:
        return None if self.water_class is None else quality_of_class(self.water_class)

    @property
    def label(self) -> str:
        return class_label(self.water_class)


def _exceedance_key(item: ItemResult) -> tuple:
    return (item.water_class, item.multiple or 0, item.shortfall or 0)


def classify(
    values: Mapping[str, float | None],
    *,
    water_type: str = RIVER,
    target_class: int | None = None,
    rule: str | None = None,
) -> Assessment:
    """Single-factor method (环办〔2011〕22号): the worst class over the assessed items.

    ``values`` maps parameter codes to values in canonical units; None or missing items are not
    assessed. Total nitrogen and fecal coliform are reported but never set the class. ``rule``
    is the DO Class I rule, the setting's (:func:`do_rule`) when not given.
    """
    rule = rule or do_rule()
    temp = _finite(values.get("temp"))
    items = []
    for param in assessed_parameters(water_type):
        if not _measured(values.get(param.code)):
            continue  # not measured (a non-number never passes the checks on the way in)
        value = float(values[param.code])
        cls = classify_value(param.code, value, water_type=water_type, temp_c=temp, rule=rule)
        multiple = shortfall = None
        if target_class is not None and cls > target_class and param.sense != RANGE:
            limit = exact(param.limits_for(water_type)[target_class - 1])
            if param.sense == LE:
                multiple = float(round((exact(value) - limit) / limit, 2))
            elif param.sense == GE:
                shortfall = float(round(limit - exact(value), 2))
        items.append(ItemResult(param.code, value, cls, multiple, shortfall))
    worst = max((i.water_class for i in items), default=None)
    tn = None
    if water_type == LAKE and values.get("tn") is not None:
        value = float(values["tn"])
        tn = ItemResult("tn", value, classify_value("tn", value, water_type=LAKE))
    return Assessment(worst, tuple(items), target_class, water_type, tn)


def _measured(value) -> bool:
    return value is not None and math.isfinite(float(value))


def assessed_codes(values: Mapping[str, float | None], *, water_type: str = RIVER) -> list[str]:
    """The items :func:`classify` assesses in ``values`` (``Assessment.assessed_codes``)."""
    codes = _ASSESSED.get(water_type)
    if codes is None:
        codes = _ASSESSED[water_type] = [p.code for p in assessed_parameters(water_type)]
    return [c for c in codes if c in values and _measured(values[c])]


_ASSESSED: dict[str, list[str]] = {}  # the codes of assessed_parameters(), per water type


def mean_values(rows: Iterable[Mapping[str, float | None]]) -> dict[str, float]:
    """Arithmetic mean of each item over the rows that measured it (a period, or points)."""
    sums: dict[str, Fraction] = {}
    counts: dict[str, int] = {}
    for row in rows:
        for code, value in row.items():
            if value is None or code not in PARAMETERS:
                continue
            # summed exactly: (0.1 + 0.2) / 2 is 0.15 here, 0.15000000000000002 in floats
            sums[code] = sums.get(code, Fraction(0)) + Fraction(exact(value))
            counts[code] = counts.get(code, 0) + 1
    return {code: float(sums[code] / counts[code]) for code in sums}


# --- a river with several points (环办〔2011〕22号) ---------------------------------------------

# Convention: the reference gives "fewer than 5 points: mean; otherwise shares"; a river with
# exactly 5 points is assessed by the share rule.
CONVENTION_SHARE_RULE_FROM_POINTS = 5


@dataclass(frozen=True)
class RiverAssessment:
    method: str  # "single" (one point), "mean" (< 5 points), "share" (>= 5 points)
    assessment: Assessment  # single-factor on the point-mean values (every method)
    quality: Quality | None
    class_shares: dict[int, float] = field(default_factory=dict)  # share rule only

    @property
    def water_class(self) -> int | None:
        return self.assessment.water_class


def assess_river(
    points: Sequence[Mapping[str, float | None]],
    *,
    water_type: str = RIVER,
    target_class: int | None = None,
) -> RiverAssessment:
    """A river's class from its points' (period-mean) values.

    Fewer than 5 points: average each item over the points, then the single-factor method.
    5 or more: the share of points in each class gives the word: Class I–III ≥ 90 % excellent;
    75–90 % good; below 75 % with worse-than-V < 20 % lightly polluted, 20–40 % moderately,
    ≥ 40 % heavily polluted. The class shown for such a river is the single-factor class of the
    point means (convention: the method gives a word, not a class, for ≥ 5 points).
    """
    points = [p for p in points if p]
    overall = classify(mean_values(points), water_type=water_type, target_class=target_class)
    if len(points) < CONVENTION_SHARE_RULE_FROM_POINTS:
        method = "single" if len(points) == 1 else "mean"
        return RiverAssessment(method, overall, overall.quality)
    classes = [classify(p, water_type=water_type).water_class for p in points]
    classes = [c for c in classes if c is not None]
    if not classes:
        return RiverAssessment("share", overall, None)
    shares = {c: Fraction(classes.count(c), len(classes)) for c in range(1, 7)}
    return RiverAssessment("share", overall, quality_by_shares(shares), shares)


def _share(value: Fraction | float) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(exact(value))


def quality_by_shares(shares: Mapping[int, Fraction | float]) -> Quality:
    """环办〔2011〕22号 share rule, compared exactly (shares as fractions of the points)."""
    good = sum((_share(shares.get(c, 0)) for c in (1, 2, 3)), Fraction(0))
    worse = _share(shares.get(WORSE_THAN_V, 0))
    if good >= Fraction(9, 10):
        return Quality.EXCELLENT
    if good >= Fraction(3, 4):
        return Quality.GOOD
    if worse < Fraction(1, 5):
        return Quality.LIGHT
    if worse < Fraction(2, 5):
        return Quality.MODERATE
    return Quality.HEAVY


# --- black-odorous water (城市黑臭水体整治工作指南, 2015) ---------------------------------------


class Odour(IntEnum):
    NONE = 0
    LIGHT = 1  # 轻度黑臭
    SEVERE = 2  # 重度黑臭

    @property
    def label(self):
        return ODOUR_LABELS[self]


ODOUR_LABELS = {Odour.NONE: _("不黑臭"), Odour.LIGHT: _("轻度黑臭"), Odour.SEVERE: _("重度黑臭")}
ODOUR_INDICATORS = ("transparency", "do", "orp", "nh3n")

# Guideline table: (light threshold, severe threshold). Transparency, DO and ORP are bad when
# low, NH3-N when high.
# Decimals: every boundary is compared exactly (see ``exact``).
TRANSPARENCY_LIGHT_CM, TRANSPARENCY_SEVERE_CM = Decimal(25), Decimal(10)
DO_LIGHT, DO_SEVERE = Decimal("2.0"), Decimal("0.2")
ORP_LIGHT, ORP_SEVERE = Decimal(50), Decimal(-200)
NH3N_LIGHT, NH3N_SEVERE = Decimal("8.0"), Decimal(15)

# Convention (boundaries, as for GB 3838: the better level at a boundary): DO exactly 2.0,
# transparency exactly 25 cm, ORP exactly 50 mV and NH3-N exactly 8.0 are not black-odorous;
# DO exactly 0.2, transparency exactly 10 cm, ORP exactly −200 mV, NH3-N exactly 15 are light.
CONVENTION_ODOUR_BOUNDARIES = _(
    "边界取较好等级：溶解氧2.0、透明度25cm、氧化还原电位50mV、氨氮8.0为不黑臭；溶解氧0.2、透明度10cm、氧化还原电位−200mV、氨氮15为轻度"
)

# Convention (shallow water; the guideline's footnote could not be checked): where the water
# is shallower than 25 cm, both transparency thresholds are taken as 40 % of the depth, so
# transparency below 40 % of the depth is severe and at or above it not black-odorous; water
# clear to the bottom (transparency ≥ depth) is never black-odorous on transparency.
SHALLOW_WATER_CM = Decimal(25)
SHALLOW_FACTOR = Decimal("0.4")  # 40 % of 12 cm is exactly 4.8 cm, not 4.800000000000001
CONVENTION_SHALLOW_WATER = _(
    "水深不足25cm时，透明度的两个阈值均取水深的40%；清澈见底不按透明度判为黑臭"
)


def odour_of_value(code: str, value: float, *, water_depth_cm: float | None = None) -> Odour:
    """One indicator's black-odour level (the better level at a boundary, compared exactly)."""
    value = exact(value)
    depth = None if water_depth_cm is None else exact(water_depth_cm)
    if code == "transparency":
        if depth is not None and value >= depth:
            return Odour.NONE  # clear to the bottom
        light, severe = TRANSPARENCY_LIGHT_CM, TRANSPARENCY_SEVERE_CM
        if depth is not None and depth < SHALLOW_WATER_CM:
            light = severe = SHALLOW_FACTOR * depth
        return _low_is_bad(value, light, severe)
    if code == "do":
        return _low_is_bad(value, DO_LIGHT, DO_SEVERE)
    if code == "orp":
        return _low_is_bad(value, ORP_LIGHT, ORP_SEVERE)
    if code == "nh3n":
        if value > NH3N_SEVERE:
            return Odour.SEVERE
        return Odour.LIGHT if value > NH3N_LIGHT else Odour.NONE
    raise ValueError(f"{code} is not a black-odour indicator")


def _low_is_bad(value: Decimal, light: Decimal, severe: Decimal) -> Odour:
    if value < severe:
        return Odour.SEVERE
    return Odour.LIGHT if value < light else Odour.NONE


def odour_levels(
    values: Mapping[str, float | None], *, water_depth_cm: float | None = None
) -> dict[str, Odour]:
    """The level of each black-odour indicator the sample measured."""
    return {
        code: odour_of_value(code, float(values[code]), water_depth_cm=water_depth_cm)
        for code in ODOUR_INDICATORS
        if values.get(code) is not None and math.isfinite(float(values[code]))
    }


def sample_odour(
    values: Mapping[str, float | None], *, water_depth_cm: float | None = None
) -> Odour | None:
    """A sample's level: the worst over the indicators measured (None if none was)."""
    levels = odour_levels(values, water_depth_cm=water_depth_cm)
    return max(levels.values()) if levels else None


POINT_SEVERE_ONE_SHARE = Fraction(3, 5)  # 60 %
POINT_SEVERE_TWO_SHARE = Fraction(3, 10)  # 30 %


def point_odour(samples: Iterable[Mapping[str, Odour]]) -> Odour | None:
    """A point's level from its samples' indicator levels (each ``odour_levels(...)``).

    Black-odorous when any indicator reaches the light level in its data; then severe if one
    indicator has 60 % or more of its data in the severe band, or at least two indicators have
    30 % or more; otherwise light. None when no indicator was measured.
    """
    data: dict[str, list[Odour]] = {}
    for levels in samples:
        for code, level in levels.items():
            data.setdefault(code, []).append(level)
    if not data:
        return None
    if all(level == Odour.NONE for levels in data.values() for level in levels):
        return Odour.NONE
    shares = [Fraction(sum(lv == Odour.SEVERE for lv in lvs), len(lvs)) for lvs in data.values()]
    if any(s >= POINT_SEVERE_ONE_SHARE for s in shares):
        return Odour.SEVERE
    if sum(s >= POINT_SEVERE_TWO_SHARE for s in shares) >= 2:
        return Odour.SEVERE
    return Odour.LIGHT


WATER_BODY_CONSECUTIVE_SEVERE = 3
WATER_BODY_SEVERE_SHARE = Fraction(3, 5)  # 60 %


@dataclass(frozen=True)
class WaterBodyOdour:
    level: Odour | None
    whole_severe: bool = False  # 60 % or more of the points are severe
    # (first, last) index pairs into the ordered points: runs of 3+ consecutive severe points
    severe_stretches: tuple[tuple[int, int], ...] = ()


def water_body_odour(points: Sequence[Odour | None]) -> WaterBodyOdour:
    """A water body's level from its points, ordered along the water.

    3 or more consecutive severe points make the stretch between them severe; 60 % or more
    severe points make the whole water body severe. Otherwise (convention) the water body is
    light when any point is black-odorous and not black-odorous when none is. Points without
    data are skipped when counting, but break a run of consecutive points.
    """
    known = [p for p in points if p is not None]
    if not known:
        return WaterBodyOdour(None)
    stretches = []
    run_start = None
    for i, level in enumerate([*points, None]):
        if level == Odour.SEVERE:
            run_start = i if run_start is None else run_start
            continue
        if run_start is not None and i - run_start >= WATER_BODY_CONSECUTIVE_SEVERE:
            stretches.append((run_start, i - 1))
        run_start = None
    whole = Fraction(sum(p == Odour.SEVERE for p in known), len(known)) >= WATER_BODY_SEVERE_SHARE
    if whole or stretches:
        return WaterBodyOdour(Odour.SEVERE, whole, tuple(stretches))
    return WaterBodyOdour(Odour.LIGHT if any(known) else Odour.NONE)
