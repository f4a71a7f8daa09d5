"""The river list's hand-written row is exactly what DRF's field-by-field path gives."""

from decimal import Decimal

import pytest

from rivers.api import RiverViewSet
from rivers.serializers import RiverSerializer
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
    rivers = list(view.get_queryset())
    assert RiverSerializer(rivers, many=True).data == FieldByField(rivers, many=True).data
    assert RiverSerializer(rivers[0]).data["length_km"] == "12.50"
