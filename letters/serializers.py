from rest_framework import serializers

from letters.models import Letter, LetterBatch
from letters.selectors import delivery_state


class BatchSerializer(serializers.ModelSerializer):
    town_code = serializers.CharField(source="town.code", read_only=True)
    letters = serializers.IntegerField(source="n_letters", read_only=True)
    sent = serializers.IntegerField(source="n_sent", read_only=True)
    read = serializers.IntegerField(source="n_read", read_only=True)
    failed = serializers.IntegerField(source="n_failed", read_only=True)

    class Meta:
        model = LetterBatch
        fields = [
            "id",
            "town",
            "town_code",
            "month",
            "year",
            "number",
            "status",
            "created_at",
            "queued_at",
            "completed_at",
            "letters",
            "sent",
            "read",
            "failed",
        ]


class BatchCreateSerializer(serializers.Serializer):
    town = serializers.IntegerField(required=False)
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")


class LetterSerializer(serializers.ModelSerializer):
    chief_name = serializers.CharField(source="recipient.display_name", read_only=True)
    month = serializers.DateField(source="batch.month", read_only=True)
    deliveries = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id",
            "batch",
            "month",
            "chief",
            "chief_name",
            "status",
            "subject",
            "body",
            "figures",
            "attempts",
            "last_error",
            "sent_at",
            "read_at",
            "deliveries",
        ]

    def get_deliveries(self, obj) -> dict[str, str]:
        return delivery_state(obj)
