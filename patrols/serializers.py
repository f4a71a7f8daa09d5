"""API shapes: input serializers validate types; the services validate rules."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.rows import (
    RowsListSerializer,
    RowsMixin,
    display_name,
    moment,
    moment_writer,
    name_columns,
)
from patrols import authenticity
from patrols.links import order_from_finding_url
from patrols.models import Finding, FindingPhoto, Patrol, TrackPoint
from rivers.models import Chief, Reach, River


class _ScopedInput(serializers.Serializer):
    """Rivers, reaches and chiefs are looked up among those the user may see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return
        rivers = River.objects.visible_to(user)
        if "river" in self.fields:
            self.fields["river"].queryset = rivers
        if "reach" in self.fields:
            self.fields["reach"].queryset = Reach.objects.filter(river__in=rivers)
        if "chief" in self.fields:
            self.fields["chief"].queryset = Chief.objects.visible_to(user).select_related(
                "region", "user"
            )


class PointSerializer(serializers.Serializer):
    recorded_at = serializers.DateTimeField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    accuracy_m = serializers.FloatField(required=False, allow_null=True)


class PointsInput(serializers.Serializer):
    points = PointSerializer(many=True, allow_empty=True)


class PatrolInput(_ScopedInput):
    client_id = serializers.UUIDField(required=False)
    river = serializers.PrimaryKeyRelatedField(queryset=River.objects.none())
    reach = serializers.PrimaryKeyRelatedField(
        queryset=Reach.objects.none(), required=False, allow_null=True
    )
    chief = serializers.PrimaryKeyRelatedField(
        queryset=Chief.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("为哪位河长记录；河长本人记录时省略"),
    )
    started_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(
        required=False, help_text=_("填写则为事后补录的已完成巡河；省略则开始实时巡河")
    )
    walker_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    note = serializers.CharField(required=False, allow_blank=True)
    points = PointSerializer(many=True, required=False)


class GpxInput(_ScopedInput):
    client_id = serializers.UUIDField(required=False)
    river = serializers.PrimaryKeyRelatedField(queryset=River.objects.none())
    reach = serializers.PrimaryKeyRelatedField(
        queryset=Reach.objects.none(), required=False, allow_null=True
    )
    chief = serializers.PrimaryKeyRelatedField(
        queryset=Chief.objects.none(), required=False, allow_null=True
    )
    gpx = serializers.FileField()
    walker_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    note = serializers.CharField(required=False, allow_blank=True)


