"""Deep page numbers without an OFFSET: a list's page boundaries, kept while it is unchanged.

``?page=900`` of a list ordered by code has to find its first row: an ``OFFSET`` walks the
44,950 rows before it on every request, however cheaply each is read. Here the walk is done
once: one query walks the ordering's index to the page and keeps the last row of every page
on the way (its ordering values), and that *page map* is cached. Page N is then a keyset
query from the last row of page N - 1, as a cursor page is: what page 1 costs.

The map is only true while the list is unchanged, and "the list" is every row of every table
that decides which rows are in it and in what order (a river's scope reads the regions and
the crossings too; the chief's name a patrol row shows does not: the walk leaves out the
joins of the shown columns, ``deciding``, so a login's write to ``core_user`` keeps the patrol
maps), changed by anything at all (a save, ``QuerySet.update``, a bulk import, raw SQL, a rolled-back write).
So on PostgreSQL each of those tables carries a statement trigger that notes its name and
the writing transaction's id in ``core_listchange`` (installed by ``install_triggers`` after
every ``migrate``), and a map keeps the snapshot it was walked in. Each page query asks, in
the same statement and so the same snapshot as the page itself, whether any change to the
list's tables is visible now that was not visible to the map's snapshot; if one is, the map
is dropped and walked again. A change committed between the map and the page cannot slip
through, and neither can one of the reader's own transaction. A list whose query reads a
table without the trigger, an ordering with an empty value at a boundary, or another
database (SQLite: one writer, small lists) keeps the ``OFFSET``.

The cache key is a digest of the query's SQL and parameters (its scope, filters and ordering,
all of them: another town's query is another query) with the database alias and the page
size, so one caller's boundaries can never serve another's rows; a wrong or old map can only
cost a rebuild, never a wrong page.
"""

import hashlib
import re

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.sql.constants import LOUTER
from django.db.models.sql.query import Query
from django.db.models.sql.where import ExtraWhere

CHANGES = "core_listchange"
TRIGGER = "core_list_change"
# Cached maps live this long at most (a map nobody reads goes; a read one is re-walked).
MAP_SECONDS = 600
# Tables written on every request or in bulk by the jobs, which no list's order or scope
# reads (a list that did read one keeps the OFFSET): they carry no trigger, so their writes
# cost nothing more. Historical tables (django-simple-history) are left out by name.
UNWATCHED = re.compile(
    r"^(django_session|django_admin_log|django_migrations|django_content_type|auth_permission"
    r"|axes_\w+|core_apitoken|notices_\w+|patrols_trackpoint|directives_ordercounter"
    r"|monitoring_importjob|public_signboardprint|\w+_historical\w+)$"
)
# Columns whose updates are no list change: a statement that sets only these leaves no note
# (the trigger is ``UPDATE OF`` the table's other columns). ``last_login`` is set at every login
# and no list filters, orders or shows it; a save of the whole row still notes a change.
QUIET_COLUMNS = {"core_user": frozenset({"last_login"})}
_watched: dict[str, frozenset[str]] = {}  # by database alias: the tables with the trigger
_IDENT = re.compile(r'"([A-Za-z0-9_]+)"')


def page_rows(queryset, ordering: list[str], offset: int, size: int, limit: int) -> list | None:
    """``list(queryset[offset:offset + limit])`` for ``queryset`` ordered by ``ordering``
    (total: it ends in a unique field) and an ``offset`` on a boundary of pages of ``size``
    rows, read by keyset from the page map; or None when this list cannot use one (the caller
    reads with an ``OFFSET`` then)."""
    alias = queryset.db
    connection = connections[alias]
    page, depth = divmod(offset, size)
    if connection.vendor != "postgresql" or page < 1 or depth:
        return None
    if connection.in_atomic_block:
        # A transaction may read its own writes, which no shared map holds (the check would
        # send it to the OFFSET anyway, after a wasted walk).
        return None
    fields = [term.lstrip("-") for term in ordering]
    if not all(_seekable(queryset.model, name) for name in fields):
        return None
    keys = deciding(queryset.prefetch_related(None).values_list(*fields))
    sql, params = keys.query.get_compiler(using=alias).as_sql()
    tables = _tables(connection, alias, sql)
    if tables is None:
        return None
    key = "pagemap:" + hashlib.sha256(repr((alias, size, sql, params)).encode()).hexdigest()
    for _attempt in range(2):
        found = _maps.get(key) or cache.get(key)
        if found is None or len(found["ends"]) < page:
            found = _walk(keys, ordering, fields, connection, tables, size, page, found)
            if found is None:
                return None
            cache.set(key, found, MAP_SECONDS)
        _remember(key, found)
        rows = list(queryset.filter(after_q(ordering, found["ends"][page - 1]))[:limit])
        # Asked after the page, so in a snapshot that sees at least every change the page's
        # did: none since the map means none before the page either.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_STALE}", [tables, found["snapshot"], found["snapshot"]])
            if not cursor.fetchone()[0]:
                return rows
        _maps.pop(key, None)  # changed since the map was walked: walk it again
        cache.delete(key)
    return None


