"""Who may see what: the one place that turns a user into a region scope.

Every app's ``QuerySet.visible_to(user)`` calls :func:`scope_code` and filters its own rows by
region code prefix, so the HTML pages, the API and the jobs cannot drift apart.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext as _

from core.models import Region, User

# Matches every region code: the superuser's scope.
EVERYWHERE = ""


class InSubquery(models.Func):
    """``<lhs> IN (<subquery>)``, written ``<lhs> = ANY(ARRAY(<subquery>))`` on PostgreSQL.

    PostgreSQL plans ``IN (subquery) OR IN (subquery)`` as a filter on every row of whatever
    index serves the ORDER BY; with ``ANY(ARRAY(...))`` each subquery runs once (an InitPlan)
    and the rows are fetched by primary key, then sorted. A town's registry page over 50,000
    rivers: 27 ms instead of 52 ms for a town in the middle of the code order, 71 ms instead
    of 158 ms for the last one (EXPLAIN ANALYZE, bench/district.py, a busy machine).
    """

    output_field = models.BooleanField()

    def as_sql(self, compiler, connection, **extra):
        lhs, subquery = self.get_source_expressions()
        lhs_sql, lhs_params = compiler.compile(lhs)
        sub_sql, sub_params = compiler.compile(subquery)
        return f"{lhs_sql} IN {sub_sql}", (*lhs_params, *sub_params)

    def as_postgresql(self, compiler, connection, **extra):
        lhs, subquery = self.get_source_expressions()
        lhs_sql, lhs_params = compiler.compile(lhs)
        sub_sql, sub_params = compiler.compile(subquery)
        return f"{lhs_sql} = ANY(ARRAY{sub_sql})", (*lhs_params, *sub_params)


class AnyIn(models.Expression):
    """``(<a> IN (<sql>) OR <b> IN (<sql>) ...)``: rows whose field is in any of several
    written-out subqueries, as one boolean expression (``filter(Q(AnyIn(...)))``).

    The same SQL as ``Q(a__in=RawSQL(...)) | Q(b__in=RawSQL(...)) | ...``, without the ORM
    building, resolving and compiling a lookup for each part on every request (a fifth of
    the sample list's Python, whose scope has three). Each part: (field, sql, params).
    """

    output_field = models.BooleanField()

    def __init__(self, *parts: tuple[str, str, tuple | list]):
        super().__init__()
        self.fields = [F(field) for field, _sql, _params in parts]
        self.subqueries = [(sql, tuple(params)) for _field, sql, params in parts]

    def get_source_expressions(self):
        return self.fields

    def set_source_expressions(self, exprs):
        self.fields = list(exprs)

    def as_sql(self, compiler, connection, **extra):
        sqls, params = [], []
        for field, (sql, sql_params) in zip(self.fields, self.subqueries, strict=True):
            lhs, lhs_params = compiler.compile(field)
            sqls.append(f"{lhs} IN ({sql})")
            params += [*lhs_params, *sql_params]
        return "(" + " OR ".join(sqls) + ")", params


class RegionIdsUnder(models.Expression):
    """``(SELECT id FROM core_region WHERE code LIKE '<code>%')``: the ids of the regions whose
    code starts with ``code``, the same rows as ``Region.objects.filter(code__startswith=code)
    .values("id")``.

    Written out instead of built as a queryset: every scoped list compiles it on every request,
    and resolving and compiling that inner queryset (with the regions' default ordering, which a
    subquery does not need) cost an empty API list about a fifth of its time.
    """

    output_field = models.BigAutoField()

    def __init__(self, code: str):
        super().__init__()
        self.code = code

    def resolve_expression(self, *args, **kwargs):
        return self  # nothing in it refers to the outer query

    def as_sql(self, compiler, connection, **extra):
        quote = connection.ops.quote_name
        code_column = f"scope_r.{quote(Region._meta.get_field('code').column)}"
        lhs = connection.ops.lookup_cast("startswith", "CharField") % code_column
        pattern = connection.ops.prep_for_like_query(self.code) + "%"
        return (
            f"(SELECT scope_r.{quote(Region._meta.pk.column)} "
            f"FROM {quote(Region._meta.db_table)} scope_r "
            f"WHERE {lhs} {connection.operators['startswith'] % '%s'})",
            (pattern,),
        )


class RowsUnder(models.Expression):
    """``(SELECT <column> FROM <model's table> WHERE <region> IN (<regions under code>))``:
    one column of the rows placed in a region subtree, written out as :class:`RegionIdsUnder`
    is; e.g. ``RowsUnder(River.regions.through, "river", "region", code)``, the rivers that
    cross a region under ``code``."""

    output_field = models.BigAutoField()

    def __init__(self, model: type[models.Model], column: str, region: str, code: str):
        super().__init__()
        self.model, self.column, self.region, self.code = model, column, region, code

    def resolve_expression(self, *args, **kwargs):
        return self  # nothing in it refers to the outer query

    def as_sql(self, compiler, connection, **extra):
        quote = connection.ops.quote_name
        meta = self.model._meta
        regions, params = RegionIdsUnder(self.code).as_sql(compiler, connection)
        return (
            f"(SELECT scope_t.{quote(meta.get_field(self.column).column)} "
            f"FROM {quote(meta.db_table)} scope_t "
            f"WHERE scope_t.{quote(meta.get_field(self.region).column)} IN {regions})",
            params,
        )


class UnionOf(models.Expression):
    """``(<subquery> UNION <subquery> ...)``: the distinct ids any of several written-out
    subqueries (:class:`RowsUnder`) gives, as one subquery (``InSubquery(F("pk"),
    UnionOf(...))``): one array of ids, each looked up once, instead of an ``OR`` of two
    arrays that mostly hold the same ids."""

    output_field = models.BigAutoField()

    def __init__(self, *parts: models.Expression):
        super().__init__()
        self.parts = parts

    def resolve_expression(self, *args, **kwargs):
        return self  # nothing in it refers to the outer query

    def as_sql(self, compiler, connection, **extra):
        sqls, params = [], []
        for part in self.parts:
            sql, part_params = part.as_sql(compiler, connection)
            sqls.append(sql[1:-1])  # without its parentheses: SQLite refuses "(SELECT) UNION"
            params += part_params
        return "(" + " UNION ".join(sqls) + ")", params


def region_ids_under(code: str) -> RegionIdsUnder:
    """The ids of the regions under ``code``, as a subquery (``region_id__in=...``)."""
    return RegionIdsUnder(code)


def under_code_q(field: str, code: str) -> Q:
    """Rows whose region ``field`` (a foreign key, or a path to one: ``"batch__town"``) is a
    region whose code starts with ``code``; the same rows as ``<field>__code__startswith``.

    The region ids are gathered once (:class:`InSubquery`, an index scan of the row table
    by its region key) instead of joining the region table on every row: a town's 5,000 orders
    among 100,000 counted by status in 7 ms instead of 93 ms (a hash join over the whole table).
    """
    return Q(InSubquery(F(field), RegionIdsUnder(code)))


def scope_code(user: User) -> str | None:
    """The region-code prefix the user may see, ``""`` for everything, None for nothing."""
    if not user or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return EVERYWHERE
    if user.region_id is None:
        return None
    return user.region.code


def region_q(user: User, field: str) -> Q:
    """A filter on ``<field>__code__startswith`` for the user's scope (nothing if unscoped)."""
    code = scope_code(user)
    if code is None:
        return Q(pk__in=[])
    if code == EVERYWHERE:
        return Q()
    return under_code_q(field, code)


def visible_regions(user: User):
    """Regions inside the user's scope (their own region and everything below it)."""
    code = scope_code(user)
    if code is None:
        return Region.objects.none()
    return Region.objects.filter(code__startswith=code)


def can_manage_registry(user: User) -> bool:
    """Office staff (and administrators) maintain the registry of their town."""
    return bool(
        user and user.is_authenticated and (user.is_superuser or user.role == User.Role.OFFICE)
    )


def can_write_registry(user: User) -> bool:
    """Who may change the registry: office staff, and district systems within their region.

    A district client has no password and writes only through the API with a write-scoped
    token (``ScopedPermission`` refuses a read token before any service runs).
    """
    return can_manage_registry(user) or bool(
        user and user.is_authenticated and user.role == User.Role.DISTRICT_CLIENT
    )


def require_registry_writer(user: User) -> None:
    if not can_write_registry(user):
        raise PermissionDenied(_("只有河长办工作人员可以修改河道名录"))


def require_office(user: User) -> None:
    if not can_manage_registry(user):
        raise PermissionDenied(_("只有河长办工作人员可以进行此操作"))


def require_region_in_scope(user: User, region: Region) -> None:
    code = scope_code(user)
    if code is None or not region.code.startswith(code):
        raise PermissionDenied(_("%(region)s不在您的管辖范围内") % {"region": region.name})


# Years a page or a filter may ask about: the records start well after 2000 (the river-chief
# system dates from 2016) and nothing is planned past 2100. Outside, the request is refused
# (400) instead of overflowing a date computation.
MIN_YEAR, MAX_YEAR = 2000, 2100


def require_year(year: int) -> int:
    from django.core.exceptions import BadRequest

    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadRequest(_("年份须在 %(a)s 至 %(b)s 之间") % {"a": MIN_YEAR, "b": MAX_YEAR})
    return year
