"""/api/v1/monitoring/: points, samples (read, and bulk posting), parameters, river status."""

from datetime import date

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import compiled
from core.models import Region
from core.pagination import Pagination
from core.params import query_id
from core.routers import router
from core.rows import rows
from core.scoping import MAX_YEAR, MIN_YEAR, scope_code, visible_regions
from monitoring import selectors, serializers, services, standards
from monitoring.models import MonitoringPoint, Sample
from monitoring.periods import Period


def _day(text: str | None, field: str, *, first: bool) -> date:
    """A date (2018-05-03) or the first / last day of a period (2018, 2018-Q2, 2018-05)."""
    if not text:
        return date(1900, 1, 1) if first else date(2999, 12, 31)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            period = Period.parse(text)
        except ValueError:
            raise ValidationError(
                {field: [_("日期格式应为 2018-05-03、2018-05、2018-Q2 或 2018")]}
            ) from None
        day = period.start if first else period.end
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError(
            {field: [_("年份须在 %(a)s 至 %(b)s 之间") % {"a": MIN_YEAR, "b": MAX_YEAR}]}
        )
    return day


class PointViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Monitoring points. District systems register and change their points here (write
    token, inside its scope), with the validation of the admin pages (``save_point``)."""

    serializer_class = serializers.PointSerializer
    filterset_fields = ["river", "responsible", "is_active"]
    search_fields = ["code", "name"]

    def get_queryset(self):
        points = selectors.points_for(user=self.request.user, sample_count=False)
        if self.action == "list":
            # Plain rows of the columns a list row shows (core.rows).
            return rows(points.order_by("code"), serializers.PointSerializer)
        return points.defer("river__geometry").order_by("code")

    @extend_schema(
        request=serializers.PointWriteSerializer,
        responses={201: serializers.PointSerializer, 400: serializers.ErrorSerializer},
    )
    def create(self, request, *args, **kwargs):
        services.require_point_writer(request.user)  # the role before the input
        data = serializers.PointWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        point = services.save_point(point=MonitoringPoint(**data.validated_data), by=request.user)
        return Response(serializers.PointSerializer(point).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.PointWriteSerializer,
        responses={200: serializers.PointSerializer, 400: serializers.ErrorSerializer},
    )
    def update(self, request, *args, **kwargs):
        point = self.get_object()
        services.require_point_writer(request.user)
        data = serializers.PointWriteSerializer(
            point, data=request.data, partial=kwargs.get("partial", False)
        )
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(point, name, value)
        point = services.save_point(point=point, by=request.user)
        return Response(serializers.PointSerializer(point).data)


# The sample lists' querysets by (scope code, point, river, time bounds): at most this many
# a process, all dropped when full (one-off filters cannot grow it).
SAMPLE_LISTS_KEPT = 500
_sample_lists: dict[tuple, object] = {}


class SampleViewSet(viewsets.ReadOnlyModelViewSet):
    """Samples with their class by GB 3838-2002 and their black-odour level.

    Filters: ``point`` (code), ``river`` (id), ``from`` / ``to`` (inclusive: a date such as
    2018-05-03, or a month, quarter or year: 2018-05, 2018-Q2, 2018).
    """

    serializer_class = serializers.SampleSerializer
    filter_backends = []
    modified_field = "updated_at"

    def get_queryset(self):
        params = self.request.query_params
        point = params.get("point") or None
        river = query_id(params, "river")
        bounds = None
        if params.get("from") or params.get("to"):
            start = _day(params.get("from"), "from", first=True)
            end = _day(params.get("to"), "to", first=False)
            lower, _x = Period(start, start).bounds()
            _y, upper = Period(end, end).bounds()
            bounds = (lower, upper)
        if self.action != "list":
            return self._samples(point, river, bounds)
        # A list's queryset depends on the caller's scope and these filters alone: built once
        # per process for each (the ORM put it together in a fifth of the request's Python),
        # and a copy handed out (nothing evaluates the kept one).
        key = (scope_code(self.request.user), point, river, bounds)
        found = _sample_lists.get(key)
        if found is None:
            if len(_sample_lists) >= SAMPLE_LISTS_KEPT:
                _sample_lists.clear()
            # Plain rows (core.rows) with each sample's stored assessment (Sample.stamp).
            found = rows(self._samples(point, river, bounds), serializers.SampleSerializer)
            _sample_lists[key] = found
        return found.all()

    def _samples(self, point: str | None, river: int | None, bounds: tuple | None):
        qs = (
            selectors.samples_for(user=self.request.user)
            .select_related("point__river")
            .defer("point__river__geometry")
        )
        if point:
            qs = qs.filter(point__code=point)
        if river is not None:
            qs = qs.filter(point__river_id=river)
        if bounds is not None:
            qs = qs.filter(sampled_at__gte=bounds[0], sampled_at__lt=bounds[1])
        return qs.order_by("-sampled_at", "id")

    @extend_schema(
        request=serializers.BulkSamplesInSerializer,
        responses={
            201: serializers.BulkResultSerializer,
            200: serializers.BulkResultSerializer,
            400: serializers.ErrorSerializer,
            409: serializers.ErrorSerializer,
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        """Post up to 10,000 samples at once: all are saved or none.

        Errors come in the project's one shape, ``{"detail", "errors": {"samples[3].ph":
        [...]}}``: 400 lists every problem. Give each sample a ``client_key``: posting the
        same sample again creates nothing (``existing``); the same key with different data
        answers 409 naming the fields that differ, and saves nothing. Values may be written as
        lab sheets write them ("<0.01": half the detection limit). Samples saved but worth a
        second look (DO past twice saturation) are listed in ``flagged``.
        """
        services.require_recorder(request.user)  # the role before the input
        data = serializers.BulkSamplesInSerializer(data=request.data)
        if not data.is_valid():
            raise ValidationError(serializers.flat_errors(data.errors))
        try:
            result = services.record_samples(
                rows=data.rows(), by=request.user, source=Sample.Source.API
            )
        except services.ClientKeyConflict as conflict:
            return Response(
                {
                    "detail": _("样品编号已有记录，但数据不同；未保存任何数据"),
                    "errors": conflict.errors,
                },
                status=status.HTTP_409_CONFLICT,
            )
        body = {
            "created": len(result.created),
            "existing": result.existing,
            "ids": [s.pk for s in result.created],
            "flagged": result.flagged,
        }
        return Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


class ParameterView(APIView):
    """GB 3838-2002 table 1 limits (Class I–V) and the other items a sample may carry."""

    @extend_schema(responses=serializers.ParameterSerializer(many=True))
    def get(self, request):
        return Response(
            [
                {
                    "code": p.code,
                    "name": p.name,
                    "unit": p.unit,
                    "sense": p.sense,
                    "limits": list(p.limits) if p.limits else None,
                    "lake_limits": list(p.lake_limits) if p.lake_limits else None,
                    "assessed": p.assessed_for("river"),
                }
                for p in standards.PARAMETERS.values()
            ]
        )


class RiverStatusView(APIView):
    """Each monitored river's status for a period (``period``: 2018, 2018-Q1 or 2018-05),
    worse than Class V first, a page at a time (``page``, ``page_size``; or ``cursor``).

    Read from the stored statuses (``monitoring.status_store``): a page costs the same
    whatever the number of samples.
    """

    pagination_class = Pagination

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, description="2018, 2018-Q2 or 2018-05"),
            OpenApiParameter("village", str, description="village region code"),
            OpenApiParameter("only", str, enum=["worse_than_v", "off_target", "black_odour"]),
            OpenApiParameter("page", int, description="page number"),
            OpenApiParameter("page_size", int, description="rows a page, at most 500"),
            OpenApiParameter("cursor", str, description="keyset cursor: empty, then `next`"),
        ],
        responses=serializers.RiverStatusListSerializer,
    )
    def get(self, request):
        with compiled.keeping():  # a list's reads: equal queries compiled once
            return self._page(request)

    def _page(self, request):
        try:
            period = Period.parse(request.query_params.get("period") or Period.current().key)
        except ValueError:
            raise ValidationError(
                {"period": [_("期间格式应为 2018、2018-Q1 或 2018-05")]}
            ) from None
        village = None
        if request.query_params.get("village"):
            village = get_object_or_404(
                visible_regions(request.user).filter(kind=Region.Kind.VILLAGE),
                code=request.query_params["village"],
            )
        rows, total = selectors.stored_status_values(
            user=request.user,
            period=period,
            village=village,
            only=request.query_params.get("only", ""),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self, total=total)
        villages = selectors.village_codes([r.river_id for r in page])
        response = paginator.get_paginated_response(serializers.status_rows_json(page, villages))
        response.data = {
            "period": period.key,
            "start": period.start,
            "end": period.end,
            **response.data,
        }
        return response


router.register("monitoring/points", PointViewSet, basename="monitoring-point")
router.register("monitoring/samples", SampleViewSet, basename="monitoring-sample")

urlpatterns = [
    path("monitoring/parameters/", ParameterView.as_view(), name="monitoring-parameters"),
    path("monitoring/river-status/", RiverStatusView.as_view(), name="monitoring-river-status"),
]
