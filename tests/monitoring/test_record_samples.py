"""record_samples: the checks every batch must pass, all or nothing, idempotent by client key."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from monitoring.labfile import SampleRow
from monitoring.models import Sample
from monitoring.services import record_samples
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
        # 2 × saturation at 25 °C is about 16.5 mg/L
        ({"do": 17.0, "temp": 25}, "samples[1].do", "饱和"),
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
    record_samples(rows=[row(0, values={"do": 16.0, "temp": 25})], by=office)
    assert Sample.objects.count() == 1


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


def test_a_key_already_used_for_another_sample_is_an_error(point, office):
    record_samples(rows=[row(0, client_key="K")], by=office)
    with pytest.raises(ValidationError) as exc:
        record_samples(rows=[row(5, client_key="K")], by=office)
    assert "samples[5].client_key" in errors_of(exc)


def test_a_village_chief_cannot_record_samples(point, village_chief):
    with pytest.raises(PermissionDenied):
        record_samples(rows=[row(0)], by=village_chief)


def test_naive_times_are_taken_as_shanghai_time(point, office):
    record_samples(rows=[row(0, sampled_at=datetime(2018, 5, 3, 8, 0))], by=office)
    sample = Sample.objects.get()
    assert timezone.localtime(sample.sampled_at).hour == 8
    assert sample.sampled_at == at(2018, 5, 3, 8)
