from rest_framework import serializers

from smartwater.models import Parameter, Site


class SiteSerializer(serializers.ModelSerializer):
    river_code = serializers.CharField(source="river.code", read_only=True, default=None)
    gate_code = serializers.CharField(source="gate.code", read_only=True, default=None)

    class Meta:
        model = Site
        fields = [
            "id",
            "code",
            "name",
            "town",
            "river",
            "river_code",
            "gate",
            "gate_code",
            "status",
            "latitude",
            "longitude",
            "parameters",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SiteWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=100)
    river = serializers.IntegerField(required=False, allow_null=True)
    gate = serializers.IntegerField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Site.Status.choices, default=Site.Status.PROPOSED)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    parameters = serializers.ListField(
        child=serializers.ChoiceField(choices=Parameter.choices), required=False, default=list
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class SiteUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Site.Status.choices, required=False)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    parameters = serializers.ListField(
        child=serializers.ChoiceField(choices=Parameter.choices), required=False
    )
    notes = serializers.CharField(required=False, allow_blank=True)
