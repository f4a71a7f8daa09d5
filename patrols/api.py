"""/api/v1/patrols/ and /api/v1/findings/: thin callers of the selectors and services."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.routers import router
from core.rows import rows
from core.scoping import scope_code
from patrols import selectors, serializers, services
from patrols.filters import FindingFilter, PatrolFilter
from patrols.models import Finding, FindingPhoto, Patrol

# The patrol lists' querysets by (scope code, visibility key): at most this many a process,
# all dropped when full.
PATROL_LISTS_KEPT = 500
_patrol_lists: dict[tuple, object] = {}


class PatrolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Patrols the caller may see. POST without ``ended_at`` starts a live patrol; with it,
    records a finished one after the fact (optionally with ``points``)."""

    serializer_class = serializers.PatrolSerializer
    filterset_class = PatrolFilter
    search_fields = ["river__name", "chief__user__last_name", "walker_name", "note"]
    ordering_fields = ["started_at", "distance_m"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    modified_field = "updated_at"

    def get_queryset(self):
        if self.action == "list":
            # The list's queryset before its filters (the filter backend applies them) depends
            # on what ``visible_to`` reads alone (the scope's code; the user, for a village
            # chief): built once per process for each, a copy handed out per request.
            user = self.request.user
            key = (scope_code(user), Patrol.objects.visibility_key(user))
            found = _patrol_lists.get(key)
            if found is None:
                if len(_patrol_lists) >= PATROL_LISTS_KEPT:
                    _patrol_lists.clear()
                # Plain rows of the columns a list row shows (core.rows); no row of the API
                # shows a patrol's number of findings.
                qs = selectors.patrols_for(user=user, finding_count=False)
                found = _patrol_lists[key] = rows(qs, serializers.PatrolSerializer)
            return found.all()
        qs = selectors.patrols_for(user=self.request.user, finding_count=False)
        qs = qs.defer("river__geometry")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch(
                    "findings",
                    queryset=Finding.objects.prefetch_related("photos").order_by("found_at"),
                )
            )
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.PatrolDetailSerializer
        return serializers.PatrolSerializer

    def _out(self, patrol, created=True):
        patrol = self.get_queryset().get(pk=patrol.pk)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(serializers.PatrolSerializer(patrol).data, status=code)

    @extend_schema(request=serializers.PatrolInput, responses=serializers.PatrolSerializer)
    def create(self, request):
        data = serializers.PatrolInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        common = {
            "by": request.user,
            "river": v["river"],
            "reach": v.get("reach"),
            "chief": v.get("chief"),
            "client_id": v.get("client_id"),
            "walker_name": v.get("walker_name", ""),
        }
        if v.get("ended_at") or v.get("points"):
            patrol = services.record_patrol(
                **common,
                started_at=v.get("started_at"),
                ended_at=v.get("ended_at"),
                note=v.get("note", ""),
                points=v.get("points"),
            )
        else:
            patrol = services.start_patrol(**common, started_at=v.get("started_at"))
        # The same client_id again, even at the same moment: 200 with the stored patrol.
        return self._out(patrol, created=getattr(patrol, "just_created", True))

    @extend_schema(request=serializers.GpxInput, responses=serializers.PatrolSerializer)
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def gpx(self, request):
        """Record a finished patrol from a GPX file; it lasts from its first to its last point."""
        data = serializers.GpxInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        patrol = services.record_patrol(
            by=request.user,
            river=v["river"],
            reach=v.get("reach"),
            chief=v.get("chief"),
            client_id=v.get("client_id"),
            walker_name=v.get("walker_name", ""),
            note=v.get("note", ""),
            gpx=v["gpx"].read(),
        )
        return self._out(patrol, created=getattr(patrol, "just_created", True))

    @extend_schema(
        methods=["get"], responses=serializers.TrackPointSerializer(many=True), request=None
    )
    @extend_schema(
        methods=["post"], request=serializers.PointsInput, responses=serializers.PatrolSerializer
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # the whole track
    def points(self, request, pk=None):
        """GET the track; POST buffered points (a point already stored is ignored)."""
        patrol = self.get_object()
        if request.method == "GET":
            rows = patrol.points.order_by("recorded_at")
            return Response(serializers.TrackPointSerializer(rows, many=True).data)
        data = serializers.PointsInput(data=request.data)
        data.is_valid(raise_exception=True)
        patrol = services.add_track_points(
            patrol=patrol, by=request.user, points=data.validated_data["points"]
        )
        return self._out(patrol, created=False)

    @extend_schema(request=serializers.FinishInput, responses=serializers.PatrolSerializer)
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        data = serializers.FinishInput(data=request.data)
        data.is_valid(raise_exception=True)
        patrol = services.finish_patrol(
            patrol=self.get_object(), by=request.user, **data.validated_data
        )
        return self._out(patrol, created=False)

    @extend_schema(request=serializers.ReviewInput, responses=serializers.PatrolSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        data = serializers.ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        patrol = services.review_patrol(
            patrol=self.get_object(), by=request.user, **data.validated_data
        )
        return self._out(patrol, created=False)


class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Problems found on patrols (or reported on their own), with photos and status."""

    serializer_class = serializers.FindingSerializer
    filterset_class = FindingFilter
    search_fields = ["river__name", "note"]
    ordering_fields = ["found_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    modified_field = "updated_at"

    def get_queryset(self):
        findings = selectors.findings_for(user=self.request.user)
        if self.action == "list":
            # Plain rows of the columns a list row shows (core.rows): no join to the patrol,
            # its chief and their user, no photo count; the page's photos in one query.
            return rows(findings, serializers.FindingSerializer)
        return findings.prefetch_related(
            Prefetch("photos", queryset=FindingPhoto.objects.order_by("uploaded_at", "id"))
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            photos = list(
                FindingPhoto.objects.filter(finding__in=[f.pk for f in page]).order_by(
                    "uploaded_at", "id"
                )
            )
            shown = serializers.PhotoSerializer(
                photos, many=True, context=super().get_serializer_context()
            ).data
            self.photos = {}
            for photo, data in zip(photos, shown, strict=True):
                self.photos.setdefault(photo.finding_id, []).append(data)
        return page

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "photos": getattr(self, "photos", {})}

    def _out(self, finding, code=status.HTTP_201_CREATED):
        finding = self.get_queryset().get(pk=finding.pk)
        return Response(serializers.FindingSerializer(finding).data, status=code)

    @extend_schema(request=serializers.FindingInput, responses=serializers.FindingSerializer)
    def create(self, request):
        data = serializers.FindingInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        photos = v.pop("photos", None) or request.FILES.getlist("photos")
        finding = services.report_finding(by=request.user, photos=photos, **v)
        created = getattr(finding, "just_created", True)
        return self._out(finding, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=serializers.PhotoInput, responses=serializers.PhotoSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        """Add a photo; it is re-encoded and keeps only its capture time and position."""
        data = serializers.PhotoInput(data=request.data)
        data.is_valid(raise_exception=True)
        photo = services.add_finding_photo(
            finding=self.get_object(),
            by=request.user,
            upload=data.validated_data["photo"],
            client_id=data.validated_data.get("client_id"),
        )
        return Response(
            serializers.PhotoSerializer(photo, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=serializers.DismissInput, responses=serializers.FindingSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        data = serializers.DismissInput(data=request.data)
        data.is_valid(raise_exception=True)
        finding = services.dismiss_finding(
            finding=self.get_object(), by=request.user, **data.validated_data
        )
        return self._out(finding, code=status.HTTP_200_OK)


router.register("patrols", PatrolViewSet, basename="patrol")
router.register("findings", FindingViewSet, basename="finding")
