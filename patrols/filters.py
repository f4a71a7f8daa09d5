"""Filters shared by the list pages and the API (one FilterSet, two front doors)."""

from datetime import date

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import ChiefLevel, labels
from core.filters import AnyYesNoWidget, RecordFilter, YearFilter
from core.models import Region
from core.rows import display_name, name_columns
from core.scoping import visible_regions
from core.widgets import LongSelect, LookupInput, PlainNumberInput, PlainTextInput
from patrols.models import Finding, Patrol
from patrols.periods import local_range, month_bounds, parse_month
from rivers.models import Chief, River


def _month_range(value: str):
    month = parse_month(value, default=timezone.localdate())
    return local_range(*month_bounds(month))


class _Scoped(django_filters.FilterSet):
    # The river, chief and village choices are the user's (core.filters.FilterBackend).
    choices_for_user = True

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if user is not None:
            if "river" in self.filters:
                # A town's thousands of rivers as options: their names, not their courses.
                self.filters["river"].queryset = River.objects.visible_to(user).only(
                    "pk", "code", "name"
                )
            if "chief" in self.filters:
                self.filters["chief"].queryset = Chief.objects.visible_to(user).select_related(
                    "user"
                )
            if "region" in self.filters:
                self.filters["region"].queryset = visible_regions(user).exclude(
                    kind=Region.Kind.DISTRICT
                )

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        start, end = _month_range(value)
        return queryset.filter(**{f"{name}__gte": start, f"{name}__lt": end})

    def filter_year(self, queryset, name, value):
        if not value:
            return queryset
        start, end = local_range(date(value, 1, 1), date(value, 12, 31))
        return queryset.filter(**{f"{name}__gte": start, f"{name}__lt": end})


class ChiefSelect(LongSelect):
    """The chief filter's options labelled as ``Chief.__str__`` labels a chief ("name（title）"),
    from four columns: a town's chiefs and their users built as models, each label looking
    its title up through ``get_title_display``, were a tenth of the patrol list's Python."""

    def _groups(self):
        field = self.choices.field
        if field.empty_label is not None:
            yield None, [("", field.empty_label)]
        titles = labels(Chief.Title)
        rows = self.choices.queryset.values_list("pk", *name_columns("user"), "title")
        yield (
            None,
            [
                (pk, f"{display_name(last, first, username)}（{titles.get(title, title)}）")
                for pk, last, first, username, title in rows
            ],
        )


def _river_filter():
    # A search box, not a <select> of the town's 2,500 rivers on every list page (core.widgets).
    return RecordFilter(
        queryset=River.objects.none(),
        label=_("河道"),
        widget=LookupInput(lookup="river-list", attrs={"placeholder": _("河道名称或编码")}),
    )


class PatrolFilter(_Scoped):
    river = _river_filter()
    chief = django_filters.ModelChoiceFilter(
        queryset=Chief.objects.none(), label=_("河长"), widget=ChiefSelect
    )
    # The selects rendered in Python (core.widgets.LongSelect): through the stock widget's
    # templates the filter form was a quarter of the patrol list's time.
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(), label=_("村/镇"), widget=LongSelect(label_field="name")
    )
    level = django_filters.ChoiceFilter(
        choices=ChiefLevel.choices, label=_("级别"), widget=LongSelect
    )
    month = django_filters.CharFilter(
        field_name="started_at",
        method="filter_month",
        label=_("月份（如 2018-03）"),
        widget=PlainTextInput(attrs={"type": "month"}),
    )
    year = YearFilter(
        field_name="started_at", method="filter_year", label=_("年份"), widget=PlainNumberInput
    )
    flagged = django_filters.BooleanFilter(
        method="filter_flagged", label=_("有真实性提示"), widget=AnyYesNoWidget
    )
    review = django_filters.ChoiceFilter(
        choices=Patrol.Review.choices, label=_("审核"), widget=LongSelect
    )
    status = django_filters.ChoiceFilter(
        choices=Patrol.Status.choices, label=_("状态"), widget=LongSelect
    )
    source = django_filters.ChoiceFilter(
        choices=Patrol.Source.choices, label=_("来源"), widget=LongSelect
    )

    class Meta:
        model = Patrol
        fields = ["river", "chief", "region", "level", "month", "year", "flagged", "review"]

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(flags=[]) if value else queryset.filter(flags=[])


class FindingFilter(_Scoped):
    river = _river_filter()
    status = django_filters.ChoiceFilter(
        choices=Finding.Status.choices, label=_("处理状态"), widget=LongSelect
    )
    category = django_filters.ChoiceFilter(
        choices=Finding.Category.choices, label=_("问题类别"), widget=LongSelect
    )
    month = django_filters.CharFilter(
        field_name="found_at",
        method="filter_month",
        label=_("月份（如 2018-03）"),
        widget=PlainTextInput(attrs={"type": "month"}),
    )

    class Meta:
        model = Finding
        fields = ["river", "status", "category", "month"]
