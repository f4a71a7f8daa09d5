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

from django.conf import settings
from django.db import connections
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

# DRF's own fields for dates, times and decimals, built once: the same text as DRF gives
# (the current time zone, "Z" for UTC, a decimal's places).
_MOMENT = serializers.DateTimeField()
_DAY = serializers.DateField()


def moment(value) -> str | None:
    return None if value is None else _MOMENT.to_representation(value)


def moment_writer():
    """:func:`moment` for a page of rows: the current time zone looked up once, not once a
    value (DRF's field asks for it on every call, through the request's thread-local state).

    The same text as DRF's ``DateTimeField`` for the aware datetimes a database gives: the
    time in the current zone, ISO 8601, "Z" for UTC. Anything else takes DRF's own path.
    """
    if not settings.USE_TZ or str(api_settings.DATETIME_FORMAT).lower() != ISO_8601:
        return moment
    zone = timezone.get_current_timezone()

    def write(value) -> str | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            return moment(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


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

    def page(self, rows: list) -> list[dict]:
        """A page of plain rows; a serializer whose rows share per-request work (the
        language, the time zone) does it once here."""
        return [self.row(r) for r in rows]


class RowsListSerializer(serializers.ListSerializer):
    """``many=True`` of a :class:`RowsMixin` serializer (its ``Meta.list_serializer_class``):
    a page of plain rows goes to the child's ``page()`` at once."""

    def to_representation(self, data):
        if isinstance(data, list) and data and isinstance(data[0], tuple):
            return self.child.page(data)
        return super().to_representation(data)


def rows(queryset, serializer_class):
    """The queryset's rows with the serializer's ``ROW`` columns, as named tuples.

    A selector's joins (``select_related``) and annotations not named in ``ROW`` are left out
    of the SQL, and its ``prefetch_related`` is dropped: what a row needs beside its columns
    the view reads for the whole page in one query.
    """
    return queryset.prefetch_related(None).values_list(*serializer_class.ROW, named=True)


# --- a page's neighbours, read by id -------------------------------------------------------


def by_id_select(model, *columns: str, user_of: str | None = None) -> str:
    """A part of :func:`read_by_ids`: ``model``'s ``columns`` by its id (at most three).

    ``user_of``: the model's foreign key to a user whose name columns (``display_name``'s
    surname, given name, username) are read instead, through one join (a chief's name)."""
    table = model._meta.db_table
    if user_of is not None:
        field = model._meta.get_field(user_of)
        user_table = field.related_model._meta.db_table
        values = ["u.last_name", "u.first_name", "u.username"]
        joined = f' JOIN "{user_table}" u ON u.id = t."{field.column}"'
    else:
        values = [f't."{model._meta.get_field(c).column}"' for c in columns]
        joined = ""
    values += ["NULL"] * (3 - len(values))
    return (
        f'SELECT {{tag}}, t."{model._meta.pk.column}", {", ".join(values)} '
        f'FROM "{table}" t{joined} WHERE t."{model._meta.pk.column}" IN ({{ids}})'
    )


def read_by_ids(using: str, **parts: tuple[str, list]) -> dict[str, dict]:
    """What a page's rows show of their neighbours (a river's name, a user's), in one plain
    query by the page's ids, instead of joined into the list's own query.

    Each part is ``(by_id_select(...), ids)``; the answer maps each part's name to
    ``{id: (a, b, c)}``. PostgreSQL plans a join of the list's query for every request,
    over all its indexes: the orders' five joins cost 3 ms of planning to run a 0.5 ms query,
    these reads by primary key a fraction of a millisecond. The ids come from the page's
    rows (integers), so they are written into the SQL.
    """
    names = list(parts)
    found: dict[str, dict] = {name: {} for name in names}
    selects = []
    for tag, name in enumerate(names):
        select, ids = parts[name]
        ids = {int(i) for i in ids if i is not None}
        if ids:
            selects.append(select.format(tag=tag, ids=", ".join(map(str, sorted(ids)))))
    if selects:
        with connections[using].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects))
            for tag, pk, *values in cursor.fetchall():
                found[names[tag]][pk] = values
    return found
