import django_filters
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters


def _in_schema(filter_, schema: dict, description) -> None:
    """The OpenAPI schema of one filter's parameter (drf-spectacular then leaves out the
    filter's label, so it goes in as the description)."""
    if description is not None:
        schema = {**schema, "description": description}
    extend_schema_field(schema)(filter_)


class AnyYesNoWidget(BooleanWidget):
    """A yes/no filter whose empty choice reads "all" (django-filter's says "unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class IdFilter(django_filters.NumberFilter):
    """A primary key: a positive integer within 64 bits, else the FilterSet's form error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        from core.params import MAX_ID

        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        # drf-spectacular reads a NumberFilter on a foreign key as any number.
        _in_schema(self, {"type": "integer", "minimum": 1}, self.label)


class YearFilter(django_filters.NumberFilter):
    """A calendar year within ``core.scoping.MIN_YEAR``..``MAX_YEAR``, else a form error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        from core.scoping import MAX_YEAR, MIN_YEAR

        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(*args, **kwargs)


class RecordChoiceField(forms.ModelChoiceField):
    """One record of a long list, typed rather than picked (``core.widgets.LookupInput``):
    its id (as links and API clients send it), its code, or a name that only one of the
    records has. A number is an id first, then a code or name (a code of digits alone that
    is also the id of another record in scope reads as that id). The box shows the code of
    the record chosen."""

    def __init__(self, *args, code_field: str = "code", name_field: str = "name", **kwargs):
        super().__init__(*args, **kwargs)
        self.code_field, self.name_field = code_field, name_field
        self.chosen = None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            return super().to_python(value)
        text = str(value).strip()
        if text.isdigit():
            try:
                return super().to_python(text)
            except forms.ValidationError:
                pass  # not an id in scope: perhaps a code of digits
        self.validate_no_null_characters(text)
        found = list(self.queryset.filter(**{self.code_field: text})[:1]) or list(
            self.queryset.filter(**{self.name_field: text})[:2]
        )
        if len(found) != 1:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found[0]

    def clean(self, value):
        self.chosen = super().clean(value)
        return self.chosen

    def bound_data(self, data, initial):
        # After validation the box shows the record's code, whichever way it was given.
        return self.chosen if self.chosen is not None else super().bound_data(data, initial)

    def prepare_value(self, value):
        if hasattr(value, "_meta"):
            return getattr(value, self.code_field)
        return super().prepare_value(value)


class RecordFilter(django_filters.ModelChoiceFilter):
    """django-filter's ``ModelChoiceFilter`` over a :class:`RecordChoiceField`."""

    field_class = RecordChoiceField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A string in the API's schema (an integer by default): a code or a name that only
        # one record has is as good as the id.
        _in_schema(
            self, {"type": "string"}, format_lazy("{}（{}）", self.label, _("ID、编码或唯一名称"))
        )


def _sane_moment(value) -> None:
    from core.pagination import MAX_YEAR, MIN_YEAR

    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise forms.ValidationError(
            _("年份须在 %(a)s 至 %(b)s 之间") % {"a": MIN_YEAR, "b": MAX_YEAR}
        )


class MomentFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment (``modified_since``) within sane years, else a form error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [_sane_moment])
        super().__init__(*args, **kwargs)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the FilterSet's filters.

    With no filter parameter every filter of a FilterSet is empty and leaves the queryset as
    it is (django-filter skips empty values, the project's FilterSets override neither
    ``filter_queryset`` nor ``qs``), yet building its form and validating it cost a list page
    about a fifth of its time. A parameter that starts with a filter's name (``created_after``,
    ``date_0``: range filters add suffixes) takes the full path, errors included.

    A FilterSet whose choices depend on who asks (``choices_for_user``: a town's rivers, chiefs
    and villages) gets the request's user, as the pages give it.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = tuple(filterset_class.base_filters)
        if not any(param.startswith(names) for param in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        if getattr(filterset_class, "choices_for_user", False):
            kwargs["user"] = request.user
        return filterset_class(**kwargs)


class SearchFilter(filters.SearchFilter):
    """DRF's ``?search=``, skipped at once when the request does not ask for it (DRF parses
    the empty term and checks the view's fields on every request of every list)."""

    def filter_queryset(self, request, queryset, view):
        if not request.query_params.get(self.search_param):
            return queryset
        return super().filter_queryset(request, queryset, view)
