"""The patrol list's hand-written row is exactly what DRF's field-by-field path gives."""

from datetime import UTC, datetime, timedelta

import pytest

from patrols import selectors
from patrols.models import Patrol
from patrols.serializers import PatrolSerializer
from tests.patrols.factories import PatrolFactory, chief_on_river


class FieldByField(PatrolSerializer):
    """The same declared fields, serialised by DRF's generic machinery."""


@pytest.mark.django_db
def test_the_lean_patrol_row_equals_drfs_representation(village, town_staff):
    chief, river = chief_on_river(village)
    start = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)
    PatrolFactory(chief=chief, river=river, started_at=start, flags=["too_short"], note="正常")
    PatrolFactory(
        chief=chief,
        river=river,
        started_at=start + timedelta(days=1),
        status=Patrol.Status.IN_PROGRESS,
        ended_at=None,
        walker_name="河长助理",
    )
    rows = list(selectors.patrols_for(user=town_staff))
    assert len(rows) == 2
    assert PatrolSerializer(rows, many=True).data == FieldByField(rows, many=True).data