# The maps this process used last, so that a page does not unpickle its list's map from the
# cache every time: a map is checked against the database on every use wherever it came from.
# At most this many pages' ends in all (a page's end is a row's ordering values: ~100 bytes).
_maps: dict[str, dict] = {}
KEPT_ENDS = 100_000


def _remember(key: str, found: dict) -> None:
    _maps.pop(key, None)
    kept = sum(len(m["ends"]) for m in _maps.values())
    while _maps and kept + len(found["ends"]) > KEPT_ENDS:
        kept -= len(_maps.pop(next(iter(_maps)))["ends"])
    if len(found["ends"]) <= KEPT_ENDS:
        _maps[key] = found


def _seekable(model, name: str) -> bool:
    """A column a keyset can seek on: the model's own (a joined one may repeat a row) and
    never empty (``x > value`` leaves out the NULLs that ORDER BY puts after every value)."""
    if name == "pk":
        return True
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.concrete and not field.null and not field.is_relation


def deciding(keys):
    """``keys`` (the list's ``values_list`` of its ordering's columns) with only the joins
    that decide which rows are in the list and in what order: those its filters and its
    ordering read, and the joins they hang from. A join that only carried a shown column (a
    patrol's chief and their user, for the chief's name) adds nothing to a map but its
    table: a write to ``core_user`` (a login) would drop every patrol map, and the walk
    would join a million rows for it. ``select_related``, ``only`` and the annotations not
    selected are gone already (``values_list``), the prefetches too (``page_rows``).

    Only a join to at most one row is left out (a foreign key the other way, a nullable one
    outer-joined): one to many rows repeats a row, and an inner join on a nullable key
    drops one, so a query with such a join not read by its filters keeps every join, as
    does one that groups or says something in SQL the ORM cannot see into (``extra``,
    ``RawSQL``).
    """
    query = keys.query
    if (
        query.group_by is not None
        or query.distinct_fields
        or query.combinator
        or query.extra
        or query.extra_tables
        or not all(isinstance(term, str) and "__" not in term for term in query.order_by)
    ):
        return keys
    exprs = [query.where, *query.select, *query.annotation_select.values()]
    if any(isinstance(node, (RawSQL, ExtraWhere)) for node in _nodes(exprs)):
        return keys
    read = {query.base_table} | {col.alias for col in Query._gen_cols(exprs, include_external=True)}
    needed = set()
    for alias in read:
        while alias is not None and alias not in needed:
            needed.add(alias)
            alias = getattr(query.alias_map.get(alias), "parent_alias", None)
    dropped = [a for a, n in query.alias_refcount.items() if n and a not in needed]
    if not dropped:
        return keys
    if not all(_to_one(query.alias_map[alias]) for alias in dropped):
        return keys
    reduced = keys.all()
    for alias in dropped:
        reduced.query.alias_refcount[alias] = 0
    # An expression that names a table by itself (a custom one's SQL) and not by a column
    # the ORM can see: keep every join rather than one it may need.
    sql, _params = reduced.query.get_compiler(using=keys.db).as_sql()
    if any(f'"{alias}".' in sql for alias in dropped):
        return keys
    return reduced


def _to_one(join) -> bool:
    """A join that neither repeats nor drops a row of the list: along a foreign key to one
    row, outer-joined or never empty."""
    field = getattr(join, "join_field", None)
    return (
        join.filtered_relation is None
        and getattr(field, "concrete", False)
        and (field.many_to_one or field.one_to_one)
        and (join.join_type == LOUTER or not join.nullable)
    )


def _nodes(exprs):
    for expr in exprs:
        yield expr
        yield from _nodes(getattr(expr, "get_source_expressions", list)())


