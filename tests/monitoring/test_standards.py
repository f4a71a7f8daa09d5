"""The classifier, parameter by parameter at every class boundary, and the black-odour rules."""

from decimal import Decimal

import pytest

from monitoring import standards as s
from monitoring.standards import Odour, Quality

# (code, water type, value, expected class): exactly at each limit, and just past it.
BOUNDARIES = [
    # DO: value >= limit (7.5, 6, 5, 3, 2)
    ("do", "river", 7.5, 1),
    ("do", "river", 7.49, 2),
    ("do", "river", 6, 2),
    ("do", "river", 5.99, 3),
    ("do", "river", 5, 3),
    ("do", "river", 4.99, 4),
    ("do", "river", 3, 4),
    ("do", "river", 2.99, 5),
    ("do", "river", 2, 5),
    ("do", "river", 1.99, 6),
    # permanganate index (2, 4, 6, 10, 15)
    ("codmn", "river", 2, 1),
    ("codmn", "river", 2.01, 2),
    ("codmn", "river", 4, 2),
    ("codmn", "river", 4.01, 3),
    ("codmn", "river", 6, 3),
    ("codmn", "river", 6.01, 4),
    ("codmn", "river", 10, 4),
    ("codmn", "river", 10.01, 5),
    ("codmn", "river", 15, 5),
    ("codmn", "river", 15.01, 6),
    # COD (15, 15, 20, 30, 40): I and II share 15, the better class wins
    ("cod", "river", 15, 1),
    ("cod", "river", 15.1, 3),
    ("cod", "river", 20, 3),
    ("cod", "river", 20.1, 4),
    ("cod", "river", 30, 4),
    ("cod", "river", 30.1, 5),
    ("cod", "river", 40, 5),
    ("cod", "river", 40.1, 6),
    # BOD5 (3, 3, 4, 6, 10)
    ("bod5", "river", 3, 1),
    ("bod5", "river", 3.01, 3),
    ("bod5", "river", 4, 3),
    ("bod5", "river", 4.01, 4),
    ("bod5", "river", 6, 4),
    ("bod5", "river", 6.01, 5),
    ("bod5", "river", 10, 5),
    ("bod5", "river", 10.01, 6),
    # NH3-N (0.15, 0.5, 1.0, 1.5, 2.0)
    ("nh3n", "river", 0.15, 1),
    ("nh3n", "river", 0.151, 2),
    ("nh3n", "river", 0.5, 2),
    ("nh3n", "river", 0.501, 3),
    ("nh3n", "river", 1.0, 3),
    ("nh3n", "river", 1.001, 4),
    ("nh3n", "river", 1.5, 4),
    ("nh3n", "river", 1.501, 5),
    ("nh3n", "river", 2.0, 5),
    ("nh3n", "river", 2.001, 6),
    # TP, rivers (0.02, 0.1, 0.2, 0.3, 0.4)
    ("tp", "river", 0.02, 1),
    ("tp", "river", 0.021, 2),
    ("tp", "river", 0.1, 2),
    ("tp", "river", 0.101, 3),
    ("tp", "river", 0.2, 3),
    ("tp", "river", 0.201, 4),
    ("tp", "river", 0.3, 4),
    ("tp", "river", 0.301, 5),
    ("tp", "river", 0.4, 5),
    ("tp", "river", 0.401, 6),
    # TP, lakes and reservoirs (0.01, 0.025, 0.05, 0.1, 0.2)
    ("tp", "lake", 0.01, 1),
    ("tp", "lake", 0.011, 2),
    ("tp", "lake", 0.025, 2),
    ("tp", "lake", 0.026, 3),
    ("tp", "lake", 0.05, 3),
    ("tp", "lake", 0.051, 4),
    ("tp", "lake", 0.1, 4),
    ("tp", "lake", 0.101, 5),
    ("tp", "lake", 0.2, 5),
    ("tp", "lake", 0.201, 6),
    # pH 6-9 inclusive for every class
    ("ph", "river", 6, 1),
    ("ph", "river", 5.99, 6),
    ("ph", "river", 9, 1),
    ("ph", "river", 9.01, 6),
    ("ph", "lake", 7.2, 1),
    # the same river limits hold for lakes where table 1 gives one value
    ("nh3n", "lake", 1.0, 3),
    ("nh3n", "lake", 1.001, 4),
    ("cod", "lake", 40.1, 6),
]


