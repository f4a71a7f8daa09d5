from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.routers import router
from smallwater import selectors, services
from smallwater.models import Care
from smallwater.serializers import InspectionSerializer, SmallWaterBodySerializer


class SmallWaterBodyViewSet(viewsets.ReadOnlyModelViewSet):
    """Small water bodies one by one: responsibility, inspection, policy and its measures."""

    serializer_class = SmallWaterBodySerializer
    filterset_fields = ["village", "kind"]

    def get_queryset(self):
        qs = selectors.water_bodies_for(user=self.request.user)
        classification = self.request.query_params.get("classification")
        if classification:
            qs = qs.filter(
                Exists(
                    Care.objects.filter(water_body=OuterRef("pk"), classification=classification)
                )
            )
        return qs

    @extend_schema(request=InspectionSerializer, responses=SmallWaterBodySerializer)
    @action(detail=True, methods=["post"])
    def inspection(self, request, pk=None):
        """Record the classification after inspection (the office, or the village's chief)."""
        body = self.get_object()
        data = InspectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.record_inspection(water_body=body, by=request.user, **data.validated_data)
        return Response(SmallWaterBodySerializer(self.get_queryset().get(pk=body.pk)).data)


router.register("small-water-bodies", SmallWaterBodyViewSet, basename="small-water-body")