def after_q(ordering: list[str], values) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (``core.pagination.keyset_q``)."""
    from core.pagination import keyset_q

    return keyset_q(ordering, list(values))


# Is any change to these tables visible now that the map's snapshot did not see? Only
# changes of transactions at or after the snapshot's oldest running one can be (by the
# index on (tbl, xid)).
_STALE = (
    f"EXISTS (SELECT 1 FROM {CHANGES} c WHERE c.tbl = ANY(%s) "
    "AND c.xid >= pg_snapshot_xmin(%s::pg_snapshot) "
    "AND NOT pg_visible_in_snapshot(c.xid, %s::pg_snapshot))"
)


def _walk(keys, ordering, fields, connection, tables, size, page, found) -> dict | None:
    """Walk the list to page ``page``'s start and keep each page's last row; from the known
    map's deepest page when it still holds (checked in the same statement), else from the
    start. None when the walk cannot give a map (a boundary with an empty value, or a walk
    inside a transaction that has written: its view is its own, not the committed one)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    ends, start = [], keys
    if found is not None:
        ends = list(found["ends"])
        start = keys.filter(after_q(ordering, ends[-1]))
    want = (page - len(ends)) * size
    numbered = start.annotate(
        page_row_n=Window(
            RowNumber(),
            order_by=[F(t[1:]).desc() if t.startswith("-") else F(t).asc() for t in ordering],
        )
    ).values_list(*fields, "page_row_n")[:want]
    sql, params = numbered.query.get_compiler(using=keys.db).as_sql()
    width = len(fields)
    stale = _STALE if found is not None else "false"
    stale_params = [list(tables), found["snapshot"], found["snapshot"]] if found else []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned() IS NULL, "
            f"{stale}, w.* FROM ({sql}) w WHERE w.page_row_n %% %s = 0 ORDER BY w.page_row_n",
            [*stale_params, *params, size],
        )
        result = cursor.fetchall()
        if not result:
            # The list ends before the page: the caller's OFFSET query finds it empty.
            return None
        snapshot, clean, changed = result[0][:3]
        if changed:
            return _walk(keys, ordering, fields, connection, tables, size, page, None)
    if not clean:
        return None
    new = [tuple(row[3 : 3 + width]) for row in result]
    if any(None in end for end in new):
        return None  # a keyset cannot seek past an empty value
    ends += new
    if len(ends) < page:
        return None
    return {"snapshot": found["snapshot"] if found else snapshot, "ends": ends}


def _tables(connection, alias: str, sql: str) -> list[str] | None:
    """The tables a query reads, when every one of them carries the change trigger."""
    watched = _watched.get(alias)
    if watched is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s",
                [TRIGGER],
            )
            watched = frozenset(row[0] for row in cursor.fetchall())
        if not watched:
            return None  # not installed (yet): ask again next time
        _watched[alias] = watched
    known = _model_tables()
    read = {name for name in _IDENT.findall(sql) if name in known}
    if not read or not read <= watched:
        return None
    return sorted(read)


def _model_tables() -> frozenset[str]:
    return frozenset(model._meta.db_table for model in apps.get_models(include_auto_created=True))


def watched_tables() -> list[str]:
    """The tables that get the change trigger: every model's table but ``UNWATCHED``."""
    return sorted(name for name in _model_tables() if not UNWATCHED.match(name))


