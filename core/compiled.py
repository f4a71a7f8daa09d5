"""API list reads: each query's SQL compiled once per process for the same query.

Django compiles every query of every request from its ``Query`` object: an empty list of water
bodies spent 0.7 ms of its 1.5 ms of CPU turning one ``SELECT`` into SQL (its columns, joins,
converters, ordering), as much again for the count. Within an API list read
(:func:`core.replica.list_reads`, a ``GET`` of a list action; :func:`keeping`) the SQL a ``Query`` compiles
to is kept, keyed by **the whole query as pickled** (its model, columns, joins, filters with
their values, ordering, limits: everything ``as_sql`` reads), with the connection, the
language and the time zone. A query is only ever answered with the SQL of an equal query:
another town's token makes another scope's filter values, so another key and its own SQL;
nothing is shared between callers but the text of equal queries. The compiler's state that
the rows' reading uses afterwards (its columns and their converters) is kept with it.

Only plain ``SELECT`` compilers (the backend's ``SQLCompiler`` itself: no update, delete,
insert or aggregate) and only queries that pickle (Django's documented way to keep a queryset's query;
a model class is named by its label, an auto-created through model included) are kept. At
most ``API_COMPILED_QUERIES`` queries a process (0: off); the whole cache is dropped when
full, so one-off queries (a deep page's ids) cannot grow it.
"""

import copyreg
import io
import pickle
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db.models import Field
from django.db.models.base import ModelBase
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone, translation

from core.replica import in_list_read

_compiled: dict[tuple, tuple[str, tuple, dict]] = {}
_keeping: ContextVar[bool] = ContextVar("compiled_keeping", default=False)
# The compiler's own attributes that are not what compiling worked out.
_NOT_STATE = {"query", "connection", "using", "quote_cache", "elide_empty"}


def _model_class(label: str, ident: int) -> None:  # never called: only named in keys
    raise NotImplementedError


def _model_ref(model: ModelBase):
    return _model_class, (model._meta.label, id(model))


def _field_ref(field: Field):
    """A model's field by its identity (as Django pickles it); a free-standing one (an
    expression's ``output_field``) by its state without ``creation_counter``, which counts
    every field ever made: equal fields made by two requests would never be equal keys."""
    if hasattr(field, "model"):
        return field.__reduce__()
    state = {k: v for k, v in field.__dict__.items() if k != "creation_counter"}
    return _free_field, (type(field),), state


def _free_field(cls) -> None:  # never called: only named in keys
    raise NotImplementedError


def _subclasses(cls) -> set[type]:
    found = {cls}
    for sub in cls.__subclasses__():
        found |= _subclasses(sub)
    return found


_DISPATCH: dict = {}


def _dispatch() -> dict:
    """How keys pickle model classes and fields (the field classes known by then: a field
    class made later pickles with its counter, so its queries are only never found)."""
    _DISPATCH.update(copyreg.dispatch_table)
    _DISPATCH.update(dict.fromkeys(_subclasses(Field), _field_ref))
    _DISPATCH[ModelBase] = _model_ref
    return _DISPATCH


def query_key(query) -> bytes | None:
    """The query pickled (None when it does not pickle)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH or _dispatch()
    try:
        pickler.dump(query)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None
    return out.getvalue()


@contextmanager
def keeping():
    """Within the block too, equal queries are compiled once: for an API list that is not a
    viewset's ``list`` action (which :func:`core.replica.list_reads` marks already)."""
    token = _keeping.set(True)
    try:
        yield
    finally:
        _keeping.reset(token)


def forget() -> None:
    _compiled.clear()


_as_sql = SQLCompiler.as_sql


def as_sql(self, with_limits=True, with_col_aliases=False):
    """``SQLCompiler.as_sql``, remembered for equal queries within an API list read."""
    limit = getattr(settings, "API_COMPILED_QUERIES", 0)
    if (
        limit <= 0
        or not (in_list_read() or _keeping.get())
        or type(self) is not self.connection.ops.compiler("SQLCompiler")
    ):
        return _as_sql(self, with_limits, with_col_aliases)
    pickled = query_key(self.query)
    if pickled is None:
        return _as_sql(self, with_limits, with_col_aliases)
    key = (
        self.connection.alias,
        self.elide_empty,
        with_limits,
        with_col_aliases,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        pickled,
    )
    found = _compiled.get(key)
    if found is not None:
        sql, params, state = found
        self.__dict__.update(state)
        return sql, params
    sql, params = _as_sql(self, with_limits, with_col_aliases)
    if len(_compiled) >= limit:
        _compiled.clear()
    state = {k: v for k, v in self.__dict__.items() if k not in _NOT_STATE}
    _compiled[key] = (sql, params, state)
    return sql, params


def install() -> None:
    """Put :func:`as_sql` in place of Django's (``CoreConfig.ready``)."""
    SQLCompiler.as_sql = as_sql
