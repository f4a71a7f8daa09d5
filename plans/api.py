from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.routers import router
from core.rows import rows
from plans import selectors, services
from plans.models import Measure, Plan
from plans.serializers import (
    MeasureCreateSerializer,
    MeasureSerializer,
    PlanSerializer,
    ProgrammeSerializer,
    ProgressSerializer,
    ResponsibilityLetterSerializer,
    measure_row,
    target_rows,
)
from rivers.models import Chief


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgrammeSerializer

    def get_queryset(self):
        return selectors.programmes_for(user=self.request.user).order_by("id")


class ResponsibilityLetterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ResponsibilityLetterSerializer
    filterset_fields = ["programme"]

    def get_queryset(self):
        return selectors.responsibility_letters_for(user=self.request.user).order_by("id")


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanSerializer
    filterset_fields = ["programme", "river", "region"]

    def get_queryset(self):
        plans = Plan.objects.visible_to(self.request.user).order_by("id")
        if self.action == "list":
            # Plain rows of the columns a list row shows (core.rows).
            return rows(plans, PlanSerializer)
        return plans.select_related("river").prefetch_related(
            "targets", "measures__owner_chief__user"
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            ids = [plan.pk for plan in page]
            self.targets = target_rows(plan_ids=ids)
            self.measures = {}
            for m in rows(Measure.objects.filter(plan__in=ids), MeasureSerializer):
                self.measures.setdefault(m.plan_id, []).append(measure_row(m))
        return page

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "targets": getattr(self, "targets", {}),
            "measures": getattr(self, "measures", {}),
        }


class MeasureViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MeasureSerializer
    filterset_fields = ["plan", "status", "owner_chief"]

    def get_queryset(self):
        measures = selectors.measures_for(user=self.request.user).order_by("id")
        if self.action == "list":
            # Plain rows of the columns a list row shows (core.rows).
            return rows(measures, MeasureSerializer)
        return measures

    @extend_schema(request=MeasureCreateSerializer, responses=MeasureSerializer)
    def create(self, request, *args, **kwargs):
        data = MeasureCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = get_object_or_404(
            Plan.objects.visible_to(request.user), pk=data.validated_data["plan"]
        )
        chief = None
        if data.validated_data["owner_chief"]:
            chief = (
                Chief.objects.visible_to(request.user)
                .filter(pk=data.validated_data["owner_chief"])
                .first()
            )
            if chief is None:
                raise ValidationError({"owner_chief": _("河长不存在或不在您的管辖范围内")})
        measure = services.add_measure(
            plan=plan,
            title=data.validated_data["title"],
            description=data.validated_data["description"],
            owner_unit=data.validated_data["owner_unit"],
            owner_chief=chief,
            deadline=data.validated_data["deadline"],
            by=request.user,
        )
        return Response(MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProgressSerializer, responses=MeasureSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """Report progress (0–100) with a note; going backwards needs a note."""
        measure: Measure = self.get_object()
        data = ProgressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        measure = services.update_progress(measure=measure, by=request.user, **data.validated_data)
        return Response(MeasureSerializer(measure).data)


router.register("programmes", ProgrammeViewSet, basename="programme")
router.register(
    "responsibility-letters", ResponsibilityLetterViewSet, basename="responsibility-letter"
)
router.register("plans", PlanViewSet, basename="plan")
router.register("measures", MeasureViewSet, basename="measure")
