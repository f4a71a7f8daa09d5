from rest_framework import serializers

from core.rows import RowsMixin, day, display_name, moment, name_columns
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


class LetterSerializer(RowsMixin, serializers.ModelSerializer):
    chief_name = serializers.CharField(source="recipient.display_name", read_only=True)
    month = serializers.DateField(source="batch.month", read_only=True)
    deliveries = serializers.SerializerMethodField()

    # A list's columns (core.rows); the page's deliveries come in one query (LetterViewSet).
    ROW = (
        "pk",
        "batch_id",
        "batch__month",
        "chief_id",
        *name_columns("recipient"),
        "status",
        "subject",
        "body",
        "figures",
        "attempts",
        "last_error",
        "sent_at",
        "read_at",
        "notification_id",
    )

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

    def row(self, r) -> dict:
        return {
            "id": r.pk,
            "batch": r.batch_id,
            "month": day(r.batch__month),
            "chief": r.chief_id,
            "chief_name": display_name(
                r.recipient__last_name, r.recipient__first_name, r.recipient__username
            ),
            "status": r.status,
            "subject": r.subject,
            "body": r.body,
            "figures": r.figures,
            "attempts": r.attempts,
            "last_error": r.last_error,
            "sent_at": moment(r.sent_at),
            "read_at": moment(r.read_at),
            "deliveries": self.context["deliveries"].get(r.notification_id, {}),
        }
