from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.routers import router
from rivers.models import River, SluiceGate
from smartwater import selectors, services
from smartwater.serializers import SiteSerializer, SiteUpdateSerializer, SiteWriteSerializer


class SiteViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Planned monitoring sites of the smart-water platform (office write; scoped read)."""

    serializer_class = SiteSerializer
    filterset_fields = ["status", "river", "gate", "town"]

    def get_queryset(self):
        return selectors.sites_for(user=self.request.user)

    @extend_schema(request=SiteWriteSerializer, responses={201: SiteSerializer})
    def create(self, request, *args, **kwargs):
        data = SiteWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v["river"] = self._row(River.objects.visible_to(request.user), v.get("river"), "river")
        v["gate"] = self._row(SluiceGate.objects.visible_to(request.user), v.get("gate"), "gate")
        site = services.register_site(by=request.user, **v)
        return Response(SiteSerializer(site).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SiteUpdateSerializer, responses=SiteSerializer)
    def partial_update(self, request, pk=None):
        site = self.get_object()
        data = SiteUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site = services.update_site(site=site, by=request.user, **data.validated_data)
        return Response(SiteSerializer(site).data)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def geojson(self, request):
        """The sites as a GeoJSON FeatureCollection of points (WGS84), for the maps."""
        return Response(selectors.sites_geojson(user=request.user))

    @staticmethod
    def _row(queryset, pk, field):
        if pk in (None, ""):
            return None
        row = queryset.filter(pk=pk).first()
        if row is None:
            raise ValidationError({field: [_("不存在或不在您的管辖范围内")]})
        return row


router.register("monitoring-sites", SiteViewSet, basename="monitoring-site")
