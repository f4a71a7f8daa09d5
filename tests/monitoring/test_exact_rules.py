"""Limits compared exactly, and the black-odour run rule along a river with a silent point."""

from decimal import Decimal

import pytest

from monitoring import standards as s
from monitoring.selectors import river_status
from monitoring.standards import Odour
from tests.factories import RiverFactory
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory
from tests.monitoring.test_river_status import MARCH, at


@pytest.mark.parametrize(
    ("transparency", "depth"),
    [(4.8, 12), (6.8, 17), (2.8, 7)],
)
def test_transparency_exactly_at_forty_percent_of_a_shallow_depth_takes_the_better_level(
    transparency, depth
):
    assert 0.4 * depth != transparency  # binary floating point gets these wrong
    assert s.odour_of_value("transparency", transparency, water_depth_cm=depth) == Odour.NONE
    below = transparency - 0.1
    assert s.odour_of_value("transparency", below, water_depth_cm=depth) == Odour.SEVERE


def test_a_mean_exactly_at_a_limit_takes_the_better_class():
    assert (0.1 + 0.2) / 2 > 0.15  # what a float mean would compare
    means = s.mean_values([{"nh3n": 0.1}, {"nh3n": 0.2}])
    assert means["nh3n"] == 0.15
    assert s.classify(means).water_class == 1


def test_a_database_mean_with_float_noise_is_compared_as_written():
    assert s.classify_value("nh3n", 0.15000000000000002) == 1
    assert s.classify_value("tp", 0.30000000000000004) == 4
    assert s.exact(0.30000000000000004) == Decimal("0.3")


def test_exceedance_multiples_are_computed_exactly():
    # (0.3 − 0.1) / 0.1 = 2 exactly (floats: 1.9999999999999996, rounded to 2.0 only by luck)
    item = s.classify({"tp": 0.3}, target_class=2).exceedances[0]
    assert item.multiple == 2.0
    assert s.classify({"nh3n": 0.575}, target_class=2).exceedances[0].multiple == 0.15


def test_share_rule_boundaries_are_exact_fractions():
    assert s.quality_by_shares({3: 0.9, 4: 0.1}) == s.Quality.EXCELLENT
    # 7 points in 10 good, 2 in 10 worse than V: exactly 20 % is "moderately"
    points = [{"nh3n": 0.4}] * 7 + [{"nh3n": 5.0}] * 2 + [{"nh3n": 1.2}]
    assert s.assess_river(points).quality == s.Quality.MODERATE


def test_point_rules_compare_shares_exactly():
    severe, none = {"do": Odour.SEVERE}, {"do": Odour.NONE}
    # 3 of 5 severe is exactly 60 %: severe
    assert s.point_odour([severe] * 3 + [none] * 2) == Odour.SEVERE
    assert s.point_odour([severe] * 6 + [none] * 4) == Odour.SEVERE
    assert s.point_odour([severe] * 5 + [none] * 4) == Odour.LIGHT  # 55.6 %
    # two indicators at exactly 30 % (3 of 10)
    two = [{"do": Odour.SEVERE, "orp": Odour.SEVERE}] * 3 + [
        {"do": Odour.NONE, "orp": Odour.NONE}
    ] * 7
    assert s.point_odour(two) == Odour.SEVERE


@pytest.mark.django_db
def test_a_point_without_samples_breaks_a_run_of_severe_points():
    river = RiverFactory()
    # positions 1..5: severe, severe, (no sample in March), severe, none
    dos = [0.1, 0.1, None, 0.1, 3.0]
    for position, do in enumerate(dos, start=1):
        point = MonitoringPointFactory(river=river, position=position)
        if do is not None:
            SampleFactory(point=point, sampled_at=at(2018, 3, 5), do=do, transparency=40)

    status = river_status(river_ids=[river.id], **MARCH)[river.id]

    assert status.odour.severe_stretches == ()  # no three consecutive severe points
    assert status.black_odour == Odour.SEVERE  # 3 of the 4 points with data: 75 % ≥ 60 %
    assert status.odour.whole_severe


@pytest.mark.django_db
def test_a_point_sampled_outside_the_period_also_breaks_the_run():
    river = RiverFactory()
    for position, do in enumerate([0.1, 0.1, 3.0, 0.1, 0.1, 0.1, 3.0, 3.0, 3.0], start=1):
        point = MonitoringPointFactory(river=river, position=position)
        month = 4 if position == 5 else 3  # point 5 was sampled in April only
        SampleFactory(point=point, sampled_at=at(2018, month, 5), do=do, transparency=40)

    status = river_status(river_ids=[river.id], **MARCH)[river.id]

    # points 4, (5), 6 are not consecutive severe points: no stretch
    assert status.odour.severe_stretches == ()
    assert status.black_odour == Odour.LIGHT


@pytest.mark.django_db
def test_a_retired_point_without_samples_is_not_on_the_water_any_more():
    river = RiverFactory()
    for position, do in enumerate([0.1, 0.1, None, 0.1, 3.0, 3.0, 3.0], start=1):
        point = MonitoringPointFactory(river=river, position=position, is_active=do is not None)
        if do is not None:
            SampleFactory(point=point, sampled_at=at(2018, 3, 5), do=do, transparency=40)

    status = river_status(river_ids=[river.id], **MARCH)[river.id]

    assert status.odour.severe_stretches == ((0, 2),)
