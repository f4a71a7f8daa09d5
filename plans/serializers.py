from rest_framework import serializers

from plans.models import Measure, Plan, PlanTarget, Programme, ResponsibilityLetter


class ProgrammeSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "name", "region", "region_code", "start_date", "end_date", "goal"]


class ResponsibilityLetterSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = ResponsibilityLetter
        fields = ["id", "programme", "region", "region_name", "signed_on", "party_a", "party_b"]


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanTarget
        fields = ["year", "water_class", "black_odour_eliminated", "note"]


class MeasureSerializer(serializers.ModelSerializer):
    is_overdue = serializers.SerializerMethodField()
    owner_chief_name = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "plan",
            "title",
            "description",
            "owner_unit",
            "owner_chief",
            "owner_chief_name",
            "deadline",
            "status",
            "progress",
            "note",
            "updated_at",
            "is_overdue",
        ]

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue()

    def get_owner_chief_name(self, obj) -> str:
        return str(obj.owner_chief.user) if obj.owner_chief_id else ""


class PlanSerializer(serializers.ModelSerializer):
    river_code = serializers.CharField(source="river.code", read_only=True, default=None)
    targets = TargetSerializer(many=True, read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "programme",
            "river",
            "river_code",
            "region",
            "title",
            "problems",
            "batch",
            "targets",
            "measures",
        ]


class MeasureCreateSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner_unit = serializers.CharField(max_length=100)
    owner_chief = serializers.IntegerField(required=False, allow_null=True, default=None)
    deadline = serializers.DateField()


class ProgressSerializer(serializers.Serializer):
    progress = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=Measure.Status.choices, required=False)
