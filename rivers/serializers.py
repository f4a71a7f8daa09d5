"""API shapes of the registry. Input serializers validate; the services write."""

from django.db import router
from rest_framework import serializers

from core.choices import ChiefLevel
from core.models import Region
from core.rows import (
    RowsListSerializer,
    RowsMixin,
    by_id_select,
    day,
    display_name,
    name_columns,
    read_by_ids,
)
from core.scoping import visible_regions
from rivers.models import Chief, ChiefAssignment, Reach, River, SluiceGate, WaterBody


def _user(serializer):
    return serializer.context["request"].user


class ReachSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", default=None, read_only=True)

    class Meta:
        model = Reach
        fields = [
            "id",
            "name",
            "position",
            "start_point",
            "end_point",
            "length_km",
            "village",
            "village_name",
        ]


class CurrentChiefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="chief.user.display_name", read_only=True)
    phone = serializers.CharField(source="chief.user.phone", read_only=True)

    class Meta:
        model = ChiefAssignment
        fields = ["id", "chief", "name", "phone", "reach", "level", "duty", "start_date"]


# A list reads plain rows (core.rows): a district client pages through 50,000 of them, and
# models with DRF's per-field machinery cost more than the query.
class RiverSerializer(RowsMixin, serializers.ModelSerializer):
    """A registry row."""

    region_name = serializers.CharField(source="region.name", read_only=True)

    # The list's columns: what row() shows, and what a cursor may be ordered by.
    ROW = (
        "pk",
        "code",
        "name",
        "level",
        "water_type",
        "length_km",
        "region_id",
        "region__name",
        "target_class",
        "is_active",
        "updated_at",
    )

    class Meta:
        model = River
        fields = [
            "id",
            "code",
            "name",
            "level",
            "water_type",
            "length_km",
            "region",
            "region_name",
            "regions",
            "target_class",
            "is_active",
        ]

    def row(self, r) -> dict:
        # The crossings of the page's rivers, read in one query (RiverViewSet.paginate_queryset).
        crossings = self.context["crossing_ids"]
        return {
            "id": r.pk,
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "water_type": r.water_type,
            "length_km": None if r.length_km is None else f"{r.length_km:.2f}",
            "region": r.region_id,
            "region_name": r.region__name,
            "regions": crossings.get(r.pk, []),
            "target_class": r.target_class,
            "is_active": r.is_active,
        }


class RiverDetailSerializer(RiverSerializer):
    reaches = ReachSerializer(many=True, read_only=True)
    current_chiefs = CurrentChiefSerializer(source="current_assignments", many=True, read_only=True)

    class Meta(RiverSerializer.Meta):
        fields = [
            *RiverSerializer.Meta.fields,
            "geometry",
            "geometry_crs",
            "start_point",
            "end_point",
            "note",
            "reaches",
            "current_chiefs",
        ]


class ScopedRegionField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Region.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        return visible_regions(self.context["request"].user)


class ReachInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    position = serializers.IntegerField(min_value=1, required=False)
    start_point = serializers.CharField(max_length=100, required=False, allow_blank=True)
    end_point = serializers.CharField(max_length=100, required=False, allow_blank=True)
    length_km = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, allow_null=True
    )
    village = ScopedRegionField(required=False, allow_null=True)


class RiverInputSerializer(serializers.ModelSerializer):
    """What a client may send; the rules (scope, length, levels, reaches) are the services'."""

    region = ScopedRegionField()
    regions = ScopedRegionField(many=True, required=False)
    reaches = ReachInputSerializer(many=True, required=False)
    geometry = serializers.JSONField(required=False, allow_null=True)

    class Meta:
        model = River
        fields = [
            "code",
            "name",
            "level",
            "water_type",
            "length_km",
            "region",
            "regions",
            "target_class",
            "geometry",
            "geometry_crs",
            "start_point",
            "end_point",
            "note",
            "is_active",
            "reaches",
        ]
        # Uniqueness is the service's check, with its own message.
        extra_kwargs = {"code": {"validators": []}}


class WaterBodySerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)

    class Meta:
        model = WaterBody
        fields = ["id", "code", "name", "kind", "village", "village_name", "area_m2", "note"]


class SluiceGateSerializer(serializers.ModelSerializer):
    river_name = serializers.CharField(source="river.name", default=None, read_only=True)

    class Meta:
        model = SluiceGate
        fields = [
            "id",
            "code",
            "name",
            "river",
            "river_name",
            "region",
            "latitude",
            "longitude",
            "width_m",
            "note",
        ]


