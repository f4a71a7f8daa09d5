"""The registry's filters, shared by the HTML list pages and the API lists."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.choices import ChiefLevel, WaterClass
from core.filters import AnyYesNoWidget, IdFilter
from core.models import Region
from core.scoping import visible_regions
from core.widgets import LongSelect
from rivers.models import Chief, ChiefAssignment, River, SluiceGate, WaterBody, in_region_q

ALL = _("全部")


@extend_schema_field(OpenApiTypes.INT)
class VillageFilter(django_filters.ModelChoiceFilter):
    """A village by id, among the villages the caller may see."""


def _villages(request):
    if request is None:
        return Region.objects.filter(kind=Region.Kind.VILLAGE)
    return visible_regions(request.user).filter(kind=Region.Kind.VILLAGE)


class RiverFilter(django_filters.FilterSet):
    # The page's selects are rendered in Python (core.widgets.LongSelect), the same options
    # without the stock widget's template per option.
    q = django_filters.CharFilter(label=_("搜索"), method="search", help_text=_("编码或名称"))
    level = django_filters.ChoiceFilter(
        label=_("河道等级"), choices=ChiefLevel.choices, empty_label=ALL, widget=LongSelect
    )
    village = VillageFilter(
        label=_("村/居委"),
        queryset=_villages,
        method="in_village",
        empty_label=_("全部村/居委"),
        help_text=_("属于该村或流经该村的河道"),
        widget=LongSelect(label_field="name"),
    )
    region = django_filters.CharFilter(
        label=_("区划代码"), method="in_region", help_text=_("属于或流经该区划（含下级）的河道")
    )
    target_class = django_filters.ChoiceFilter(
        label=_("水质目标"), choices=WaterClass.choices[:5], empty_label=ALL, widget=LongSelect
    )
    length_min = django_filters.NumberFilter(
        label=_("最短（公里）"), field_name="length_km", lookup_expr="gte"
    )
    length_max = django_filters.NumberFilter(
        label=_("最长（公里）"), field_name="length_km", lookup_expr="lte"
    )
    water_type = django_filters.ChoiceFilter(
        label=_("水体类型"), choices=River.WaterType.choices, empty_label=ALL, widget=LongSelect
    )

    # Filters for district systems; the page's form leaves them out.
    api_only = ("region",)

    class Meta:
        model = River
        fields = ["q", "level", "village", "region", "target_class", "length_min", "length_max"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))

    def in_village(self, queryset, name, value):
        return self._in_codes(queryset, value.code) if value else queryset

    def in_region(self, queryset, name, value):
        return self._in_codes(queryset, value.strip()) if value.strip() else queryset

    @staticmethod
    def _in_codes(queryset, code: str):
        # Subqueries rather than a join: a river crossing three villages must appear once.
        return queryset.filter(in_region_q(code))


class ChiefFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="search", help_text=_("姓名、手机号、用户名或河道")
    )
    level = django_filters.ChoiceFilter(
        label=_("河长级别"), choices=ChiefLevel.choices, empty_label=ALL, widget=LongSelect
    )
    title = django_filters.ChoiceFilter(
        label=_("职务"), choices=Chief.Title.choices, empty_label=ALL, widget=LongSelect
    )
    village = django_filters.ModelChoiceFilter(
        label=_("村/居委"),
        queryset=_villages,
        field_name="region",
        empty_label=_("全部村/居委"),
        widget=LongSelect(label_field="name"),
    )

    # The page's form shows every filter (rivers/_filters.html leaves out only these).
    api_only = ()

    class Meta:
        model = Chief
        fields = ["q", "level", "title", "village"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        full_name = Q()
        if len(value) >= 2:
            # Chinese names are written surname first with no space: 王伟 = last 王, first 伟.
            full_name = Q(user__last_name=value[0], user__first_name__startswith=value[1:])
        responsible_for = ChiefAssignment.objects.current().filter(
            Q(river__name__icontains=value) | Q(river__code__icontains=value),
            chief=OuterRef("pk"),
        )
        return queryset.filter(
            Q(user__last_name__icontains=value)
            | Q(user__first_name__icontains=value)
            | full_name
            | Q(user__username__iexact=value)
            | Q(user__phone__contains=value)
            | Exists(responsible_for)
        )


class AssignmentFilter(django_filters.FilterSet):
    river = IdFilter(label=_("河道"), field_name="river_id")
    reach = IdFilter(label=_("河段"), field_name="reach_id")
    chief = IdFilter(label=_("河长"), field_name="chief_id")
    level = django_filters.ChoiceFilter(label=_("级别"), choices=ChiefLevel.choices)
    duty = django_filters.ChoiceFilter(label=_("职责"), choices=ChiefAssignment.Duty.choices)
    current = django_filters.BooleanFilter(
        label=_("仅现任"), method="only_current", widget=AnyYesNoWidget
    )

    class Meta:
        model = ChiefAssignment
        fields = ["river", "reach", "chief", "level", "duty", "current"]

    def only_current(self, queryset, name, value):
        if value is None:
            return queryset
        current = ChiefAssignment.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class WaterBodyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=WaterBody.Kind.choices)
    village = django_filters.ModelChoiceFilter(label=_("村/居委"), queryset=_villages)

    class Meta:
        model = WaterBody
        fields = ["q", "kind", "village"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))
            if value
            else queryset
        )


class SluiceGateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    river = IdFilter(label=_("河道"), field_name="river_id")

    class Meta:
        model = SluiceGate
        fields = ["q", "river"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))
            if value
            else queryset
        )