def install_triggers(using: str = "default", **_kwargs) -> None:
    """Give every watched table its statement trigger (idempotent; after every migrate, so
    that a table a later migration adds gets one too). PostgreSQL only."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [CHANGES])
        if not cursor.fetchone()[0]:
            return  # core's migration that makes the table has not run yet
        cursor.execute(
            "SELECT tablename FROM pg_tables t WHERE schemaname = current_schema() "
            "AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgname = %s "
            "AND g.tgrelid = format('%%I.%%I', t.schemaname, t.tablename)::regclass)",
            [TRIGGER],
        )
        bare = {row[0] for row in cursor.fetchall()}
        for table in watched_tables():
            update = "UPDATE"
            if table in QUIET_COLUMNS:
                noted = _noted_columns(cursor, table)
                update = "UPDATE OF " + ", ".join(f'"{name}"' for name in noted)
                if table not in bare and _trigger_columns(cursor, table) != noted:
                    # Made before the table's columns changed (or before it had quiet ones).
                    cursor.execute(f'DROP TRIGGER {TRIGGER} ON "{table}"')
                    bare.add(table)
            if table in bare:
                cursor.execute(
                    f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR {update} OR DELETE OR TRUNCATE "
                    f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION core_note_list_change()'
                )
    _watched.pop(using, None)


def _noted_columns(cursor, table: str) -> list[str]:
    """The columns of ``table`` whose updates note a change: all but its ``QUIET_COLUMNS``."""
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attname",
        [f'"{table}"'],
    )
    return [row[0] for row in cursor.fetchall() if row[0] not in QUIET_COLUMNS[table]]


def _trigger_columns(cursor, table: str) -> list[str]:
    """The columns the trigger on ``table`` is ``UPDATE OF`` (none: every update)."""
    cursor.execute(
        "SELECT a.attname FROM pg_trigger t JOIN pg_attribute a ON a.attrelid = t.tgrelid "
        "AND a.attnum = ANY(t.tgattr) WHERE t.tgrelid = %s::regclass AND t.tgname = %s "
        "ORDER BY a.attname",
        [f'"{table}"', TRIGGER],
    )
    return [row[0] for row in cursor.fetchall()]


def prune_changes(using: str = "default") -> int:
    """Delete the noted changes, leaving one mark: every map walked before it then counts as
    changed (the mark is not in its snapshot), and every map walked after it saw all the
    deleted changes. Returns the rows deleted."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CHANGES}")
        deleted = cursor.rowcount
        cursor.execute(f"INSERT INTO {CHANGES} (tbl) SELECT unnest(%s::text[])", [watched_tables()])
    return deleted


# --- results remembered while their tables are unchanged --------------------------------------

# The results this process used last (by key), as ``_maps`` keeps the page maps: at most this
# many, the oldest used dropped first.
KEPT_RESULTS = 200
_results: dict[str, dict] = {}


def remembered(name: str, querysets, compute, *, key=(), models=(), read=None):
    """``read(compute())``, with ``compute()``'s result kept while no table that ``querysets``
    read has changed: the check of the page maps (one query), for a result that every request
    of a list would otherwise gather again from the same rows (a town's 2,525 registry ids in
    code order, its vacancies, its chiefs in rank order).

    ``querysets``: the queries whose rows ``compute`` reads (their tables are watched, and
    their SQL and parameters, the scope and the filters included, are part of the key, so
    another town's or another filter's result is another entry); ``models``: the other models
    whose tables it reads, when compiling the queries that read them would cost more than the
    key needs; ``key``: whatever else the result depends on (the day, when it counts what is
    in force today: the queries themselves need not be compiled). ``read``: what the caller
    reads beside the result (the page's rows); it runs before the check, so a change it might
    have seen is caught as for a page map, and the result is computed again.

    On another database, inside a transaction (its own writes are no shared result) or over a
    table without the trigger, the result is computed every time.
    """
    read = read or (lambda value: value)
    querysets = list(querysets)
    alias = querysets[0].db
    connection = connections[alias]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return read(compute())
    tables = {model._meta.db_table for model in models}
    sqls = []
    for queryset in querysets:
        sql, params = queryset.query.get_compiler(using=alias).as_sql()
        found = _tables(connection, alias, sql)
        if found is None:
            return read(compute())
        tables.update(found)
        sqls.append((sql, params))
    if not tables <= _watched[alias]:
        return read(compute())  # a model of ``models`` without the trigger
    tables_list = sorted(tables)
    digest = hashlib.sha256(repr((alias, name, sqls, key)).encode()).hexdigest()
    cache_key = f"remembered:{name}:{digest}"
    found = _results.get(cache_key) or cache.get(cache_key)
    if found is not None:
        result = read(found["value"])
        # After the read, as a page map is checked after its page.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_STALE}", [tables_list, found["snapshot"], found["snapshot"]])
            if not cursor.fetchone()[0]:
                _keep(cache_key, found)
                return result
        _results.pop(cache_key, None)
        cache.delete(cache_key)
    # Taken before the result, so the result sees at least every change the snapshot does: a
    # change it saw that the snapshot did not only costs a new result next time.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        snapshot = cursor.fetchone()[0]
    found = {"snapshot": snapshot, "value": compute()}
    cache.set(cache_key, found, MAP_SECONDS)
    _keep(cache_key, found)
    return read(found["value"])


def _keep(key: str, found: dict) -> None:
    _results.pop(key, None)
    _results[key] = found
    while len(_results) > KEPT_RESULTS:
        _results.pop(next(iter(_results)))