class ChiefSerializer(RowsMixin, serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    phone = serializers.CharField(source="user.phone", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    ROW = (
        "pk",
        *name_columns("user"),
        "user__phone",
        "level",
        "title",
        "position",
        "region_id",
        "region__name",
        "region__code",  # the default order: level, region code, surname
        "superior_id",
        "is_active",
    )

    class Meta:
        model = Chief
        fields = [
            "id",
            "name",
            "username",
            "phone",
            "level",
            "title",
            "position",
            "region",
            "region_name",
            "superior",
            "is_active",
        ]

    def row(self, r) -> dict:
        return {
            "id": r.pk,
            "name": display_name(r.user__last_name, r.user__first_name, r.user__username),
            "username": r.user__username,
            "phone": r.user__phone,
            "level": r.level,
            "title": r.title,
            "position": r.position,
            "region": r.region_id,
            "region_name": r.region__name,
            "superior": r.superior_id,
            "is_active": r.is_active,
        }


_CHIEF_NAME = by_id_select(Chief, user_of="user")
_RIVER_NAME = by_id_select(River, "name")
_REACH_NAME = by_id_select(Reach, "name")


class AssignmentSerializer(RowsMixin, serializers.ModelSerializer):
    chief_name = serializers.CharField(source="chief.user.display_name", read_only=True)
    river_name = serializers.CharField(source="river.name", read_only=True)
    reach_name = serializers.CharField(
        source="reach.name", default=None, read_only=True, allow_null=True
    )

    # With the fields a list may be ordered by (river, level, dates) and synced by (updated_at).
    # The chief's, river's and reach's names are read for the page by id (``page``), not
    # joined: the three joins cost PostgreSQL 2 ms of planning a request for a 0.3 ms query.
    ROW = (
        "pk",
        "chief_id",
        "river_id",
        "reach_id",
        "level",
        "duty",
        "start_date",
        "end_date",
        "note",
        "updated_at",
    )

    class Meta:
        model = ChiefAssignment
        fields = [
            "id",
            "chief",
            "chief_name",
            "river",
            "river_name",
            "reach",
            "reach_name",
            "level",
            "duty",
            "start_date",
            "end_date",
            "note",
        ]
        list_serializer_class = RowsListSerializer

    @staticmethod
    def names(rows) -> dict[str, dict]:
        """The chiefs', rivers' and reaches' names a page of plain rows shows, in one query."""
        return read_by_ids(
            router.db_for_read(ChiefAssignment),
            chief=(_CHIEF_NAME, [r.chief_id for r in rows]),
            river=(_RIVER_NAME, [r.river_id for r in rows]),
            reach=(_REACH_NAME, [r.reach_id for r in rows]),
        )

    def page(self, rows: list) -> list[dict]:
        names = self.names(rows)
        return [self.row(r, names) for r in rows]

    def row(self, r, names=None) -> dict:
        if names is None:
            names = self.names([r])
        return {
            "id": r.pk,
            "chief": r.chief_id,
            "chief_name": display_name(*names["chief"][r.chief_id]),
            "river": r.river_id,
            "river_name": names["river"][r.river_id][0],
            "reach": r.reach_id,
            "reach_name": None if r.reach_id is None else names["reach"][r.reach_id][0],
            "level": r.level,
            "duty": r.duty,
            "start_date": day(r.start_date),
            "end_date": day(r.end_date),
            "note": r.note,
        }


class ScopedChiefField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Chief.objects.visible_to(_user(self.parent)).select_related("user")


class ScopedRiverField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return River.objects.visible_to(_user(self.parent))


class AssignmentInputSerializer(serializers.Serializer):
    chief = ScopedChiefField(queryset=Chief.objects.none())
    river = ScopedRiverField(queryset=River.objects.none())
    reach = serializers.PrimaryKeyRelatedField(
        queryset=Reach.objects.all(), required=False, allow_null=True
    )
    level = serializers.ChoiceField(choices=ChiefLevel.choices)
    duty = serializers.ChoiceField(
        choices=ChiefAssignment.Duty.choices, default=ChiefAssignment.Duty.RESPONSIBLE
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EndAssignmentSerializer(serializers.Serializer):
    end_date = serializers.DateField()
