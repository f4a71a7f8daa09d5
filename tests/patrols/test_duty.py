"""Duty: done versus required per chief and month, in Asia/Shanghai time."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from patrols import services
from patrols.models import DutyRule, Patrol
from patrols.periods import spans_for_month
from patrols.selectors import duty_for
from tests.factories import AssignmentFactory, RiverFactory, UserFactory
from tests.patrols.factories import PatrolFactory, chief_on_river

SH = ZoneInfo("Asia/Shanghai")
LATER = datetime(2019, 1, 1, tzinfo=UTC)  # every 2018 period is over


def patrol(chief, river, when, **kw):
    return PatrolFactory(chief=chief, river=river, started_at=when, **kw)


@pytest.fixture
def town_chief(town):
    return chief_on_river(town, level="town", role="town_chief")


def test_the_default_rules_come_from_the_reference(db):
    rules = {(r.level, r.period, r.times) for r in DutyRule.objects.all()}
    assert rules == {("district", "quarter", 1), ("town", "month", 1), ("village", "week", 1)}


def test_a_patrol_late_on_the_last_evening_counts_for_that_month_in_shanghai(town_chief):
    chief, river = town_chief
    # 23:30 on 31 March in Shanghai is 15:30 UTC: March, although 1 April starts soon after.
    patrol(chief, river, datetime(2018, 3, 31, 23, 30, tzinfo=SH))
    march = duty_for(chiefs=[chief], month=date(2018, 3, 1), at=LATER)[chief.pk]
    april = duty_for(chiefs=[chief], month=date(2018, 4, 1), at=LATER)[chief.pk]
    assert (march.done, march.required, march.behind) == (1, 1, False)
    assert (april.done, april.required, april.behind) == (0, 1, True)


def test_a_patrol_just_after_midnight_on_the_first_counts_for_the_new_month(town_chief):
    chief, river = town_chief
    # 00:10 on 1 April in Shanghai is still 31 March in UTC.
    when = datetime(2018, 4, 1, 0, 10, tzinfo=SH)
    assert when.astimezone(UTC).month == 3
    patrol(chief, river, when)
    march = duty_for(chiefs=[chief], month=date(2018, 3, 1), at=LATER)[chief.pk]
    april = duty_for(chiefs=[chief], month=date(2018, 4, 1), at=LATER)[chief.pk]
    assert march.behind
    assert march.done == 0
    assert not april.behind
    assert april.done == 1


def test_iso_weeks_belong_to_the_month_of_their_thursday():
    march = spans_for_month("week", date(2018, 3, 1))
    # 1 March 2018 is a Thursday: weeks 9 to 13; week 13 ends on 1 April.
    assert [s.key for s in march] == ["2018-W09", "2018-W10", "2018-W11", "2018-W12", "2018-W13"]
    assert march[0].start == date(2018, 2, 26)
    assert march[-1].end == date(2018, 4, 1)
    # January 2021 starts on a Friday: that week (2020-W53) belongs to December.
    assert spans_for_month("week", date(2021, 1, 1))[0].key == "2021-W01"
    assert spans_for_month("week", date(2020, 12, 1))[-1].key == "2020-W53"


def test_a_village_chief_misses_a_week(village):
    chief, river = chief_on_river(village)
    for week in range(5):
        if week == 2:
            continue
        patrol(chief, river, datetime(2018, 2, 27, 10, tzinfo=SH) + timedelta(weeks=week))
    duty = duty_for(chiefs=[chief], month=date(2018, 3, 1), at=LATER)[chief.pk]
    assert duty.required == 5
    assert duty.behind
    assert [p.span.key for p in duty.missed] == ["2018-W11"]
    # The patrol on 27 February is in a March week but not in March itself.
    assert duty.done == 3


def test_weeks_not_yet_over_are_not_behind(village):
    chief, river = chief_on_river(village)
    patrol(chief, river, datetime(2018, 3, 1, 10, tzinfo=SH))
    with time_machine.travel(datetime(2018, 3, 6, 12, tzinfo=SH), tick=False):
        duty = duty_for(chiefs=[chief], month=date(2018, 3, 1))[chief.pk]
    assert duty.required == 5
    assert not duty.behind
    with time_machine.travel(datetime(2018, 3, 12, 12, tzinfo=SH), tick=False):
        duty = duty_for(chiefs=[chief], month=date(2018, 3, 1))[chief.pk]
    assert [p.span.key for p in duty.missed] == ["2018-W10"]


def test_a_district_chiefs_quarter_is_judged_in_its_last_month(town):
    chief, river = chief_on_river(town.parent, level="district", role="office")
    patrol(chief, river, datetime(2018, 1, 15, 10, tzinfo=SH))
    jan = duty_for(chiefs=[chief], month=date(2018, 1, 1), at=LATER)[chief.pk]
    mar = duty_for(chiefs=[chief], month=date(2018, 3, 1), at=LATER)[chief.pk]
    jun = duty_for(chiefs=[chief], month=date(2018, 6, 1), at=LATER)[chief.pk]
    assert (jan.required, jan.behind) == (0, False)
    assert (mar.required, mar.done, mar.behind) == (1, 0, False)  # January's patrol covers Q1
    assert (jun.required, jun.behind) == (1, True)


def test_rejected_and_unfinished_patrols_do_not_count_but_flagged_ones_do(town_chief):
    chief, river = town_chief
    when = datetime(2018, 5, 10, 9, tzinfo=SH)
    patrol(chief, river, when, review=Patrol.Review.REJECTED)
    patrol(chief, river, when + timedelta(days=1), status="in_progress", ended_at=None)
    duty = duty_for(chiefs=[chief], month=date(2018, 5, 1), at=LATER)[chief.pk]
    assert duty.done == 0
    assert duty.behind
    patrol(chief, river, when + timedelta(days=2), flags=["too_short"])
    duty = duty_for(chiefs=[chief], month=date(2018, 5, 1), at=LATER)[chief.pk]
    assert duty.done == 1
    assert not duty.behind


def test_a_per_river_rule_asks_for_each_river(town_chief, town):
    chief, river = town_chief
    second = RiverFactory(region=town, level="town")
    AssignmentFactory(chief=chief, river=second, level="town")
    DutyRule.objects.filter(level="town").update(per_river=True)
    patrol(chief, river, datetime(2018, 5, 10, 9, tzinfo=SH))
    patrol(chief, river, datetime(2018, 5, 20, 9, tzinfo=SH))
    duty = duty_for(chiefs=[chief], month=date(2018, 5, 1), at=LATER)[chief.pk]
    assert duty.required == 2
    assert duty.behind
    assert [p.river_id for p in duty.missed] == [second.pk]


def test_every_ten_days_and_a_season(town_chief):
    chief, river = town_chief
    DutyRule.objects.filter(level="town").update(
        period="ten_days", season_start_month=3, season_end_month=12
    )
    for day in (2, 12, 25):
        patrol(chief, river, datetime(2018, 3, day, 9, tzinfo=SH))
    march = duty_for(chiefs=[chief], month=date(2018, 3, 1), at=LATER)[chief.pk]
    january = duty_for(chiefs=[chief], month=date(2018, 1, 1), at=LATER)[chief.pk]
    assert (march.required, march.done, march.behind) == (3, 3, False)
    assert (january.required, january.behind) == (0, False)


def test_a_rule_for_one_river_adds_to_the_chiefs_duty(town_chief):
    chief, river = town_chief
    DutyRule.objects.create(level="town", period="ten_days", times=1, river=river)
    patrol(chief, river, datetime(2018, 5, 5, 9, tzinfo=SH))
    duty = duty_for(chiefs=[chief], month=date(2018, 5, 1), at=LATER)[chief.pk]
    assert duty.required == 4  # once a month overall plus once every ten days on this river
    assert [p.span.key for p in duty.missed] == ["2018-05-2", "2018-05-3"]


def test_only_the_office_edits_rules(town_staff, village):
    default = DutyRule.objects.get(level="village")
    rule = services.own_copy(rule=default, by=town_staff)
    rule.times = 2
    chief_user = UserFactory(role="village_chief", region=village)
    with pytest.raises(PermissionDenied):
        services.save_duty_rule(rule=rule, by=chief_user)
    services.save_duty_rule(rule=rule, by=town_staff)
    # The office's change is its town's own rule; the default stays for the other towns.
    assert DutyRule.objects.get(level="village", region=town_staff.region).times == 2
    assert DutyRule.objects.get(level="village", region__isnull=True).times == 1
    assert rule.history.first().history_user == town_staff


def test_duty_for_runs_the_same_queries_for_one_chief_or_thirty(village, django_assert_num_queries):
    chiefs = []
    for i in range(30):
        chief, river = chief_on_river(village)
        patrol(chief, river, datetime(2018, 3, 1 + i % 28, 9, tzinfo=SH))
        chiefs.append(chief)
    DutyRule.objects.filter(level="village").update(per_river=True)
    with django_assert_num_queries(3):  # rules, assignments, patrols
        one = duty_for(chiefs=chiefs[:1], month=date(2018, 3, 1), at=LATER)
    with django_assert_num_queries(3):
        many = duty_for(chiefs=chiefs, month=date(2018, 3, 1), at=LATER)
    assert one[chiefs[0].pk].done == 1
    assert len(many) == 30
    assert sum(d.done for d in many.values()) == 30


def test_duty_for_accepts_chief_ids(town_chief):
    chief, river = town_chief
    patrol(chief, river, datetime(2018, 3, 9, 9, tzinfo=SH))
    assert duty_for(chiefs=[chief.pk], month=date(2018, 3, 15), at=LATER)[chief.pk].done == 1


def test_weeks_before_a_chief_took_office_ask_nothing(village):
    chief, river = chief_on_river(village)
    chief.assignments.update(start_date=date(2018, 3, 14))
    patrol(chief, river, datetime(2018, 3, 15, 9, tzinfo=SH))
    patrol(chief, river, datetime(2018, 3, 20, 9, tzinfo=SH))
    patrol(chief, river, datetime(2018, 3, 27, 9, tzinfo=SH))
    duty = duty_for(chiefs=[chief], month=date(2018, 3, 1), at=LATER)[chief.pk]
    assert [p.span.key for p in duty.periods] == ["2018-W11", "2018-W12", "2018-W13"]
    assert not duty.behind


def test_a_month_is_over_at_midnight_in_shanghai_not_in_utc(town_chief):
    chief, _river = town_chief
    # 23:50 on 31 March in Shanghai: March is not over yet, nobody is behind.
    with time_machine.travel(datetime(2018, 3, 31, 23, 50, tzinfo=SH), tick=False):
        assert not duty_for(chiefs=[chief], month=date(2018, 3, 1))[chief.pk].behind
    # 00:30 on 1 April in Shanghai is still 31 March in UTC, but March is over here.
    with time_machine.travel(datetime(2018, 4, 1, 0, 30, tzinfo=SH), tick=False):
        assert duty_for(chiefs=[chief], month=date(2018, 3, 1))[chief.pk].behind


def _periods(duty):
    return [(p.span.key, p.done, p.required, p.river_id) for p in duty.periods]


def test_summed_by_the_database_as_counted_river_by_river(village, django_assert_num_queries):
    """Without a rule per river or for one river, the assignments and the patrols of a day are
    summed per chief by the database; the figures are those counted river by river."""
    chief, river = chief_on_river(village)
    other = RiverFactory(region=village, level="village")
    # The first river left on 14 March, the second is still assigned: no week is dropped.
    chief.assignments.update(start_date=date(2018, 3, 7), end_date=date(2018, 3, 14))
    AssignmentFactory(chief=chief, river=other, level="village", start_date=date(2018, 3, 9))
    gone, gone_river = chief_on_river(village)
    gone.assignments.update(start_date=date(2018, 1, 1), end_date=date(2018, 3, 14))
    for chief_, river_, when in [
        (chief, river, datetime(2018, 3, 8, 9, tzinfo=SH)),
        (chief, other, datetime(2018, 3, 8, 23, 50, tzinfo=SH)),  # 15:50 UTC, the same day
        (chief, other, datetime(2018, 3, 21, 0, 10, tzinfo=SH)),  # 20 March in UTC
        (gone, gone_river, datetime(2018, 3, 1, 9, tzinfo=SH)),
    ]:
        patrol(chief_, river_, when)
    month = date(2018, 3, 1)
    with django_assert_num_queries(3):  # rules, assignments (one row a chief), patrols by day
        summed = duty_for(chiefs=[chief, gone], month=month, at=LATER)
    # An active rule for one river, of another level, has the rows read river by river.
    DutyRule.objects.create(level="district", period="month", times=1, river=other)
    by_river = duty_for(chiefs=[chief, gone], month=month, at=LATER)
    for pk in (chief.pk, gone.pk):
        assert (summed[pk].done, summed[pk].required) == (by_river[pk].done, by_river[pk].required)
        assert _periods(summed[pk]) == _periods(by_river[pk])
    assert summed[chief.pk].done == 3
    assert _periods(summed[chief.pk]) == [
        ("2018-W10", 2, 1, None),
        ("2018-W11", 0, 1, None),
        ("2018-W12", 1, 1, None),
        ("2018-W13", 0, 1, None),
    ]
    # Gone after 14 March: the weeks starting later ask nothing.
    assert [k for k, *_ in _periods(summed[gone.pk])] == ["2018-W09", "2018-W10", "2018-W11"]