@pytest.mark.parametrize(("code", "water_type", "value", "expected"), BOUNDARIES)
def test_a_value_at_a_limit_meets_that_class_and_just_past_it_does_not(
    code, water_type, value, expected
):
    assert s.classify_value(code, value, water_type=water_type) == expected


OTHER_ITEMS = [
    "cu",
    "zn",
    "f",
    "se",
    "arsenic",
    "hg",
    "cd",
    "cr6",
    "pb",
    "cn",
    "phenol",
    "oil",
    "las",
    "s2",
]


@pytest.mark.parametrize("code", OTHER_ITEMS)
@pytest.mark.parametrize("water_type", ["river", "lake"])
def test_every_other_table_1_item_is_classed_at_each_of_its_limits(code, water_type):
    limits = s.PARAMETERS[code].limits
    assert len(limits) == 5
    for i, limit in enumerate(limits):
        # at the limit: the first (best) class with that limit
        assert s.classify_value(code, limit, water_type=water_type) == limits.index(limit) + 1
        above = limit * 1.001
        worse = [c for c, lim in enumerate(limits, start=1) if lim >= above]
        assert s.classify_value(code, above, water_type=water_type) == (worse[0] if worse else 6)
        assert worse == [] or worse[0] > i + 1


def test_table_1_limits_are_the_published_figures():
    p = s.PARAMETERS
    assert p["do"].limits == (7.5, 6, 5, 3, 2)
    assert p["tp"].limits == (0.02, 0.1, 0.2, 0.3, 0.4)
    assert p["tp"].lake_limits == (0.01, 0.025, 0.05, 0.1, 0.2)
    assert p["tn"].limits == (0.2, 0.5, 1.0, 1.5, 2.0)
    assert p["hg"].limits == (0.00005, 0.00005, 0.0001, 0.001, 0.001)
    assert p["fecal_coliform"].limits == (200, 2000, 10000, 20000, 40000)


def test_twenty_one_items_set_the_class_and_tn_coliform_and_temperature_do_not():
    codes = {p.code for p in s.assessed_parameters("river")}
    assert len(codes) == 21
    assert {"tn", "fecal_coliform", "temp", "transparency", "orp"}.isdisjoint(codes)
    assert len(s.assessed_parameters("lake")) == 21


def test_total_nitrogen_is_reported_but_does_not_set_a_rivers_or_a_lakes_class():
    for water_type in ("river", "lake"):
        result = s.classify({"tn": 9.0, "nh3n": 0.1}, water_type=water_type)
        assert result.water_class == 1
        assert result.assessed_codes == ["nh3n"]


def test_a_lake_reports_its_total_nitrogen_class_separately():
    lake = s.classify({"tn": 1.2, "nh3n": 0.1}, water_type="lake")
    assert lake.water_class == 1
    assert (lake.total_nitrogen.code, lake.total_nitrogen.water_class) == ("tn", 4)
    assert s.classify({"tn": 1.2, "nh3n": 0.1}, water_type="river").total_nitrogen is None


def test_a_lake_is_classed_on_its_own_tp_limits():
    values = {"tp": 0.15, "do": 8}
    assert s.classify(values, water_type="river").water_class == 3
    assert s.classify(values, water_type="lake").water_class == 5


def test_class_i_do_is_7_5_mg_l_by_default_whatever_the_temperature():
    assert s.do_saturation(30) == pytest.approx(7.56, abs=0.02)
    assert s.do_saturation(20) == pytest.approx(9.09, abs=0.01)
    # 6.9 mg/L at 30 °C is 91 % saturation: Class II by national practice
    assert s.classify_value("do", 6.9, temp_c=30) == 2
    assert s.classify({"do": 6.9, "temp": 30}).water_class == 2
    assert s.classify_value("do", 7.5, temp_c=30) == 1


