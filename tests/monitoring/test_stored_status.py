"""Stored river statuses: what river_status reads is what it would compute, before and after
every kind of change (monitoring.status_store)."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from monitoring import status_store
from monitoring.labfile import SampleRow
from monitoring.models import RiverPeriodStatus, Sample
from monitoring.periods import Period
from monitoring.selectors import compute_river_status, river_status
from monitoring.services import record_samples
from monitoring.standards import Odour
from monitoring.tasks import refresh_river_status, warm_river_status
from tests.factories import RiverFactory
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at

pytestmark = pytest.mark.django_db

MARCH, APRIL = Period.month(2018, 3), Period.month(2018, 4)
PERIODS = [
    Period.month(2018, 2),
    MARCH,
    APRIL,
    Period.quarter(2018, 1),
    Period.quarter(2018, 2),
    Period.year(2018),
]


def _cached(river_ids, period):
    return river_status(river_ids=river_ids, period_start=period.start, period_end=period.end)


def _live(river_ids, period):
    return compute_river_status(
        river_ids=river_ids, period_start=period.start, period_end=period.end
    )


@pytest.fixture
def varied():
    """Rivers of every kind the rules tell apart: one point or many (mean, share rule), a lake,
    black-odorous runs, a retired point, DO/pH edge values, a river without samples."""
    rnd = random.Random(15)
    rivers = []
    for n_points, water_type in ((1, "river"), (3, "river"), (6, "river"), (2, "lake")):
        river = RiverFactory(water_type=water_type, target_class=rnd.choice([2, 3, 4, 5]))
        rivers.append(river)
        for position in range(1, n_points + 1):
            point = MonitoringPointFactory(river=river, position=position)
            for month in (1, 2, 3, 4, 5):
                for day in rnd.sample(range(1, 28), 2):
                    SampleFactory(
                        point=point,
                        sampled_at=at(2018, month, day, rnd.randint(0, 23)),
                        do=round(rnd.uniform(0.1, 9.5), 2),
                        nh3n=round(rnd.uniform(0.1, 18), 3),
                        tp=round(rnd.uniform(0.01, 0.6), 3),
                        ph=round(rnd.uniform(5.5, 9.5), 1),
                        codmn=round(rnd.uniform(1, 16), 1),
                        transparency=rnd.choice([None, 5.0, 12.0, 30.0]),
                        orp=rnd.choice([None, -250.0, 0.0, 120.0]),
                        temp=rnd.choice([None, 8.0, 25.5]),
                        tn=round(rnd.uniform(0.2, 3), 2),
                    )
    retired = MonitoringPointFactory(river=rivers[2], position=3, is_active=False)
    SampleFactory(point=retired, sampled_at=at(2018, 3, 9), nh3n=20, do=0.1)
    rivers.append(RiverFactory())  # no points, no samples
    return rivers


def test_stored_statuses_equal_the_live_computation_for_every_kind_of_period(varied):
    ids = [r.id for r in varied]
    for period in PERIODS:
        live = _live(ids, period)
        assert _cached(ids, period) == live  # computed and stored
        assert _cached(ids, period) == live  # read back from the table
    assert RiverPeriodStatus.objects.count() == len(ids) * len(PERIODS)
    # the fixture does exercise the rules the stored figures must keep
    march = _cached(ids, MARCH)
    assert {s.method for s in march.values()} >= {"single", "mean", "share"}
    assert any(s.black_odour == Odour.SEVERE for s in march.values())
    assert any(s.deciding for s in march.values())
    assert any(s.trend for s in march.values())


def test_a_snapshot_or_one_towns_points_are_computed_live_and_never_stored(varied):
    ids = [r.id for r in varied]
    moment = timezone.now()
    river_status(river_ids=ids, period_start=MARCH.start, period_end=MARCH.end, at=moment)
    code = varied[0].region.code
    river_status(river_ids=ids, period_start=MARCH.start, period_end=MARCH.end, region_code=code)
    river_status(river_ids=ids, period_start=date(2018, 3, 3), period_end=date(2018, 3, 20))
    assert not RiverPeriodStatus.objects.exists()


def test_moving_a_sample_into_the_next_month_changes_both_months_and_their_trends():
    point = MonitoringPointFactory(river__target_class=3)
    SampleFactory(point=point, sampled_at=at(2018, 3, 10), nh3n=0.4)
    moving = SampleFactory(point=point, sampled_at=at(2018, 3, 20), nh3n=9.0)
    ids = [point.river_id]
    before = {p: _cached(ids, p)[point.river_id] for p in (MARCH, APRIL, Period.month(2018, 5))}
    assert before[MARCH].water_class == 6
    assert before[APRIL].water_class is None

    moving.sampled_at = at(2018, 4, 2)
    moving.save()

    for period in (MARCH, APRIL, Period.month(2018, 5)):
        assert _cached(ids, period) == _live(ids, period)
    assert _cached(ids, MARCH)[point.river_id].water_class == 2
    assert _cached(ids, APRIL)[point.river_id].water_class == 6
    assert _cached(ids, APRIL)[point.river_id].trend == "worse"
    # May's trend compares with April, which now has data
    assert _cached(ids, Period.month(2018, 5)) == _live(ids, Period.month(2018, 5))


def test_a_sample_changed_in_place_or_deleted_changes_the_stored_status():
    point = MonitoringPointFactory()
    keep = SampleFactory(point=point, sampled_at=at(2018, 3, 10), nh3n=0.4)
    sample = SampleFactory(point=point, sampled_at=at(2018, 3, 20), nh3n=0.5)
    ids = [point.river_id]
    assert _cached(ids, MARCH)[point.river_id].water_class == 2

    sample.nh3n = 12.0
    sample.save()
    assert _cached(ids, MARCH) == _live(ids, MARCH)
    assert _cached(ids, MARCH)[point.river_id].water_class == 6

    sample.delete()
    assert _cached(ids, MARCH)[point.river_id].water_class == 2
    keep.delete()
    assert _cached(ids, MARCH)[point.river_id].water_class is None


def test_changing_the_target_class_or_water_type_changes_the_stored_status():
    point = MonitoringPointFactory(river__target_class=5)
    SampleFactory(point=point, sampled_at=at(2018, 3, 10), nh3n=1.2, tp=0.08)
    river, ids = point.river, [point.river_id]
    assert _cached(ids, MARCH)[river.id].meets_target is True

    river.target_class = 3
    river.save()
    status = _cached(ids, MARCH)[river.id]
    assert status == _live(ids, MARCH)[river.id]
    assert (status.target_class, status.meets_target) == (3, False)
    assert [i.code for i in status.exceedances] == ["nh3n"]

    river.water_type = "lake"
    river.save()
    assert _cached(ids, MARCH) == _live(ids, MARCH)


def test_moving_reordering_or_retiring_a_point_changes_the_stored_status():
    first = RiverFactory()
    points = [MonitoringPointFactory(river=first, position=i) for i in (1, 2, 3, 4)]
    for i, point in enumerate(points):
        severe = i != 1  # severe, none, severe, severe: no run of three
        SampleFactory(point=point, sampled_at=at(2018, 3, 10), nh3n=20 if severe else 0.5)
    second = RiverFactory()
    ids = [first.id, second.id]
    assert _cached(ids, MARCH)[first.id].odour.severe_stretches == ()

    points[1].position = 9  # to the end: three severe points in a row
    points[1].save()
    assert _cached(ids, MARCH)[first.id].odour.severe_stretches == ((0, 2),)
    assert _cached(ids, MARCH) == _live(ids, MARCH)

    points[0].river = second
    points[0].save()
    assert _cached(ids, MARCH) == _live(ids, MARCH)
    assert _cached(ids, MARCH)[second.id].point_count == 1

    points[2].is_active = False
    points[2].save()
    assert _cached(ids, MARCH) == _live(ids, MARCH)


def test_samples_recorded_in_bulk_change_the_stored_status(point, office):
    ids = [point.river_id]
    assert _cached(ids, MARCH)[point.river_id].water_class is None
    rows = [
        SampleRow(row=i, point="ZJ-01", sampled_at=at(2018, 3, 1 + i), values={"nh3n": 3.0})
        for i in range(3)
    ]
    record_samples(rows=rows, by=office)
    assert _cached(ids, MARCH)[point.river_id].water_class == 6
    assert _cached(ids, APRIL)[point.river_id].previous_class == 6


def test_a_status_computed_before_a_change_never_replaces_one_computed_after_it():
    point = MonitoringPointFactory()
    sample = SampleFactory(point=point, sampled_at=at(2018, 3, 10), nh3n=0.4)
    ids = [point.river_id]
    stale = _live(ids, MARCH)
    read_before = timezone.now()
    sample.nh3n = 9.0
    sample.save()
    fresh = _cached(ids, MARCH)  # computed and stored after the change

    status_store._upsert(stale.values(), MARCH, read_before - timedelta(seconds=1))

    assert _cached(ids, MARCH) == fresh == _live(ids, MARCH)
    assert fresh[point.river_id].water_class == 6


def test_the_refresh_after_a_change_stores_the_periods_it_touched_again(
    django_capture_on_commit_callbacks,
):
    point = MonitoringPointFactory()
    with django_capture_on_commit_callbacks(execute=True):
        SampleFactory(point=point, sampled_at=at(2018, 3, 10), nh3n=0.4)
    stored = set(
        RiverPeriodStatus.objects.filter(river=point.river).values_list("period_start", flat=True)
    )
    # March, April, Q1, Q2, 2018, 2019 (not started on the day the refresh runs: left out
    # only when still in the future)
    assert {date(2018, 3, 1), date(2018, 4, 1), date(2018, 1, 1)} <= stored
    assert _cached([point.river_id], MARCH) == _live([point.river_id], MARCH)
    # a repeated task computes nothing
    assert refresh_river_status({"2018-03": [point.river_id]}) == "0 computed"


def test_the_nightly_warm_stores_the_recent_months_once():
    point = MonitoringPointFactory()
    SampleFactory(point=point, sampled_at=timezone.now() - timedelta(days=1), nh3n=0.4)
    RiverPeriodStatus.objects.all().delete()
    assert warm_river_status() == f"{status_store.WARM_MONTHS} months queued"  # eager here
    assert RiverPeriodStatus.objects.count() == status_store.WARM_MONTHS
    month = timezone.localdate().strftime("%Y-%m")
    assert warm_river_status(month) == "0 computed"


def test_reading_stored_statuses_takes_one_query_whatever_the_number_of_rivers(
    django_assert_num_queries,
):
    ids = []
    for _ in range(8):
        point = MonitoringPointFactory()
        SampleFactory(point=point, sampled_at=at(2018, 3, 5), nh3n=1.0)
        ids.append(point.river_id)
    _cached(ids[:2], MARCH)
    _cached(ids, MARCH)
    with django_assert_num_queries(1):
        assert len(_cached(ids, MARCH)) == 8
    assert Sample.objects.count() == 8
