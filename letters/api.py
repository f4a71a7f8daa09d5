from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.models import Region
from core.routers import router
from core.rows import rows
from core.scoping import visible_regions
from letters import selectors, services
from letters.serializers import BatchCreateSerializer, BatchSerializer, LetterSerializer


class LetterBatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Batches of the monthly letters, scoped by region (office staff and district systems)."""

    serializer_class = BatchSerializer
    filterset_fields = ["status", "year", "town"]

    def get_queryset(self):
        return selectors.batches_for(user=self.request.user).order_by("-month", "id")

    @extend_schema(request=BatchCreateSerializer, responses=BatchSerializer)
    def create(self, request, *args, **kwargs):
        data = BatchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        towns = visible_regions(request.user).filter(kind=Region.Kind.TOWN)
        town_id = data.validated_data.get("town")
        if town_id is None and request.user.region and request.user.region.kind == "town":
            town_id = request.user.region_id
        town = towns.filter(pk=town_id).first()
        if town is None:
            raise ValidationError({"town": _("请指定您管辖范围内的镇/街道")})
        batch = services.create_batch(
            town=town, month=data.validated_data["month"], by=request.user
        )
        batch = self.get_queryset().get(pk=batch.pk)
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send a draft batch (refused when it was already sent)."""
        batch = self.get_object()
        services.send_batch(batch=batch, by=request.user)
        return Response(BatchSerializer(self.get_queryset().get(pk=batch.pk)).data)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def totals(self, request, pk=None):
        """The batch's totals as its letters would state them (the preview before sending)."""
        return Response(services.batch_totals(batch=self.get_object()))


class LetterViewSet(viewsets.ReadOnlyModelViewSet):
    """Letters with their delivery state; chiefs see their own, the office its town's."""

    serializer_class = LetterSerializer
    filterset_fields = ["batch", "status", "chief"]

    def get_queryset(self):
        letters = selectors.letters_for(user=self.request.user).order_by("id")
        if self.action == "list":
            # Plain rows of the columns a list row shows (core.rows).
            return rows(letters, LetterSerializer)
        return letters

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.deliveries = selectors.delivery_states(r.notification_id for r in page)
        return page

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "deliveries": getattr(self, "deliveries", {})}


router.register("letter-batches", LetterBatchViewSet, basename="letter-batch")
router.register("letters", LetterViewSet, basename="letter")
