"""Regions API (read-only): the caller's region and everything below it."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import viewsets

from core.filters import IdFilter
from core.models import Region
from core.routers import router
from core.rows import rows
from core.scoping import visible_regions
from core.serializers import RegionSerializer


class RegionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=Region.Kind.choices)
    parent = IdFilter(label=_("上级"), field_name="parent_id")

    class Meta:
        model = Region
        fields = ["q", "kind", "parent"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__startswith=value) | Q(name__icontains=value))


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    search_fields = []

    def get_queryset(self):
        regions = visible_regions(self.request.user)
        return rows(regions, RegionSerializer) if self.action == "list" else regions


router.register("regions", RegionViewSet, basename="region")
