"""The hand-written list rows (rivers, assignments) are exactly what DRF's generic path gives."""

from datetime import date
from decimal import Decimal

import pytest

from rivers import selectors
from rivers.api import AssignmentViewSet, RiverViewSet
from rivers.serializers import AssignmentSerializer, RiverSerializer
from tests import factories


class FieldByField(RiverSerializer):
    """The same declared fields, serialised by DRF's generic machinery."""


@pytest.mark.django_db
def test_the_lean_river_row_equals_drfs_representation(rf, town_staff):
    village = factories.VillageFactory(parent=town_staff.region)
    other = factories.VillageFactory(parent=town_staff.region)
    factories.RiverFactory(region=village, regions=[village, other], length_km=Decimal("12.5"))
    factories.RiverFactory(region=other, water_type="lake")
    view = RiverViewSet(action="list", request=rf.get("/"), format_kwarg=None)
    view.request.user = town_staff
    rivers = selectors.attach_crossing_ids(list(view.get_queryset()))
    assert RiverSerializer(rivers, many=True).data == FieldByField(rivers, many=True).data
    assert RiverSerializer(rivers[0]).data["length_km"] == "12.50"
    assert [len(r.crossing_ids) for r in rivers] == [2, 1]


class AssignmentFieldByField(AssignmentSerializer):
    """The same declared fields, serialised by DRF's generic machinery."""


@pytest.mark.django_db
def test_the_lean_assignment_row_equals_drfs_representation(rf, town_staff):
    village = factories.VillageFactory(parent=town_staff.region)
    river = factories.RiverFactory(region=village)
    reach = factories.ReachFactory(river=river)
    factories.AssignmentFactory(river=river, start_date=date(2018, 1, 1), note="交接")
    factories.AssignmentFactory(
        river=river, reach=reach, start_date=date(2017, 1, 1), end_date=date(2017, 12, 31)
    )
    view = AssignmentViewSet(action="list", request=rf.get("/"), format_kwarg=None)
    view.request.user = town_staff
    rows = list(view.get_queryset())
    assert len(rows) == 2
    assert (
        AssignmentSerializer(rows, many=True).data == AssignmentFieldByField(rows, many=True).data
    )
