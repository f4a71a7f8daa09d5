"""/api/v1/directives/, /api/v1/work-orders/, /api/v1/inspection-rounds/: thin callers of
the same services and selectors as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.routers import router
from core.rows import rows
from core.scoping import scope_code
from directives import selectors, services
from directives.filters import WorkOrderFilter
from directives.models import ExtensionRequest
from directives.serializers import (
    DirectiveCreateSerializer,
    DirectiveSerializer,
    EventSerializer,
    ExtensionDecisionSerializer,
    ExtensionInputSerializer,
    InspectionRoundSerializer,
    NoteSerializer,
    RectificationInputSerializer,
    ReturnSerializer,
    WorkOrderReplySerializer,
    WorkOrderSerializer,
)

FILTER_PARAMS = [
    OpenApiParameter("status", str),
    OpenApiParameter("source", str),
    OpenApiParameter("village", int),
    OpenApiParameter("year", int),
    OpenApiParameter("river", int),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("q", str),
    OpenApiParameter(
        "modified_since", str, description="ISO 8601; rows changed at or after, oldest first"
    ),
]


# The parameters of an unfiltered list (the page, its size, the cursor, the format).
UNFILTERED = {"page", "page_size", "cursor", "format"}
# Unfiltered order lists' querysets by caller: at most this many a process, all dropped
# when full.
DIRECTIVE_LISTS_KEPT = 500
_directive_lists: dict[tuple, object] = {}


class DirectiveViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Supervision orders in the caller's scope; transitions are POST actions."""

    serializer_class = DirectiveSerializer
    filter_backends = []  # filtering lives in selectors.directives_for, shared with the board
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    modified_field = "modified_at"

    def get_queryset(self):
        params = self.request.query_params
        if self.action != "list" or not set(params) <= UNFILTERED:
            return self._directives()
        # An unfiltered list's queryset depends on its caller alone (``visible_to``: the
        # user's scope, role and region; a village chief's own id): built once per process
        # for each, a copy handed out per request. Resolving the row's 30 columns and five
        # joins was two fifths of the request's Python. Filters (some read today's date)
        # are applied per request as before.
        user = self.request.user
        code = scope_code(user)
        region = user.region if code else None
        key = (user.pk, user.role, user.is_superuser, code, region and region.kind, bool(params))
        found = _directive_lists.get(key)
        if found is None:
            if len(_directive_lists) >= DIRECTIVE_LISTS_KEPT:
                _directive_lists.clear()
            found = _directive_lists[key] = self._directives()
        return found.all()

    def _directives(self):
        qs = selectors.directives_for(
            user=self.request.user, filters=self.request.query_params, strict=True
        )
        qs = qs.defer("river__geometry")
        if self.action == "list":
            # A list row names the river, target and issuer; the town and reach are only ids.
            qs = qs.select_related(None).select_related(
                "river", "target_village", "target_chief__user", "issued_by"
            )
        if "modified_since" in self.request.query_params:
            qs = qs.order_by("modified_at", "id")
        else:
            qs = qs.order_by("-year", "-serial", "-id")
        if self.action == "list":
            # Plain rows (core.rows): a page of 50 orders built five models a row (the order,
            # its river, village, chief's user and issuer), more time than its SQL.
            return rows(qs, DirectiveSerializer)
        return qs

    @extend_schema(parameters=FILTER_PARAMS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=DirectiveCreateSerializer, responses=DirectiveSerializer)
    def create(self, request, *args, **kwargs):
        data = DirectiveCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        directive = services.issue_directive(issued_by=request.user, **data.validated_data)
        return Response(DirectiveSerializer(directive).data, status=status.HTTP_201_CREATED)

    def _act(self, request, serializer_class, fn, **extra):
        directive = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        fn(directive=directive, by=request.user, **data.validated_data, **extra)
        return Response(DirectiveSerializer(self.get_queryset().get(pk=directive.pk)).data)

    @extend_schema(request=NoteSerializer, responses=DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(request, NoteSerializer, services.accept_directive)

    @extend_schema(request=RectificationInputSerializer, responses=DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, RectificationInputSerializer, services.submit_rectification)

    @extend_schema(request=ReturnSerializer, responses=DirectiveSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(request, ReturnSerializer, services.return_directive)

    @extend_schema(request=NoteSerializer, responses=DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, NoteSerializer, services.close_directive)

    @extend_schema(request=ExtensionInputSerializer, responses=DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def extension(self, request, pk=None):
        return self._act(request, ExtensionInputSerializer, services.request_extension)

    @extend_schema(request=ExtensionDecisionSerializer, responses=DirectiveSerializer)
    @action(detail=True, methods=["post"], url_path="extension-decision")
    def extension_decision(self, request, pk=None):
        directive = self.get_object()
        data = ExtensionDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        extension = get_object_or_404(
            directive.extensions.all(), decision=ExtensionRequest.Decision.PENDING
        )
        services.decide_extension(extension=extension, by=request.user, **data.validated_data)
        return Response(DirectiveSerializer(self.get_queryset().get(pk=directive.pk)).data)

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole history
    def timeline(self, request, pk=None):
        directive = self.get_object()
        events = selectors.timeline_for(directive=directive)
        return Response(EventSerializer(events, many=True).data)


class WorkOrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Work orders of inspection groups; district systems create them with a write token."""

    serializer_class = WorkOrderSerializer
    filterset_class = WorkOrderFilter
    search_fields = ["number", "content"]
    ordering_fields = ["modified_at", "reply_deadline", "id"]
    modified_field = "modified_at"

    def get_queryset(self):
        qs = selectors.work_orders_for(user=self.request.user)
        if "modified_since" in self.request.query_params:
            return qs.order_by("modified_at", "id")
        return qs.order_by("-issued_on", "number")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_work_order(
            by=self.request.user,
            inspection_round=data["inspection_round"],
            number=data["number"],
            content=data["content"],
            issued_on=data["issued_on"],
            reply_deadline=data["reply_deadline"],
            river=data.get("river"),
        )

    @extend_schema(request=WorkOrderReplySerializer, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        work_order = self.get_object()
        data = WorkOrderReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reply_to_work_order(
            work_order=work_order, by=request.user, text=data.validated_data["text"]
        )
        return Response(WorkOrderSerializer(self.get_queryset().get(pk=work_order.pk)).data)


class InspectionRoundViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InspectionRoundSerializer
    search_fields = ["name", "group"]
    ordering_fields = ["start_date", "modified_at"]

    def get_queryset(self):
        return selectors.inspection_rounds_for(user=self.request.user).order_by(
            "-start_date", "-id"
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        inspection = services.create_inspection_round(
            by=self.request.user,
            town=data["town"],
            name=data["name"],
            group=data["group"],
            topic=data.get("topic", ""),
            start_date=data["start_date"],
            end_date=data["end_date"],
            rivers=list(data["rivers"]),
            conclusion=data.get("conclusion", ""),
        )
        serializer.instance = self.get_queryset().get(pk=inspection.pk)


router.register("directives", DirectiveViewSet, basename="directive")
router.register("work-orders", WorkOrderViewSet, basename="work-order")
router.register("inspection-rounds", InspectionRoundViewSet, basename="inspection-round")
