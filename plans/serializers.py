from rest_framework import serializers

from core.rows import RowsMixin, day, display_name, moment, name_columns
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


def target_rows(*, plan_ids: list[int]) -> dict[int, list[dict]]:
    """The yearly targets of the given plans, by plan, as TargetSerializer gives them: one query."""
    found: dict[int, list[dict]] = {}
    if plan_ids:
        rows = PlanTarget.objects.filter(plan__in=plan_ids).order_by("plan", "year")
        for plan_id, year, water_class, eliminated, note in rows.values_list(
            "plan_id", "year", "water_class", "black_odour_eliminated", "note"
        ):
            found.setdefault(plan_id, []).append(
                {
                    "year": year,
                    "water_class": water_class,
                    "black_odour_eliminated": eliminated,
                    "note": note,
                }
            )
    return found


class MeasureSerializer(RowsMixin, serializers.ModelSerializer):
    is_overdue = serializers.SerializerMethodField()
    owner_chief_name = serializers.SerializerMethodField()

    # A list's columns (core.rows).
    ROW = (
        "pk",
        "plan_id",
        "title",
        "description",
        "owner_unit",
        "owner_chief_id",
        *name_columns("owner_chief__user"),
        "deadline",
        "status",
        "progress",
        "note",
        "updated_at",
    )

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

    def row(self, m) -> dict:
        return measure_row(m)


def measure_row(m) -> dict:
    """MeasureSerializer's output for a row of its ``ROW`` columns (also nested in a plan)."""
    return {
        "id": m.pk,
        "plan": m.plan_id,
        "title": m.title,
        "description": m.description,
        "owner_unit": m.owner_unit,
        "owner_chief": m.owner_chief_id,
        "owner_chief_name": (
            display_name(
                m.owner_chief__user__last_name,
                m.owner_chief__user__first_name,
                m.owner_chief__user__username,
            )
            if m.owner_chief_id
            else ""
        ),
        "deadline": day(m.deadline),
        "status": m.status,
        "progress": m.progress,
        "note": m.note,
        "updated_at": moment(m.updated_at),
        "is_overdue": Measure.overdue_with(m.status, m.deadline),
    }


class PlanSerializer(RowsMixin, serializers.ModelSerializer):
    river_code = serializers.CharField(source="river.code", read_only=True, default=None)
    targets = TargetSerializer(many=True, read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)

    # A list's columns (core.rows); the page's targets and measures come in two queries
    # (PlanViewSet.paginate_queryset).
    ROW = (
        "pk",
        "programme_id",
        "river_id",
        "river__code",
        "region_id",
        "title",
        "problems",
        "batch",
    )

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

    def row(self, p) -> dict:
        return {
            "id": p.pk,
            "programme": p.programme_id,
            "river": p.river_id,
            "river_code": p.river__code,
            "region": p.region_id,
            "title": p.title,
            "problems": p.problems,
            "batch": p.batch,
            "targets": self.context["targets"].get(p.pk, []),
            "measures": self.context["measures"].get(p.pk, []),
        }


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
