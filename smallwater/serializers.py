from rest_framework import serializers

from plans.models import Measure
from rivers.models import WaterBody
from smallwater.models import Classification


class PolicyMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["id", "title", "owner_unit", "deadline", "status", "progress"]


class SmallWaterBodySerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    responsible = serializers.SerializerMethodField()
    classification = serializers.SerializerMethodField()
    inspected_on = serializers.SerializerMethodField()
    policy = serializers.SerializerMethodField()

    class Meta:
        model = WaterBody
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "village",
            "village_name",
            "area_m2",
            "responsible",
            "classification",
            "inspected_on",
            "policy",
        ]

    def _care(self, obj):
        return getattr(obj, "care", None)

    def get_responsible(self, obj) -> str | None:
        care = self._care(obj)
        return care.responsible.user.display_name if care and care.responsible else None

    def get_classification(self, obj) -> str:
        care = self._care(obj)
        return care.classification if care else ""

    def get_inspected_on(self, obj) -> str | None:
        care = self._care(obj)
        return care.inspected_on.isoformat() if care and care.inspected_on else None

    def get_policy(self, obj) -> dict | None:
        policy = getattr(obj, "policy", None)
        if policy is None:
            return None
        return {
            "summary": policy.summary,
            "prepared_on": policy.prepared_on.isoformat(),
            "plan": policy.plan_id,
            "measures": PolicyMeasureSerializer(policy.measures.all(), many=True).data,
        }


class InspectionSerializer(serializers.Serializer):
    classification = serializers.ChoiceField(choices=Classification.choices)
    inspected_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
