"""The sample list's hand-written row is exactly what DRF's field-by-field path gives."""

import pytest

from monitoring import selectors
from monitoring.serializers import SampleSerializer
from tests.monitoring.factories import SampleFactory, at


class FieldByField(SampleSerializer):
    """The same declared fields, serialised by DRF's generic machinery."""


@pytest.mark.django_db
def test_the_lean_sample_row_equals_drfs_representation(point, office):
    SampleFactory(point=point, sampled_at=at(2018, 5, 2), do=21.4, temp=28, nh3n=0.4)
    SampleFactory(
        point=point, sampled_at=at(2018, 5, 3), nh3n=2.5, water_depth_cm=80, sampling_depth_m=0.5
    )
    SampleFactory(point=point, sampled_at=at(2018, 5, 4), sampler="", client_key="lab-7")
    rows = list(selectors.samples_for(user=office).order_by("sampled_at"))
    assert len(rows) == 3
    lean = SampleSerializer(rows, many=True).data
    assert lean == FieldByField(rows, many=True).data
    assert lean[1]["water_depth_cm"] == 80.0
    assert lean[1]["assessment"]["water_class"] is not None
