"""Monthly assessment (考核): scorecards per chief and per village from the records, as at the
end of the month; versioned rules; only the office and the district see them."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from overview.models import AssessmentRules, Scorecard
from overview.services.assessment import compute_scorecards, create_rules_version
from overview.tasks import compute_last_month
from tests import factories
from tests.patrols.factories import PatrolFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
DECEMBER = datetime(2026, 12, 5, 10, 0, tzinfo=SH)
OCT, NOV, SEP = date(2026, 10, 1), date(2026, 11, 1), date(2026, 9, 1)


def _card(chief, month):
    return Scorecard.objects.get(chief=chief, month=month)


def _item(card, key):
    return next(i for i in card.items if i["key"] == key)


def _compute(town, *months):
    for month in months:
        compute_scorecards(town=town, month=month)


@time_machine.travel(DECEMBER, tick=False)
def test_a_chiefs_score_shows_each_item_down_to_the_patrols_behind_it(two_towns):
    d = two_towns
    chief = d.chief_a1.chief
    patrol = PatrolFactory(
        chief=chief, river=d.river_a1, started_at=datetime(2026, 10, 12, 9, 0, tzinfo=SH)
    )
    _compute(d.town_a, OCT)
    card = _card(chief, OCT)
    duty = _item(card, "patrol_duty")
    assert duty["num"] == 1
    assert duty["den"] >= 4  # weekly for village chiefs (shared/reference/patrol-rules.md)
    assert [r["id"] for r in duty["records"]] == [patrol.pk]
    assert card.score is not None
    village = Scorecard.objects.get(village=d.village_a1, month=OCT)
    assert _item(village, "patrol_duty")["num"] == 1


@time_machine.travel(DECEMBER, tick=False)
def test_moving_a_patrol_across_the_month_end_changes_that_month_and_the_next_only(two_towns):
    d = two_towns
    chief = d.chief_a1.chief
    PatrolFactory(chief=chief, river=d.river_a1, started_at=datetime(2026, 9, 8, 9, tzinfo=SH))
    patrol = PatrolFactory(
        chief=chief, river=d.river_a1, started_at=datetime(2026, 10, 31, 23, 30, tzinfo=SH)
    )
    _compute(d.town_a, SEP, OCT, NOV)
    before = {m: _item(_card(chief, m), "patrol_duty")["num"] for m in (SEP, OCT, NOV)}
    assert before == {SEP: 1, OCT: 1, NOV: 0}

    patrol.started_at = datetime(2026, 11, 1, 0, 30, tzinfo=SH)
    patrol.ended_at = datetime(2026, 11, 1, 1, 15, tzinfo=SH)
    patrol.save()
    _compute(d.town_a, SEP, OCT, NOV)
    after = {m: _item(_card(chief, m), "patrol_duty")["num"] for m in (SEP, OCT, NOV)}
    assert after == {SEP: 1, OCT: 0, NOV: 1}
    assert _card(chief, SEP).items == Scorecard.objects.get(chief=chief, month=SEP).items


@time_machine.travel(DECEMBER, tick=False)
def test_computing_a_month_twice_gives_the_same_scorecards(two_towns):
    d = two_towns
    PatrolFactory(chief=d.chief_a1.chief, river=d.river_a1,
                  started_at=datetime(2026, 10, 12, 9, tzinfo=SH))  # fmt: skip
    _compute(d.town_a, OCT)
    fields = ("subject", "chief_id", "village_id", "score", "items")
    first = sorted(map(repr, Scorecard.objects.values_list(*fields)))
    _compute(d.town_a, OCT)
    assert sorted(map(repr, Scorecard.objects.values_list(*fields))) == first


@time_machine.travel(DECEMBER, tick=False)
def test_a_month_not_over_cannot_be_assessed(two_towns):
    with pytest.raises(ValidationError):
        compute_scorecards(town=two_towns.town_a, month=date(2026, 12, 1))


def test_last_years_scores_keep_last_years_rules(two_towns):
    d = two_towns
    with time_machine.travel(DECEMBER, tick=False):
        _compute(d.town_a, OCT)
        old = _card(d.chief_a1.chief, OCT).rules
        new = create_rules_version(
            user=d.office_a, town=d.town_a, valid_from=date(2026, 12, 1),
            weights={"patrol_duty": 100, "orders_on_time": 0, "water_quality": 0,
                     "measures_on_time": 0, "letters_read": 0},
            bands=[{"min": 80, "label": "好"}, {"min": 0, "label": "差"}],
        )  # fmt: skip
        _compute(d.town_a, OCT)
        assert _card(d.chief_a1.chief, OCT).rules == old
    with time_machine.travel(datetime(2027, 1, 3, tzinfo=SH), tick=False):
        _compute(d.town_a, date(2026, 12, 1))
        assert _card(d.chief_a1.chief, date(2026, 12, 1)).rules == new
        _compute(d.town_a, OCT)
        assert _card(d.chief_a1.chief, OCT).rules == old


@time_machine.travel(DECEMBER, tick=False)
def test_rules_for_a_month_already_over_or_not_adding_up_are_refused(two_towns):
    d = two_towns
    weights = {"patrol_duty": 50, "orders_on_time": 50}
    bands = [{"min": 0, "label": "合格"}]
    with pytest.raises(ValidationError) as past:
        create_rules_version(user=d.office_a, town=d.town_a, valid_from=OCT, weights=weights,
                             bands=bands)  # fmt: skip
    assert "valid_from" in past.value.message_dict
    with pytest.raises(ValidationError) as bad:
        create_rules_version(user=d.office_a, town=d.town_a, valid_from=date(2026, 12, 1),
                             weights={"patrol_duty": 60}, bands=bands)  # fmt: skip
    assert "weights" in bad.value.message_dict
    assert not AssessmentRules.objects.filter(town=d.town_a).exists()


@time_machine.travel(DECEMBER, tick=False)
def test_the_other_towns_office_cannot_see_or_recompute_town_as_scorecards(client, two_towns):
    d = two_towns
    _compute(d.town_a, OCT)
    card = Scorecard.objects.filter(town=d.town_a).first()
    client.force_login(d.office_b)
    assert client.get(reverse("overview:scorecards"), {"town": d.town_a.code}).status_code == 403
    assert client.get(reverse("overview:scorecard-detail", args=[card.pk])).status_code == 404
    assert (
        client.get(reverse("overview:scorecards-xlsx"), {"town": d.town_a.code}).status_code == 403
    )
    computed_at = card.computed_at
    response = client.post(
        reverse("overview:scorecards-compute"), {"town": d.town_a.code, "month": "2026-10"}
    )
    assert response.status_code == 403
    assert Scorecard.objects.get(pk=card.pk).computed_at == computed_at


@time_machine.travel(DECEMBER, tick=False)
@pytest.mark.parametrize("who", ["chief_a1", "town_chief_a"])
def test_chiefs_are_shown_no_scorecards(client, two_towns, who):
    d = two_towns
    _compute(d.town_a, OCT)
    card = Scorecard.objects.get(chief=d.chief_a1.chief, month=OCT)
    client.force_login(getattr(d, who))
    assert client.get(reverse("overview:scorecards")).status_code == 403
    assert client.get(reverse("overview:scorecard-detail", args=[card.pk])).status_code == 404


@time_machine.travel(DECEMBER, tick=False)
def test_the_office_recomputes_a_month_and_the_inspector_reads_every_town(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    response = client.post(
        reverse("overview:scorecards-compute"), {"town": d.town_a.code, "month": "2026-10"}
    )
    assert response.status_code == 302
    assert Scorecard.objects.filter(town=d.town_a, month=OCT).exists()
    client.force_login(d.inspector)
    page = client.get(reverse("overview:scorecards"),
                      {"town": d.town_a.code, "month": "2026-10", "subject": "chief"})  # fmt: skip
    assert (
        len(page.context["cards"])
        == Scorecard.objects.filter(town=d.town_a, subject="chief").count()
    )
    assert (
        client.post(
            reverse("overview:scorecards-compute"), {"town": d.town_a.code, "month": "2026-10"}
        ).status_code
        == 403
    )


@time_machine.travel(DECEMBER, tick=False)
def test_the_scorecard_page_links_each_record_and_the_excel_lists_every_card(client, two_towns):
    d = two_towns
    patrol = PatrolFactory(chief=d.chief_a1.chief, river=d.river_a1,
                           started_at=datetime(2026, 10, 12, 9, tzinfo=SH))  # fmt: skip
    _compute(d.town_a, OCT)
    client.force_login(d.office_a)
    card = _card(d.chief_a1.chief, OCT)
    page = client.get(reverse("overview:scorecard-detail", args=[card.pk])).content.decode()
    assert reverse("patrols:patrol-detail", args=[patrol.pk]) in page
    xlsx = client.get(reverse("overview:scorecards-xlsx"), {"month": "2026-10"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert len(rows) - 1 == Scorecard.objects.filter(town=d.town_a, month=OCT).count()


@time_machine.travel(datetime(2026, 11, 1, 2, 0, tzinfo=SH), tick=False)
def test_the_beat_job_computes_the_month_just_ended_for_every_town(two_towns):
    d = two_towns
    summary = compute_last_month.delay().get()
    assert summary.startswith("2026-10:")
    assert Scorecard.objects.filter(town=d.town_a, month=OCT).exists()
    assert Scorecard.objects.filter(town=d.town_b, month=OCT).exists()
    compute_last_month.delay().get()
    assert Scorecard.objects.filter(month=OCT).count() == int(summary.split()[1])


@time_machine.travel(DECEMBER, tick=False)
@pytest.mark.parametrize("size", [1, 10])
def test_computing_a_month_runs_a_constant_number_of_queries(
    two_towns, size, django_assert_max_num_queries
):
    d = two_towns
    for i in range(size):
        for chief, river in ((d.chief_a1, d.river_a1), (d.chief_a2, d.river_a2)):
            PatrolFactory(chief=chief.chief, river=river,
                          started_at=datetime(2026, 10, 1 + i, 9, tzinfo=SH))  # fmt: skip
    compute_scorecards(town=d.town_a, month=OCT)  # the default rules are stored once
    with django_assert_max_num_queries(20):
        compute_scorecards(town=d.town_a, month=OCT)


@time_machine.travel(DECEMBER, tick=False)
@pytest.mark.parametrize("size", [1, 10])
def test_the_scorecard_pages_run_a_constant_number_of_queries(
    client, two_towns, size, django_assert_max_num_queries
):
    d = two_towns
    for i in range(size):
        village = factories.VillageFactory(parent=d.town_a)
        user = factories.UserFactory(role="village_chief", region=village)
        chief = factories.ChiefFactory(user=user, region=village, level="village")
        river = factories.RiverFactory(region=village)
        factories.AssignmentFactory(chief=chief, river=river, level="village")
        PatrolFactory(chief=chief, river=river, started_at=datetime(2026, 10, 2 + i, 9, tzinfo=SH))
    compute_scorecards(town=d.town_a, month=OCT)
    client.force_login(d.office_a)
    card = Scorecard.objects.filter(town=d.town_a, subject="chief").first()
    for subject in ("chief", "village"):
        with django_assert_max_num_queries(12):
            page = client.get(
                reverse("overview:scorecards"), {"month": "2026-10", "subject": subject}
            )
        assert len(page.context["cards"]) >= size
    with django_assert_max_num_queries(10):
        client.get(reverse("overview:scorecard-detail", args=[card.pk]))
    with django_assert_max_num_queries(12):
        client.get(reverse("overview:scorecards-xlsx"), {"month": "2026-10"})
