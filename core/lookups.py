"""``<field>__any=[ids]``: "one of these ids" sent as one array, not one parameter per id.

Django's ``__in`` prepares and binds every value on its own, and psycopg then splits a query
of thousands of placeholders: for a town's 2,500 river ids, read three or four times per page,
that was 10-20 ms of Python per query before PostgreSQL saw it. ``__any`` sends
``field = ANY(%s::bigint[])`` with the list as a single parameter (the same plan as the
``IN`` list: PostgreSQL turns that into ``= ANY`` too). Other databases get the ``IN`` list.
Integer ids only.

The ids are held in an :class:`IdArray`, written as one array literal (``'{1,2,3}'``) the
first time a query sends them. A list given to a filter is still walked by Django, id by id,
twice (to resolve expressions in it, to check each against the related model) and then dumped
by psycopg element by element, on every query that reads it; an ``IdArray`` is not iterable,
so a caller that sends the same ids in several queries (the river-status page: the stored
check, the page, its count) pays for them once.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup


class IdArray:
    """Integer ids for ``__any``, with their PostgreSQL array literal made once.

    Deliberately not iterable (read ``.ids``): Django walks any iterable it is given as a
    filter value.
    """

    __slots__ = ("_text", "ids")

    def __init__(self, ids):
        self.ids = tuple(int(i) for i in ids)
        self._text = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "{" + ",".join(map(str, self.ids)) + "}"
        return self._text

    def __len__(self) -> int:
        return len(self.ids)

    def __eq__(self, other) -> bool:
        return isinstance(other, IdArray) and other.ids == self.ids

    def __hash__(self) -> int:
        return hash(self.ids)

    def __repr__(self) -> str:
        return f"IdArray({len(self.ids)} ids)"


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs if isinstance(self.rhs, IdArray) else IdArray(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs:
            raise EmptyResultSet
        placeholders = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({placeholders})", [*lhs_params, *self.rhs.ids]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", [*lhs_params, self.rhs.text]


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # a foreign key sees only the lookups registered on it
