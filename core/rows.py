"""Plain rows for API lists: a page read as named tuples, turned into dicts by hand.

A list page of 50 rows read as models spent most of its time outside the database: building
each model (and its ``select_related`` neighbours) and sending ``post_init`` for it, and then
DRF's field-by-field serialisation. A list's serializer therefore reads rows of
``values_list(*ROW, named=True)``: exactly the columns a list row shows (no course, no
neighbour's every column, so the query also compiles and plans faster), and builds the dict
itself. A model instance (a detail, the answer to a write) still takes DRF's own path, and
tests hold the two equal (``tests/<app>/test_*_list_rows.py``).

The named tuple keeps attribute access, so the keyset cursors (``core.pagination``) read a
row's ordering values as they read a model's: ``ROW`` holds every field a list may be
ordered by (its ``ordering_fields``, its ``modified_field``) and ``pk``.
"""

from rest_framework import serializers

# DRF's own fields for dates, times and decimals, built once: the same text as DRF gives
# (the current time zone, "Z" for UTC, a decimal's places).
_MOMENT = serializers.DateTimeField()
_DAY = serializers.DateField()


def moment(value) -> str | None:
    return None if value is None else _MOMENT.to_representation(value)


def day(value) -> str | None:
    return None if value is None else _DAY.to_representation(value)


def decimal_text(max_digits: int, places: int):
    """A function giving a decimal as DRF's ``DecimalField`` of the model's field does."""
    field = serializers.DecimalField(max_digits=max_digits, decimal_places=places)
    return lambda value: None if value is None else field.to_representation(value)


def display_name(last_name: str, first_name: str, username: str) -> str:
    """``User.display_name`` from the three columns (surname first, as Chinese names are)."""
    return f"{last_name}{first_name}".strip() or username


# The columns display_name reads, below a path to a user ("chief__user").
def name_columns(path: str) -> tuple[str, str, str]:
    return (f"{path}__last_name", f"{path}__first_name", f"{path}__username")


# For a ModelSerializer: a named-tuple row goes to ``row()``, a model to DRF's path. ``ROW``
# lists the columns ``row()`` reads; :func:`rows` gives a queryset of them. (No docstring: the
# OpenAPI schema would take it as the description of every serializer without its own.)
class RowsMixin:
    ROW: tuple[str, ...] = ()

    def to_representation(self, instance):
        if isinstance(instance, tuple):
            return self.row(instance)
        return super().to_representation(instance)

    def row(self, r) -> dict:
        raise NotImplementedError


def rows(queryset, serializer_class):
    """The queryset's rows with the serializer's ``ROW`` columns, as named tuples.

    A selector's joins (``select_related``) and annotations not named in ``ROW`` are left out
    of the SQL, and its ``prefetch_related`` is dropped: what a row needs beside its columns
    the view reads for the whole page in one query.
    """
    return queryset.prefetch_related(None).values_list(*serializer_class.ROW, named=True)
