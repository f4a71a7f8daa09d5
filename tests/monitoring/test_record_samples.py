"""record_samples: the checks every batch must pass, all or nothing, idempotent by client key."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from monitoring.labfile import SampleRow
from monitoring.models import Sample
from monitoring.services import ClientKeyConflict, record_samples
from tests.monitoring.factories import SampleFactory, at

pytestmark = pytest.mark.django_db


def row(i, **kw):
    kw.setdefault("point", "ZJ-01")
    kw.setdefault("sampled_at", at(2018, 5, 1 + i))
    kw.setdefault("values", {"do": 5.2, "nh3n": 0.8, "temp": 20})
    return SampleRow(row=i, **kw)


def errors_of(exc) -> dict:
    return exc.value.message_dict


def test_a_batch_is_recorded_with_its_values_and_history(point, office):
    result = record_samples(rows=[row(0), row(1, client_key="A-1")], by=office)
    assert len(result.created) == 2
    sample = Sample.objects.get(client_key="A-1")
    assert sample.nh3n == 0.8
    assert sample.assessment().water_class == 3
    assert sample.history.count() == 1
    assert sample.history.first().history_user == office


def test_posting_the_same_keys_again_creates_nothing(point, office):
    rows = [row(i, client_key=f"K{i}") for i in range(3)]
    record_samples(rows=rows, by=office)
    again = record_samples(rows=[row(i, client_key=f"K{i}") for i in range(3)], by=office)
    assert again.created == []
    assert again.existing == 3
    assert Sample.objects.count() == 3


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"nh3n": -0.1}, "samples[1].nh3n", "负数"),
        ({"ph": 14.5}, "samples[1].ph", "0–14"),
        ({"ph": -1}, "samples[1].ph", "0–14"),
        # more than water holds under pure oxygen at 0 °C (69.8 mg/L): a wrong unit
        ({"do": 95.0, "temp": 25}, "samples[1].do", "最大值"),
        ({}, "samples[1].values", "没有任何监测值"),
        ({"tp": float("nan")}, "samples[1].tp", "不是有效数值"),
        ({"cod": float("inf")}, "samples[1].cod", "不是有效数值"),
    ],
)
def test_bad_values_are_refused_with_the_row_and_field_and_nothing_is_saved(
    point, office, values, field, words
):
    with pytest.raises(ValidationError) as exc:
        record_samples(rows=[row(0), row(1, values=values)], by=office)
    assert field in errors_of(exc)
    assert words in errors_of(exc)[field][0]
    assert Sample.objects.count() == 0


def test_do_within_twice_saturation_is_accepted(point, office):
    result = record_samples(rows=[row(0, values={"do": 16.0, "temp": 25})], by=office)
    assert Sample.objects.count() == 1
    assert result.flagged == []


def test_supersaturated_do_is_recorded_and_flagged_for_review(point, office):
    # an algal bloom: 2 × saturation at 25 °C is 16.52 mg/L
    result = record_samples(
        rows=[row(0), row(1, values={"do": 21.4, "temp": 25, "nh3n": 0.3})], by=office
    )
    assert len(result.created) == 2
    assert result.flagged == [{"index": 1, "flags": ["do_supersaturated"]}]
    sample = Sample.objects.get(do=21.4)
    ((code, message),) = sample.review_flags()
    assert code == "do_supersaturated"
    assert "复核" in message
    assert sample.assessment().water_class == 2  # NH3-N 0.3; DO is Class I


def test_dissolved_oxygen_of_exactly_the_impossible_bound_is_still_a_measurement(point, office):
    record_samples(rows=[row(0, values={"do": 69.8})], by=office)
    with pytest.raises(ValidationError):
        record_samples(rows=[row(1, values={"do": 69.9})], by=office)


def test_a_time_in_the_future_is_refused(point, office):
    future = timezone.now() + timedelta(hours=2)
    with pytest.raises(ValidationError) as exc:
        record_samples(rows=[row(0, sampled_at=future)], by=office)
    assert "samples[0].sampled_at" in errors_of(exc)


def test_an_unknown_point_is_named(point, office):
    with pytest.raises(ValidationError) as exc:
        record_samples(rows=[row(0, point="NOPE")], by=office)
    assert "NOPE" in errors_of(exc)["samples[0].point"][0]


def test_a_point_outside_the_users_town_is_refused(point, office, other_town_point):
    with pytest.raises(ValidationError) as exc:
        record_samples(rows=[row(0, point=other_town_point.code)], by=office)
    assert "samples[0].point" in errors_of(exc)
    assert Sample.objects.count() == 0


def test_duplicates_in_the_batch_and_in_the_database_are_refused(point, office):
    SampleFactory(point=point, sampled_at=at(2018, 5, 9))
    with pytest.raises(ValidationError) as exc:
        record_samples(
            rows=[
                row(0),
                row(1, sampled_at=at(2018, 5, 1)),  # same time as row 0
                row(2, sampled_at=at(2018, 5, 9)),  # already recorded
                row(3, client_key="X", sampled_at=at(2018, 5, 20)),
                row(4, client_key="X", sampled_at=at(2018, 5, 21)),
            ],
            by=office,
        )
    errors = errors_of(exc)
    assert "第 0 行" in errors["samples[1].sampled_at"][0]
    assert "已有水样" in errors["samples[2].sampled_at"][0]
    assert "重复" in errors["samples[4].client_key"][0]
    assert Sample.objects.count() == 1


def test_a_key_already_used_for_another_sample_is_a_conflict_naming_the_fields(point, office):
    record_samples(rows=[row(0, client_key="K")], by=office)
    with pytest.raises(ClientKeyConflict) as exc:
        record_samples(rows=[row(5, client_key="K")], by=office)
    assert "samples[5].client_key" in exc.value.errors
    assert exc.value.conflicts == [{"row": 5, "client_key": "K", "fields": ["sampled_at"]}]


def test_a_changed_value_under_a_recorded_key_is_a_conflict_and_saves_nothing(point, office):
    record_samples(rows=[row(0, client_key="K")], by=office)
    changed = row(0, client_key="K", values={"do": 5.2, "nh3n": 0.9, "temp": 20, "tp": 0.1})
    with pytest.raises(ClientKeyConflict) as exc:
        record_samples(rows=[row(1, client_key="L"), changed], by=office)
    assert exc.value.conflicts[0]["fields"] == ["nh3n", "tp"]
    assert "氨氮" in exc.value.errors["samples[0].client_key"][0]
    assert Sample.objects.count() == 1


def test_a_conflict_among_bad_rows_is_reported_with_them_as_bad_input(point, office):
    record_samples(rows=[row(0, client_key="K")], by=office)
    with pytest.raises(ValidationError) as exc:
        record_samples(
            rows=[row(0, client_key="K", sampler="李四"), row(1, point="NOPE")], by=office
        )
    assert set(errors_of(exc)) == {"samples[0].client_key", "samples[1].point"}


def test_a_village_chief_cannot_record_samples(point, village_chief):
    with pytest.raises(PermissionDenied):
        record_samples(rows=[row(0)], by=village_chief)


def test_naive_times_are_taken_as_shanghai_time(point, office):
    record_samples(rows=[row(0, sampled_at=datetime(2018, 5, 3, 8, 0))], by=office)
    sample = Sample.objects.get()
    assert timezone.localtime(sample.sampled_at).hour == 8
    assert sample.sampled_at == at(2018, 5, 3, 8)