def test_the_saturation_alternative_gives_class_i_at_ninety_percent_when_switched_on(settings):
    rule = s.DO_RULE_SATURATION
    assert s.do_saturation_mg_l(30) == Decimal("7.56")  # 90 %: 6.804 mg/L exactly
    assert s.classify_value("do", 6.804, temp_c=30, rule=rule) == 1
    assert s.classify_value("do", 6.803, temp_c=30, rule=rule) == 2
    assert s.classify_value("do", 6.804, temp_c=None, rule=rule) == 2
    settings.MONITORING_DO_CLASS_I_RULE = "saturation"
    assert s.classify({"do": 6.9, "temp": 30}).water_class == 1
    assert s.classify({"do": 6.9}).water_class == 2


def test_the_worst_item_sets_the_class_and_is_named_with_its_exceedance_multiple():
    result = s.classify(
        {"do": 6.5, "codmn": 5.0, "nh3n": 2.6, "tp": 0.25, "tn": 4.0, "temp": 18},
        target_class=4,
    )
    assert result.water_class == 6
    assert result.label == "劣Ⅴ类"
    assert result.quality == Quality.HEAVY
    assert result.meets_target is False
    assert [i.code for i in result.deciding] == ["nh3n"]
    # (2.6 − 1.5) / 1.5 over the Class IV limit
    assert result.deciding[0].multiple == pytest.approx(0.73)
    assert [i.code for i in result.exceedances] == ["nh3n"]
    assert "tn" not in result.assessed_codes


def test_do_below_the_target_reports_a_shortfall_not_a_multiple():
    result = s.classify({"do": 2.5, "nh3n": 0.4}, target_class=3)
    assert result.water_class == 5
    (do,) = result.deciding
    assert do.multiple is None
    assert do.shortfall == pytest.approx(2.5)
    # A shortfall, said as one (issue 10 item 11), not a negative number.
    assert do.describe() == "溶解氧(低于目标 2.50 mg/L)"


def test_ph_outside_six_to_nine_makes_a_sample_worse_than_class_v():
    result = s.classify({"ph": 9.5, "do": 8}, target_class=3)
    assert result.water_class == 6
    assert result.deciding[0].code == "ph"
    assert result.exceedances[0].code == "ph"


def test_a_sample_without_assessed_items_has_no_class():
    result = s.classify({"temp": 20, "transparency": 30})
    assert result.water_class is None
    assert result.meets_target is None


def test_qualitative_words_follow_the_assessment_method():
    assert [s.quality_of_class(c) for c in range(1, 7)] == [
        Quality.EXCELLENT,
        Quality.EXCELLENT,
        Quality.GOOD,
        Quality.LIGHT,
        Quality.MODERATE,
        Quality.HEAVY,
    ]


def test_a_period_class_is_the_single_factor_class_of_the_item_means():
    months = [{"nh3n": 1.0, "do": 6}, {"nh3n": 3.0, "do": 4}, {"nh3n": 2.0}]
    means = s.mean_values(months)
    assert means == {"nh3n": 2.0, "do": 5.0}
    assert s.classify(means).water_class == 5


def test_a_river_with_fewer_than_five_points_averages_the_points():
    points = [{"nh3n": 0.4}, {"nh3n": 0.6}, {"nh3n": 2.3}, {"nh3n": 0.5}]
    result = s.assess_river(points, target_class=3)
    assert result.method == "mean"
    assert result.water_class == 3  # mean 0.95
    assert result.quality == Quality.GOOD


