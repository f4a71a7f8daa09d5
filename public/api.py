"""Open311 GeoReport v2 at /api/v1/open311/v2/ (JSON), and the office's report queue.

Open311 clients have no account: reads are open, a POST carries the ``api_key`` the office
issued to the client system. Errors use the spec's shape ``[{"code": 400, "description": …}]``.
"""

from datetime import UTC, timedelta

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from core.routers import router
from core.rows import RowsMixin, decimal_text, moment, rows
from public import open311, selectors, services
from public.models import Category, Report
from public.views import client_address

MAX_RESULTS = 1000
DEFAULT_WINDOW_DAYS = 90  # GeoReport v2: without a date range, the last 90 days

# GeoReport v2 answers errors as a list of {code, description}. drf-spectacular drops
# ``many`` from error answers, so the list is given as a raw schema.
Error = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}
Service = inline_serializer(
    "Open311Service",
    fields={
        "service_code": serializers.CharField(),
        "service_name": serializers.CharField(),
        "description": serializers.CharField(),
        "metadata": serializers.BooleanField(),
        "type": serializers.CharField(),
        "keywords": serializers.CharField(),
        "group": serializers.CharField(),
    },
    many=True,
)
Definition = inline_serializer(
    "Open311ServiceDefinition",
    fields={
        "service_code": serializers.CharField(),
        "attributes": serializers.ListField(child=serializers.DictField()),
    },
)
ServiceRequest = inline_serializer(
    "Open311ServiceRequest",
    fields={
        "service_request_id": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["open", "closed"]),
        "status_notes": serializers.CharField(),
        "service_name": serializers.CharField(),
        "service_code": serializers.CharField(),
        "description": serializers.CharField(),
        "agency_responsible": serializers.CharField(),
        "service_notice": serializers.CharField(),
        "requested_datetime": serializers.DateTimeField(),
        "updated_datetime": serializers.DateTimeField(),
        "expected_datetime": serializers.DateTimeField(allow_null=True),
        "address": serializers.CharField(),
        "address_id": serializers.CharField(),
        "zipcode": serializers.CharField(),
        "lat": serializers.FloatField(allow_null=True),
        "long": serializers.FloatField(allow_null=True),
        "media_url": serializers.CharField(),
    },
    many=True,
)
Created = inline_serializer(
    "Open311Created",
    fields={
        "service_request_id": serializers.CharField(),
        "service_notice": serializers.CharField(),
        "account_id": serializers.CharField(allow_null=True),
    },
    many=True,
)


def _create_fields() -> dict:
    fields = {
        "api_key": serializers.CharField(help_text="The key the office issued to the client"),
        "jurisdiction_id": serializers.CharField(required=False),
        "service_code": serializers.ChoiceField(choices=Category.values),
        "lat": serializers.FloatField(required=False),
        "long": serializers.FloatField(required=False),
        "address_string": serializers.CharField(required=False),
        "address_id": serializers.CharField(required=False),
        "description": serializers.CharField(),
        "first_name": serializers.CharField(required=False),
        "last_name": serializers.CharField(required=False),
        "phone": serializers.CharField(required=False),
        "email": serializers.CharField(required=False),
        "device_id": serializers.CharField(required=False),
        "account_id": serializers.CharField(required=False),
        "media_url": serializers.CharField(required=False),
        "attribute[river]": serializers.CharField(
            required=False, help_text="River code (see the signboard)"
        ),
    }
    return fields


CreateRequest = type("Open311CreateRequest", (serializers.Serializer,), _create_fields())
CreateRequestMultipart = type(
    "Open311CreateRequestMultipart",
    (serializers.Serializer,),
    {**_create_fields(), "media": serializers.ImageField(required=False)},
)

JURISDICTION = OpenApiParameter(
    "jurisdiction_id", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False
)


def error(code: int, description: str) -> Response:
    return Response([{"code": code, "description": description}], status=code)


def validation_error(exc: ValidationError) -> Response:
    messages = []
    for field, errors in exc.message_dict.items():
        messages += [f"{field}: {e}" for e in errors]
    return error(400, "; ".join(messages))