class FinishInput(serializers.Serializer):
    ended_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class ReviewInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Patrol.Review.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class FindingInput(_ScopedInput):
    client_id = serializers.UUIDField(required=False)
    patrol = serializers.PrimaryKeyRelatedField(
        queryset=Patrol.objects.none(), required=False, allow_null=True
    )
    river = serializers.PrimaryKeyRelatedField(queryset=River.objects.none(), required=False)
    reach = serializers.PrimaryKeyRelatedField(
        queryset=Reach.objects.none(), required=False, allow_null=True
    )
    category = serializers.ChoiceField(choices=Finding.Category.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    found_at = serializers.DateTimeField(required=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["patrol"].queryset = Patrol.objects.visible_to(request.user)

    def validate(self, attrs):
        patrol = attrs.get("patrol")
        if attrs.get("river") is None:
            if patrol is None:
                raise serializers.ValidationError({"river": [_("请选择河道")]})
            attrs["river"] = patrol.river
            attrs.setdefault("reach", patrol.reach)
        return attrs


class PhotoInput(serializers.Serializer):
    client_id = serializers.UUIDField(required=False)
    photo = serializers.FileField()


class DismissInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class TrackPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackPoint
        fields = ["recorded_at", "latitude", "longitude", "accuracy_m"]


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = FindingPhoto
        fields = [
            "id",
            "client_id",
            "image",
            "width",
            "height",
            "taken_at",
            "latitude",
            "longitude",
        ]


class FindingSerializer(RowsMixin, serializers.ModelSerializer):
    photos = PhotoSerializer(many=True, read_only=True)
    river_name = serializers.CharField(source="river.name", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    order_url = serializers.SerializerMethodField(help_text=_("转为督办单的页面（如有）"))

    # With the fields a list may be ordered by (found_at) and synced by (updated_at).
    ROW = (
        "pk",
        "client_id",
        "patrol_id",
        "river_id",
        "river__name",
        "reach_id",
        "category",
        "note",
        "latitude",
        "longitude",
        "found_at",
        "status",
        "updated_at",
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "client_id",
            "patrol",
            "river",
            "river_name",
            "reach",
            "category",
            "category_display",
            "note",
            "latitude",
            "longitude",
            "found_at",
            "status",
            "status_display",
            "photos",
            "order_url",
        ]

    def get_order_url(self, obj) -> str | None:
        return order_from_finding_url(obj.pk)

    def row(self, f) -> dict:
        # The page's photos, serialised in one go (FindingViewSet.paginate_queryset).
        return {
            "id": f.pk,
            "client_id": str(f.client_id),
            "patrol": f.patrol_id,
            "river": f.river_id,
            "river_name": f.river__name,
            "reach": f.reach_id,
            "category": f.category,
            "category_display": str(_CATEGORIES.get(f.category, f.category)),
            "note": f.note,
            "latitude": f.latitude,
            "longitude": f.longitude,
            "found_at": moment(f.found_at),
            "status": f.status,
            "status_display": str(_STATUSES.get(f.status, f.status)),
            "photos": self.context["photos"].get(f.pk, []),
            "order_url": order_from_finding_url(f.pk),
        }


# The labels get_FOO_display gives (translated when turned into text).
_CATEGORIES = dict(Finding.Category.choices)
_STATUSES = dict(Finding.Status.choices)


class PatrolSerializer(RowsMixin, serializers.ModelSerializer):
    chief_name = serializers.CharField(source="chief.user.display_name", read_only=True)
    river_name = serializers.CharField(source="river.name", read_only=True)
    duration_minutes = serializers.IntegerField(read_only=True)
    flag_labels = serializers.SerializerMethodField()
    counts = serializers.BooleanField(read_only=True)

    # With the fields a list may be ordered by (started_at, distance_m) and synced by.
    ROW = (
        "pk",
        "client_id",
        "chief_id",
        *name_columns("chief__user"),
        "level",
        "region_id",
        "river_id",
        "river__name",
        "reach_id",
        "walker_name",
        "source",
        "status",
        "started_at",
        "ended_at",
        "distance_m",
        "point_count",
        "flags",
        "review",
        "review_note",
        "note",
        "updated_at",
    )

    class Meta:
        model = Patrol
        list_serializer_class = RowsListSerializer
        fields = [
            "id",
            "client_id",
            "chief",
            "chief_name",
            "level",
            "region",
            "river",
            "river_name",
            "reach",
            "walker_name",
            "source",
            "status",
            "started_at",
            "ended_at",
            "duration_minutes",
            "distance_m",
            "point_count",
            "flags",
            "flag_labels",
            "review",
            "review_note",
            "counts",
            "note",
        ]

    def get_flag_labels(self, obj) -> list[str]:
        return flag_labels(obj.flags)

    def page(self, rows: list) -> list[dict]:
        # The time zone looked up once for the page, not twice a row.
        moment = moment_writer()
        return [self.row(p, moment) for p in rows]

    def row(self, p, moment=moment) -> dict:
        return {
            "id": p.pk,
            "client_id": str(p.client_id),
            "chief": p.chief_id,
            "chief_name": display_name(
                p.chief__user__last_name, p.chief__user__first_name, p.chief__user__username
            ),
            "level": p.level,
            "region": p.region_id,
            "river": p.river_id,
            "river_name": p.river__name,
            "reach": p.reach_id,
            "walker_name": p.walker_name,
            "source": p.source,
            "status": p.status,
            "started_at": moment(p.started_at),
            "ended_at": moment(p.ended_at),
            "duration_minutes": Patrol.minutes_between(p.started_at, p.ended_at),
            "distance_m": p.distance_m,
            "point_count": p.point_count,
            "flags": p.flags,
            "flag_labels": flag_labels(p.flags),
            "review": p.review,
            "review_note": p.review_note,
            "counts": Patrol.counts_with(p.status, p.review),
            "note": p.note,
        }


def flag_labels(flags: list[str]) -> list[str]:
    return [str(authenticity.LABELS[f]) for f in flags if f in authenticity.LABELS]


class PatrolDetailSerializer(PatrolSerializer):
    findings = FindingSerializer(many=True, read_only=True)

    class Meta(PatrolSerializer.Meta):
        fields = [*PatrolSerializer.Meta.fields, "findings"]
