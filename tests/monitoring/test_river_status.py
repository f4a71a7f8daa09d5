"""monitoring.selectors.river_status: the figures the list, the river page and the letters share."""

from datetime import date

import pytest

from monitoring.selectors import compute_river_status, river_status
from monitoring.standards import Odour
from tests.factories import RiverFactory
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at

pytestmark = pytest.mark.django_db

MARCH = {"period_start": date(2018, 3, 1), "period_end": date(2018, 3, 31)}


def test_a_rivers_month_class_is_the_class_of_its_sample_means():
    point = MonitoringPointFactory(river__target_class=4)
    SampleFactory(point=point, sampled_at=at(2018, 3, 5), nh3n=1.2, do=5.5)
    SampleFactory(point=point, sampled_at=at(2018, 3, 25), nh3n=2.0, do=4.5)
    SampleFactory(point=point, sampled_at=at(2018, 4, 1, 0, 0), nh3n=9.0)  # April, left out

    status = river_status(river_ids=[point.river_id], **MARCH)[point.river_id]

    # NH3-N mean 1.6 (Class V), DO mean 5.0 (Class III): the April sample is not in March
    assert status.water_class == 5
    assert status.means["nh3n"] == pytest.approx(1.6)
    assert [i.code for i in status.deciding] == ["nh3n"]
    assert status.sample_count == 2
    assert status.meets_target is False


def test_a_river_worse_than_class_v_names_the_deciding_item_and_misses_its_target():
    point = MonitoringPointFactory(river__target_class=4)
    SampleFactory(point=point, sampled_at=at(2018, 3, 5), nh3n=2.5, do=5, tp=0.25)

    status = river_status(river_ids=[point.river_id], **MARCH)[point.river_id]

    assert status.water_class == 6
    assert status.meets_target is False
    assert [i.code for i in status.deciding] == ["nh3n"]
    assert status.deciding[0].multiple == pytest.approx(0.67)


def test_trend_compares_with_the_previous_month():
    point = MonitoringPointFactory()
    SampleFactory(point=point, sampled_at=at(2018, 2, 10), nh3n=2.5)
    SampleFactory(point=point, sampled_at=at(2018, 3, 10), nh3n=0.9)

    status = river_status(river_ids=[point.river_id], **MARCH)[point.river_id]

    assert (status.previous_class, status.water_class, status.trend) == (6, 3, "better")


def test_a_river_without_samples_in_the_period_has_no_class():
    river = RiverFactory()
    status = river_status(river_ids=[river.id], **MARCH)[river.id]
    assert status.water_class is None
    assert status.meets_target is None
    assert status.trend is None
    assert status.black_odour is None


def test_three_consecutive_severe_points_make_the_river_severely_black_odorous():
    river = RiverFactory()
    for position, do in enumerate([3.0, 0.1, 0.1, 0.1, 3.0], start=1):
        point = MonitoringPointFactory(river=river, position=position)
        SampleFactory(point=point, sampled_at=at(2018, 3, 5), do=do, transparency=40)
    status = river_status(river_ids=[river.id], **MARCH)[river.id]
    assert status.black_odour == Odour.SEVERE
    assert status.odour.severe_stretches == ((1, 3),)
    assert status.method == "share"  # five points


def test_river_status_runs_three_queries_whatever_the_number_of_rivers(
    django_assert_num_queries,
):
    rivers = []
    for _ in range(6):
        point = MonitoringPointFactory()
        rivers.append(point.river_id)
        for month in (2, 3):
            SampleFactory(point=point, sampled_at=at(2018, month, 3), nh3n=1.0, do=1.0)
    with django_assert_num_queries(3):
        result = compute_river_status(river_ids=rivers, **MARCH)
    assert len(result) == 6
    assert all(s.black_odour == Odour.LIGHT for s in result.values())
    # Stored on first read (the stored ones, three to compute, one to store), then read: one.
    with django_assert_num_queries(5):
        assert river_status(river_ids=rivers, **MARCH) == result
    with django_assert_num_queries(1):
        assert river_status(river_ids=rivers, **MARCH) == result