def test_a_river_with_five_points_uses_the_shares_of_points_in_each_class():
    # convention: exactly 5 points uses the share rule
    excellent = [{"nh3n": 0.4}] * 5
    assert s.assess_river(excellent).method == "share"
    assert s.assess_river(excellent).quality == Quality.EXCELLENT
    # 4/5 = 80 % in I–III: good
    assert s.assess_river([{"nh3n": 0.4}] * 4 + [{"nh3n": 1.2}]).quality == Quality.GOOD
    # 3/5 in I–III (60 %), 1/5 worse than V (20 %): moderately polluted
    mixed = [{"nh3n": 0.4}] * 3 + [{"nh3n": 1.2}, {"nh3n": 5.0}]
    assert s.assess_river(mixed).quality == Quality.MODERATE
    # 2/5 worse than V (40 %): heavily polluted
    bad = [{"nh3n": 0.4}] * 2 + [{"nh3n": 1.2}] + [{"nh3n": 5.0}] * 2
    assert s.assess_river(bad).quality == Quality.HEAVY


def test_share_rule_thresholds():
    assert s.quality_by_shares({3: 0.9, 4: 0.1}) == Quality.EXCELLENT
    assert s.quality_by_shares({3: 0.75, 4: 0.25}) == Quality.GOOD
    assert s.quality_by_shares({3: 0.74, 6: 0.19, 4: 0.07}) == Quality.LIGHT
    assert s.quality_by_shares({3: 0.7, 6: 0.2, 4: 0.1}) == Quality.MODERATE
    assert s.quality_by_shares({3: 0.5, 6: 0.39, 4: 0.11}) == Quality.MODERATE
    assert s.quality_by_shares({3: 0.5, 6: 0.4, 4: 0.1}) == Quality.HEAVY


def test_do_past_twice_saturation_is_flagged_and_only_the_impossible_is_refused():
    assert s.do_review_bound(None) == Decimal("29.24")  # twice 14.62 at 0 °C
    assert s.do_review_bound(25) == Decimal("16.52")  # twice 8.26
    assert s.review_flags({"do": 16.53, "temp": 25}) == [s.FLAG_DO_SUPERSATURATED]
    assert s.review_flags({"do": 16.52, "temp": 25}) == []
    assert s.review_flags({"do": 20.0}) == []
    assert s.do_impossible_bound() == Decimal("69.8")  # pure oxygen over water at 0 °C


# --- black odour ------------------------------------------------------------------------------

ODOUR_BOUNDARIES = [
    ("transparency", 25, Odour.NONE),
    ("transparency", 24.9, Odour.LIGHT),
    ("transparency", 10, Odour.LIGHT),
    ("transparency", 9.9, Odour.SEVERE),
    ("do", 2.0, Odour.NONE),
    ("do", 1.99, Odour.LIGHT),
    ("do", 0.2, Odour.LIGHT),
    ("do", 0.19, Odour.SEVERE),
    ("orp", 50, Odour.NONE),
    ("orp", 49.9, Odour.LIGHT),
    ("orp", -200, Odour.LIGHT),
    ("orp", -200.1, Odour.SEVERE),
    ("nh3n", 8.0, Odour.NONE),
    ("nh3n", 8.01, Odour.LIGHT),
    ("nh3n", 15, Odour.LIGHT),
    ("nh3n", 15.01, Odour.SEVERE),
]


@pytest.mark.parametrize(("code", "value", "expected"), ODOUR_BOUNDARIES)
def test_black_odour_boundaries_give_the_better_level(code, value, expected):
    assert s.odour_of_value(code, value) == expected


def test_in_shallow_water_transparency_thresholds_are_forty_percent_of_the_depth():
    # 20 cm deep: both thresholds become 8 cm (convention)
    assert s.odour_of_value("transparency", 8, water_depth_cm=20) == Odour.NONE
    assert s.odour_of_value("transparency", 7.9, water_depth_cm=20) == Odour.SEVERE
    # clear to the bottom is never black-odorous on transparency
    assert s.odour_of_value("transparency", 20, water_depth_cm=20) == Odour.NONE
    assert s.odour_of_value("transparency", 15, water_depth_cm=15) == Odour.NONE
    # 25 cm and deeper: the table's thresholds
    assert s.odour_of_value("transparency", 24, water_depth_cm=25) == Odour.LIGHT
    assert s.odour_of_value("transparency", 9, water_depth_cm=80) == Odour.SEVERE