def open311_exception_handler(exc, context):
    """DRF's own errors (a body that does not parse, 405, 429) in GeoReport's list shape too."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        data = response.data
        detail = data.get("detail", data) if isinstance(data, dict) else data
        response.data = [{"code": response.status_code, "description": str(detail)}]
    return response


class Open311View(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_exception_handler(self):
        return open311_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        value = request.query_params.get("jurisdiction_id")
        if value is None and request.method == "POST":
            value = _first(request.data, "jurisdiction_id")
        self.bad_jurisdiction = not open311.jurisdiction_ok(value or "")


def _jurisdiction_error() -> Response:
    return error(404, _("jurisdiction_id 不存在"))


class ServiceList(Open311View):
    @extend_schema(
        tags=["open311"],
        operation_id="open311_services",
        summary="GeoReport v2: service list",
        parameters=[JURISDICTION],
        responses={200: Service, 404: Error},
    )
    def get(self, request):
        if self.bad_jurisdiction:
            return _jurisdiction_error()
        return Response(open311.services())


class ServiceDefinition(Open311View):
    @extend_schema(
        tags=["open311"],
        operation_id="open311_service_definition",
        summary="GeoReport v2: service definition",
        parameters=[JURISDICTION],
        responses={200: Definition, 404: Error},
    )
    def get(self, request, service_code: str):
        if self.bad_jurisdiction:
            return _jurisdiction_error()
        data = open311.definition(service_code)
        if data is None:
            return error(404, _("service_code 不存在"))
        return Response(data)


def _first(data, key: str) -> str:
    value = data.get(key, "") if hasattr(data, "get") else ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value)


def _moment(value: str | None):
    """An ISO 8601 moment (naive ones in Asia/Shanghai), None when absent; ValueError if bad."""
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None or not 1900 <= moment.year <= 9000:
        raise ValueError(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    # As UTC: PostgreSQL refuses offsets past ±15:59 (ISO 8601 allows, e.g., -18:30).
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(value) from None


class RequestList(Open311View):
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    @extend_schema(
        tags=["open311"],
        operation_id="open311_requests_list",
        summary="GeoReport v2: get service requests",
        parameters=[
            JURISDICTION,
            OpenApiParameter("service_request_id", OpenApiTypes.STR, description="Comma list"),
            OpenApiParameter("service_code", OpenApiTypes.STR),
            OpenApiParameter("start_date", OpenApiTypes.DATETIME),
            OpenApiParameter("end_date", OpenApiTypes.DATETIME),
            OpenApiParameter("status", OpenApiTypes.STR, enum=["open", "closed"]),
        ],
        responses={200: ServiceRequest, 400: Error, 404: Error},
    )
    def get(self, request):
        if self.bad_jurisdiction:
            return _jurisdiction_error()
        q = request.query_params
        reports = selectors.public_reports()
        ids = [i.strip() for i in q.get("service_request_id", "").split(",") if i.strip()]
        if ids:
            reports = reports.filter(receipt__in=ids[:MAX_RESULTS])
        else:
            try:
                start = _moment(q.get("start_date"))
                end = _moment(q.get("end_date"))
            except (ValueError, OverflowError):
                return error(400, _("start_date/end_date 须为 ISO 8601 时间"))
            if start is None:
                start = (end or timezone.now()) - timedelta(days=DEFAULT_WINDOW_DAYS)
            reports = reports.filter(created_at__gte=start)
            if end:
                reports = reports.filter(created_at__lte=end)
            codes = [c for c in q.get("service_code", "").split(",") if c]
            if codes:
                reports = reports.filter(category__in=codes)
        wanted = q.get("status", "")
        if wanted and wanted not in ("open", "closed"):
            return error(400, _("status 须为 open 或 closed"))
        rows = [open311.as_request(r) for r in reports.order_by("-created_at")[:MAX_RESULTS]]
        if wanted:
            rows = [r for r in rows if r["status"] == wanted]
        return Response(rows)

    @extend_schema(
        tags=["open311"],
        operation_id="open311_requests_create",
        summary="GeoReport v2: post service request",
        request={
            "application/x-www-form-urlencoded": CreateRequest,
            "multipart/form-data": CreateRequestMultipart,
            "application/json": CreateRequest,
        },
        responses={201: Created, 400: Error, 403: Error, 404: Error, 429: Error},
    )
    def post(self, request):
        data = request.data
        if self.bad_jurisdiction:
            return _jurisdiction_error()
        if services.open311_client(key=_first(data, "api_key")) is None:
            return error(403, _("api_key 无效"))
        try:
            river = open311.river_for(
                code=_first(data, "attribute[river]") or _first(data, "address_id"),
                lat=_first(data, "lat"),
                lon=_first(data, "long"),
            )
            name = f"{_first(data, 'last_name')}{_first(data, 'first_name')}".strip()
            media = request.FILES.get("media") if hasattr(request, "FILES") else None
            report = services.submit_report(
                river=river,
                category=_first(data, "service_code"),
                text=_first(data, "description"),
                address=client_address(request),
                photos=[media] if media else [],
                latitude=_first(data, "lat") or None,
                longitude=_first(data, "long") or None,
                location=_first(data, "address_string"),
                contact_name=name,
                contact_phone=_first(data, "phone"),
                channel=Report.Channel.OPEN311,
            )
        except services.RateLimited as exc:
            return error(429, str(exc))
        except ValidationError as exc:
            return validation_error(exc)
        return Response(
            [
                {
                    "service_request_id": report.receipt,
                    "service_notice": _("已受理，可凭回执编号查询进度"),
                    "account_id": None,
                }
            ],
            status=status.HTTP_201_CREATED,
        )


class RequestDetail(Open311View):
    @extend_schema(
        tags=["open311"],
        operation_id="open311_request_detail",
        summary="GeoReport v2: get service request",
        parameters=[JURISDICTION],
        responses={200: ServiceRequest, 404: Error},
    )
    def get(self, request, service_request_id: str):
        if self.bad_jurisdiction:
            return _jurisdiction_error()
        report = selectors.public_reports().filter(receipt=service_request_id).first()
        if report is None:
            return error(404, _("service_request_id 不存在"))
        return Response([open311.as_request(report)])


# --- the office's queue (session or token) ----------------------------------------------------


class ReportSerializer(RowsMixin, serializers.ModelSerializer):
    river_code = serializers.CharField(source="river.code", read_only=True)
    directive_number = serializers.CharField(
        source="directive.number", read_only=True, default=None
    )

    # A list's columns (core.rows), with the one it is ordered by (created_at).
    ROW = (
        "pk",
        "receipt",
        "river_id",
        "river__code",
        "category",
        "text",
        "latitude",
        "longitude",
        "location",
        "contact_name",
        "contact_phone",
        "channel",
        "status",
        "close_reason",
        "directive_id",
        "directive__number",
        "created_at",
        "handled_at",
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "receipt",
            "river",
            "river_code",
            "category",
            "text",
            "latitude",
            "longitude",
            "location",
            "contact_name",
            "contact_phone",
            "channel",
            "status",
            "close_reason",
            "directive",
            "directive_number",
            "created_at",
            "handled_at",
        ]

    def row(self, r) -> dict:
        return {
            "id": r.pk,
            "receipt": r.receipt,
            "river": r.river_id,
            "river_code": r.river__code,
            "category": r.category,
            "text": r.text,
            "latitude": _DEGREES(r.latitude),
            "longitude": _DEGREES(r.longitude),
            "location": r.location,
            "contact_name": r.contact_name,
            "contact_phone": r.contact_phone,
            "channel": r.channel,
            "status": r.status,
            "close_reason": r.close_reason,
            "directive": r.directive_id,
            "directive_number": r.directive__number,
            "created_at": moment(r.created_at),
            "handled_at": moment(r.handled_at),
        }


_DEGREES = decimal_text(9, 6)


class ToOrderSerializer(serializers.Serializer):
    deadline = serializers.DateField()
    target_village = serializers.IntegerField(required=False, allow_null=True)
    target_chief = serializers.IntegerField(required=False, allow_null=True)
    requirement = serializers.CharField(required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ReportViewSet(viewsets.ReadOnlyModelViewSet, mixins.ListModelMixin):
    """Residents' reports of the towns in the caller's scope (contacts included: office only)."""

    serializer_class = ReportSerializer
    filterset_fields = ["status", "river", "category"]

    def get_queryset(self):
        reports = selectors.reports_for(user=self.request.user).order_by("-created_at", "-id")
        if self.action == "list":
            # Plain rows of the columns a list row shows (core.rows).
            return rows(reports, ReportSerializer)
        return reports

    @extend_schema(request=ToOrderSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="to-order")
    def to_order(self, request, pk=None):
        from core.models import Region
        from rivers.models import Chief

        report = self.get_object()
        data = ToOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        village = chief = None
        if v.get("target_village"):
            village = get_object_or_404(
                Region.objects.filter(code__startswith=report.town.code), pk=v["target_village"]
            )
        if v.get("target_chief"):
            chief = get_object_or_404(
                Chief.objects.filter(region__code__startswith=report.town.code),
                pk=v["target_chief"],
            )
        report = services.turn_into_order(
            report=report,
            by=request.user,
            deadline=v["deadline"],
            target_village=village,
            target_chief=chief,
            requirement=v["requirement"],
        )
        return Response(ReportSerializer(report).data)

    @extend_schema(request=CloseSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        report = self.get_object()
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.close_report(
            report=report, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(ReportSerializer(report).data)


router.register("public-reports", ReportViewSet, basename="public-report")

urlpatterns = [
    path("open311/v2/services.json", ServiceList.as_view(), name="open311-services"),
    path(
        "open311/v2/services/<str:service_code>.json",
        ServiceDefinition.as_view(),
        name="open311-service",
    ),
    path("open311/v2/requests.json", RequestList.as_view(), name="open311-requests"),
    path(
        "open311/v2/requests/<str:service_request_id>.json",
        RequestDetail.as_view(),
        name="open311-request",
    ),
]
