from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from monitoring import standards
from monitoring.labfile import SampleRow
from monitoring.models import MonitoringPoint, Sample

MAX_BULK = 10_000


class PointSerializer(serializers.ModelSerializer):
    river_code = serializers.CharField(source="river.code", default=None, read_only=True)
    river_name = serializers.CharField(source="river.name", default=None, read_only=True)
    sluice_gate_code = serializers.CharField(
        source="sluice_gate.code", default=None, read_only=True
    )
    region_code = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = MonitoringPoint
        fields = [
            "id",
            "code",
            "name",
            "river",
            "river_code",
            "river_name",
            "sluice_gate_code",
            "region_code",
            "position",
            "latitude",
            "longitude",
            "responsible",
            "is_active",
        ]


def item_json(item: standards.ItemResult) -> dict:
    return {
        "parameter": item.code,
        "name": item.name,
        "value": item.value,
        "water_class": item.water_class,
        "exceedance_multiple": item.multiple,
        "do_shortfall": item.shortfall,
    }


class SampleSerializer(serializers.ModelSerializer):
    """A sample with its values (canonical units), class and black-odour level."""

    point = serializers.CharField(source="point.code")
    values = serializers.SerializerMethodField()
    assessment = serializers.SerializerMethodField()
    black_odour = serializers.SerializerMethodField()

    class Meta:
        model = Sample
        fields = [
            "id",
            "client_key",
            "point",
            "sampled_at",
            "sampler",
            "lab",
            "sampling_depth_m",
            "water_depth_cm",
            "source",
            "values",
            "assessment",
            "black_odour",
        ]

    def get_values(self, obj) -> dict:
        return obj.values()

    def get_assessment(self, obj) -> dict:
        river = obj.point.river
        a = obj.assessment(
            water_type=river.water_type if river else "river",
            target_class=river.target_class if river else None,
        )
        return {
            "water_class": a.water_class,
            "label": a.label,
            "target_class": a.target_class,
            "meets_target": a.meets_target,
            "assessed": a.assessed_codes,
            "deciding": [item_json(i) for i in a.deciding],
            "exceedances": [item_json(i) for i in a.exceedances],
        }

    def get_black_odour(self, obj) -> str | None:
        level = obj.odour()
        return None if level is None else level.name.lower()


class SampleInSerializer(serializers.Serializer):
    client_key = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True
    )
    point = serializers.CharField(max_length=30, help_text="monitoring point code")
    sampled_at = serializers.DateTimeField()
    sampler = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    lab = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    sampling_depth_m = serializers.FloatField(required=False, allow_null=True)
    water_depth_cm = serializers.FloatField(required=False, allow_null=True)
    values = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="parameter code -> value in the canonical unit (see /monitoring/parameters/)",
    )

    def validate_values(self, values):
        unknown = sorted(set(values) - set(standards.PARAMETERS))
        if unknown:
            raise serializers.ValidationError(
                _("未知的监测项目：%(codes)s") % {"codes": ", ".join(unknown)}
            )
        return {k: v for k, v in values.items() if v is not None}


class BulkSamplesInSerializer(serializers.Serializer):
    samples = SampleInSerializer(many=True, allow_empty=False, max_length=MAX_BULK)

    def rows(self) -> list[SampleRow]:
        return [
            SampleRow(
                row=i,
                point=item["point"],
                sampled_at=timezone.localtime(item["sampled_at"]),
                sampler=item.get("sampler", ""),
                lab=item.get("lab", ""),
                sampling_depth_m=item.get("sampling_depth_m"),
                water_depth_cm=item.get("water_depth_cm"),
                client_key=item.get("client_key") or None,
                values=item["values"],
            )
            for i, item in enumerate(self.validated_data["samples"])
        ]


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


class ParameterSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    sense = serializers.CharField(allow_null=True)
    limits = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    lake_limits = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    assessed = serializers.BooleanField()


def status_json(row) -> dict:
    s = row.status
    return {
        "river": row.river.id,
        "code": row.river.code,
        "name": row.river.name,
        "water_type": row.river.water_type,
        "villages": [v.code for v in row.villages],
        "water_class": s.water_class,
        "label": s.class_label if s.water_class else None,
        "quality": None if s.quality is None else s.quality.name.lower(),
        "target_class": s.target_class,
        "meets_target": s.meets_target,
        "black_odour": None if s.black_odour is None else s.black_odour.name.lower(),
        "deciding": [item_json(i) for i in s.deciding],
        "trend": s.trend,
        "previous_class": s.previous_class,
        "method": s.method,
        "points": s.point_count,
        "samples": s.sample_count,
    }


class ItemSerializer(serializers.Serializer):
    parameter = serializers.CharField()
    name = serializers.CharField()
    value = serializers.FloatField()
    water_class = serializers.IntegerField()
    exceedance_multiple = serializers.FloatField(allow_null=True)
    do_shortfall = serializers.FloatField(allow_null=True)


class RiverStatusSerializer(serializers.Serializer):
    """Documents ``status_json``: one river's status for the period."""

    river = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    water_type = serializers.CharField()
    villages = serializers.ListField(child=serializers.CharField())
    water_class = serializers.IntegerField(allow_null=True, help_text="1..5, 6 = worse than V")
    label = serializers.CharField(allow_null=True)
    quality = serializers.CharField(allow_null=True)
    target_class = serializers.IntegerField()
    meets_target = serializers.BooleanField(allow_null=True)
    black_odour = serializers.ChoiceField(["none", "light", "severe"], allow_null=True)
    deciding = ItemSerializer(many=True)
    trend = serializers.ChoiceField(["better", "worse", "same"], allow_null=True)
    previous_class = serializers.IntegerField(allow_null=True)
    method = serializers.ChoiceField(["single", "mean", "share"], allow_null=True)
    points = serializers.IntegerField()
    samples = serializers.IntegerField()


class RiverStatusListSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    rivers = RiverStatusSerializer(many=True)
