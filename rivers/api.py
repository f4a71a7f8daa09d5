"""The registry API: thin views over the selectors (reads) and the services (writes)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.routers import router
from core.rows import rows
from rivers import selectors, services
from rivers.filters import (
    AssignmentFilter,
    ChiefFilter,
    RiverFilter,
    SluiceGateFilter,
    WaterBodyFilter,
)
from rivers.models import Chief, ChiefAssignment, Reach, SluiceGate, WaterBody
from rivers.serializers import (
    AssignmentInputSerializer,
    AssignmentSerializer,
    ChiefSerializer,
    EndAssignmentSerializer,
    RiverDetailSerializer,
    RiverInputSerializer,
    RiverSerializer,
    SluiceGateSerializer,
    WaterBodySerializer,
)


class RiverViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Rivers the caller may see; reaches and today's chiefs in the detail."""

    filterset_class = RiverFilter
    ordering_fields = ["code", "name", "length_km"]
    search_fields = []  # `q` is the FilterSet's search, shared with the page
    modified_field = "updated_at"

    def get_queryset(self):
        rivers = selectors.visible_rivers(self.request.user)
        if self.action == "list":
            # Plain rows of the columns a list row shows (core.rows); the crossing ids of a
            # page are read in one query (paginate_queryset).
            return rows(rivers, RiverSerializer)
        rivers = rivers.prefetch_related("regions")
        if self.action == "retrieve":
            rivers = rivers.prefetch_related(
                Prefetch("reaches", queryset=Reach.objects.select_related("village"))
            ).with_current_chiefs()
        return rivers

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.crossing_ids = selectors.crossing_ids([river.pk for river in page])
        return page

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "crossing_ids": getattr(self, "crossing_ids", {}),
        }

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return RiverInputSerializer
        return RiverDetailSerializer if self.action == "retrieve" else RiverSerializer

    @extend_schema(request=RiverInputSerializer, responses={201: RiverDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = RiverInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        river = services.create_river(by=request.user, **serializer.validated_data)
        return Response(self._detail(river), status=status.HTTP_201_CREATED)

    @extend_schema(request=RiverInputSerializer, responses=RiverDetailSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        river = self.get_object()
        serializer = RiverInputSerializer(
            river, data=request.data, partial=partial, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        river = services.update_river(by=request.user, river=river, **serializer.validated_data)
        return Response(self._detail(river))

    @extend_schema(request=RiverInputSerializer, responses=RiverDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _detail(self, river):
        self.action = "retrieve"
        river = self.get_queryset().get(pk=river.pk)
        return RiverDetailSerializer(river, context=self.get_serializer_context()).data


class WaterBodyViewSet(viewsets.ReadOnlyModelViewSet):
    """Small and micro water bodies (小微水体) of the caller's villages."""

    serializer_class = WaterBodySerializer
    filterset_class = WaterBodyFilter
    search_fields = []

    def get_queryset(self):
        return WaterBody.objects.visible_to(self.request.user).select_related("village")


class SluiceGateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SluiceGateSerializer
    filterset_class = SluiceGateFilter
    search_fields = []

    def get_queryset(self):
        return SluiceGate.objects.visible_to(self.request.user).select_related("river")


class ChiefViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ChiefSerializer
    filterset_class = ChiefFilter
    search_fields = []

    def get_queryset(self):
        chiefs = Chief.objects.visible_to(self.request.user)
        if self.action == "list":
            return rows(chiefs, ChiefSerializer)
        return chiefs.select_related("user", "region")


class AssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Chief assignments with their history; create hands over, `end` ends one."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    search_fields = []
    ordering_fields = ["start_date", "end_date"]
    modified_field = "updated_at"

    def get_queryset(self):
        # By river (its id: the index assignment_api_order serves it, where the river's code
        # would need a join before sorting), level, newest first.
        assignments = ChiefAssignment.objects.visible_to(self.request.user).order_by(
            "river_id", "level", "-start_date", "-id"
        )
        if self.action == "list":
            return rows(assignments, AssignmentSerializer)
        return assignments.select_related("chief__user", "river", "reach").defer("river__geometry")

    @extend_schema(request=AssignmentInputSerializer, responses={201: AssignmentSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AssignmentInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        assignment = services.assign_chief(by=request.user, **serializer.validated_data)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndAssignmentSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        serializer = EndAssignmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.end_assignment(
            assignment=self.get_object(), by=request.user, **serializer.validated_data
        )
        return Response(AssignmentSerializer(assignment).data)


router.register("rivers", RiverViewSet, basename="river")
router.register("water-bodies", WaterBodyViewSet, basename="water-body")
router.register("sluice-gates", SluiceGateViewSet, basename="sluice-gate")
router.register("chiefs", ChiefViewSet, basename="chief")
router.register("assignments", AssignmentViewSet, basename="assignment")