def test_a_samples_level_is_the_worst_indicator_measured():
    assert s.sample_odour({"transparency": 30, "do": 3, "orp": 100, "nh3n": 2}) == Odour.NONE
    assert s.sample_odour({"transparency": 30, "do": 1.5, "nh3n": 2}) == Odour.LIGHT
    assert s.sample_odour({"do": 1.5, "nh3n": 16}) == Odour.SEVERE
    assert s.sample_odour({"codmn": 5}) is None


def _levels(**kw):
    return {k: Odour(v) for k, v in kw.items()}


def test_a_point_is_severe_when_one_indicator_has_sixty_percent_severe_data():
    # DO severe in 3 of 5 samples (60 %): severe
    samples = [_levels(do=2, nh3n=0)] * 3 + [_levels(do=1, nh3n=0)] * 2
    assert s.point_odour(samples) == Odour.SEVERE
    # 2 of 5 (40 %) and no other indicator severe: light
    samples = [_levels(do=2, nh3n=0)] * 2 + [_levels(do=1, nh3n=0)] * 3
    assert s.point_odour(samples) == Odour.LIGHT


def test_a_point_is_severe_when_two_indicators_have_thirty_percent_severe_data():
    # 3 of 10 severe on DO and on ORP (30 % each): severe
    samples = [_levels(do=2, orp=2, nh3n=0)] * 3 + [_levels(do=0, orp=1, nh3n=0)] * 7
    assert s.point_odour(samples) == Odour.SEVERE
    # only one indicator at 30 %: light
    samples = [_levels(do=2, orp=1)] * 3 + [_levels(do=0, orp=1)] * 7
    assert s.point_odour(samples) == Odour.LIGHT
    # two at 20 %: light
    samples = [_levels(do=2, orp=2)] * 2 + [_levels(do=0, orp=1)] * 8
    assert s.point_odour(samples) == Odour.LIGHT


def test_a_point_with_any_indicator_at_the_light_level_is_black_odorous():
    samples = [_levels(do=0, nh3n=0)] * 9 + [_levels(do=0, nh3n=1)]
    assert s.point_odour(samples) == Odour.LIGHT
    assert s.point_odour([_levels(do=0)] * 5) == Odour.NONE
    assert s.point_odour([]) is None


def test_three_consecutive_severe_points_make_that_stretch_severe():
    N, L, S = Odour.NONE, Odour.LIGHT, Odour.SEVERE
    result = s.water_body_odour([N, S, S, S, N, L, N, N, N, N])
    assert result.level == Odour.SEVERE
    assert result.severe_stretches == ((1, 3),)
    assert result.whole_severe is False
    # two severe points in a row are not a severe stretch
    result = s.water_body_odour([N, S, S, N, S, N, L])
    assert result.level == Odour.LIGHT
    assert result.severe_stretches == ()
    # a run at the end counts too
    assert s.water_body_odour([N, N, N, S, S, S]).severe_stretches == ((3, 5),)


def test_sixty_percent_severe_points_make_the_whole_water_body_severe():
    N, S = Odour.NONE, Odour.SEVERE
    result = s.water_body_odour([S, N, S, N, S])  # 60 %, never 3 in a row
    assert result.level == Odour.SEVERE
    assert result.whole_severe is True
    assert result.severe_stretches == ()
    result = s.water_body_odour([S, N, S, N, S, N])  # 50 %
    assert result.level == Odour.LIGHT
    assert s.water_body_odour([N, N, N]).level == Odour.NONE
    assert s.water_body_odour([None, None]).level is None


def test_every_items_name_has_an_english_name():
    # The water-quality page names the deciding item; in English 化学需氧量 once showed as is.
    from django.utils import translation

    with translation.override("en"):
        untranslated = [
            p.name
            for p in s.PARAMETERS.values()
            if not p.name.isascii() and translation.gettext(p.name) == p.name
        ]
    assert untranslated == []
