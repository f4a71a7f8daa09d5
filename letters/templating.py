"""The office-editable letter template: which fields it may use, checking and rendering it.

Templates are Django template text kept in the database. When one is saved it is parsed and
every variable it uses is checked against :data:`FIELDS`, so a typo such as
``{{ river.water_clas }}`` is refused with the field named, instead of printing nothing in
thousands of letters. Tags that reach outside the letter (include, extends, load, ssi, debug)
are refused too.
"""

import re
from functools import lru_cache

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Node, Variable, VariableNode
from django.template.defaulttags import (
    CycleNode,
    FirstOfNode,
    ForNode,
    IfChangedNode,
    IfNode,
    LoadNode,
    TemplateLiteral,
    WithNode,
)
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.utils.translation import gettext as _

# Scalar fields are None; lists of items are [schema]; objects are dicts.
RIVER_FIELDS = {
    "name": None,
    "code": None,
    "level": None,
    "reach": None,
    "target_class": None,
    "water_class": None,
    "meets_target": None,
    "trend": None,
    "black_odour": None,
    "orders_open": None,
    "orders_overdue": None,
    "measures": None,
    "measures_done": None,
    "measures_overdue": None,
    "measure_progress": None,
    "attention": [None],
}
FIELDS = {
    "chief": {"name": None, "title": None, "level": None, "region": None, "position": None},
    "town": {"name": None, "code": None},
    "batch": {"number": None, "year": None, "month": None, "period": None, "date": None},
    "patrols": {"done": None, "required": None, "behind": None, "missed": None},
    "rivers": [RIVER_FIELDS],
    "attention": [None],
    "totals": {
        "rivers": None,
        "rivers_off_target": None,
        "orders_open": None,
        "orders_overdue": None,
        "measures": None,
        "measures_overdue": None,
    },
    "sources": {"patrols": None, "orders": None, "quality": None, "plans": None},
}
FORLOOP = {
    "counter": None,
    "counter0": None,
    "revcounter": None,
    "revcounter0": None,
    "first": None,
    "last": None,
    "parentloop": None,
}
FORBIDDEN = (IncludeNode, ExtendsNode, LoadNode)
FORBIDDEN_TAGS = re.compile(r"{%\s*(ssi|debug|load|include|extends)\b")

# Plain text (not HTML-escaped: letters are text; pages escape them when shown).
ENGINE = Engine(autoescape=False, libraries={}, builtins=[])


def field_names() -> list[str]:
    """Every field a template may use, dotted, for the help text of the editing page."""
    out = []

    def walk(schema, prefix):
        if isinstance(schema, dict):
            for key, sub in schema.items():
                walk(sub, f"{prefix}.{key}" if prefix else key)
        elif isinstance(schema, list):
            out.append(prefix)
            walk(schema[0], f"{prefix}[]")
        else:
            out.append(prefix)

    walk(FIELDS, "")
    return out


class UnknownField(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def check(source: str) -> None:
    """Parse ``source``; raise TemplateSyntaxError or UnknownField(name) when it is wrong."""
    match = FORBIDDEN_TAGS.search(source)
    if match:
        raise TemplateSyntaxError(_("不允许使用 {%% %(tag)s %%} 标签") % {"tag": match.group(1)})
    template = ENGINE.from_string(source)
    _walk(template.nodelist, dict(FIELDS))


def _walk(nodelist, scope: dict) -> None:
    for node in nodelist:
        _node(node, scope)


def _node(node: Node, scope: dict) -> None:
    if isinstance(node, FORBIDDEN):
        raise TemplateSyntaxError(_("不允许引用其他模板"))
    if isinstance(node, VariableNode):
        _expr(node.filter_expression, scope)
    elif isinstance(node, ForNode):
        item = _expr(node.sequence, scope)
        inner = dict(scope)
        inner["forloop"] = FORLOOP
        element = item[0] if isinstance(item, list) else None
        for var in node.loopvars:
            inner[var] = element
        _walk(node.nodelist_loop, inner)
        _walk(node.nodelist_empty, scope)
        return
    elif isinstance(node, IfNode):
        for condition, nodelist in node.conditions_nodelists:
            if condition is not None:
                _condition(condition, scope)
            _walk(nodelist, scope)
        return
    elif isinstance(node, WithNode):
        inner = dict(scope)
        for name, expr in node.extra_context.items():
            inner[name] = _expr(expr, scope)
        _walk(node.nodelist, inner)
        return
    elif isinstance(node, FirstOfNode | CycleNode):
        for expr in getattr(node, "vars", None) or getattr(node, "cyclevars", []):
            _expr(expr, scope)
    elif isinstance(node, IfChangedNode):
        for expr in node._varlist:
            _expr(expr, scope)
    for attr in getattr(node, "child_nodelists", ()):
        _walk(getattr(node, attr, None) or [], scope)


def _condition(cond, scope: dict) -> None:
    if isinstance(cond, TemplateLiteral):
        _expr(cond.value, scope)
        return
    for part in (getattr(cond, "first", None), getattr(cond, "second", None)):
        if part is not None:
            _condition(part, scope)


def _expr(expr, scope: dict):
    """Check one filter expression; return the schema of its value."""
    if not isinstance(expr, FilterExpression):
        return None
    result = _variable(expr.var, scope)
    for _func, args in expr.filters:
        for lookup, arg in args:
            if lookup:
                _variable(arg, scope)
    return result


def _variable(var, scope: dict):
    if not isinstance(var, Variable) or var.lookups is None:
        return None  # a literal
    if var.lookups in (("True",), ("False",), ("None",)):
        return None  # the template language's own constants
    name = var.lookups[0]
    if name not in scope:
        raise UnknownField(".".join(var.lookups))
    schema = scope[name]
    for n, part in enumerate(var.lookups[1:], start=1):
        if isinstance(schema, dict):
            if part not in schema:
                raise UnknownField(".".join(var.lookups[: n + 1]))
            schema = schema[part]
        elif isinstance(schema, list):
            if not part.isdigit() and part not in ("count",):
                raise UnknownField(".".join(var.lookups[: n + 1]))
            schema = schema[0] if part.isdigit() else None
        else:
            raise UnknownField(".".join(var.lookups[: n + 1]))
    return schema


@lru_cache(maxsize=64)
def compiled(source: str):
    return ENGINE.from_string(source)


def render(source: str, context: dict) -> str:
    text = compiled(source).render(Context(context, autoescape=False))
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip()


DEFAULT_SUBJECT = "{{ town.name }}致河长信（{{ batch.year }}年第{{ batch.number }}期）"
DEFAULT_BODY = """{{ chief.name }}{{ chief.title }}：

您好！现将{{ batch.period }}您负责河道的治理情况告知如下，请您统筹协调、督促指导。
{% if sources.patrols and patrols %}
【巡河情况】
{{ batch.period }}应巡河 {{ patrols.required }} 次，实际巡河 {{ patrols.done }} 次{% if patrols.behind %}，有 {{ patrols.missed }} 个巡河周期次数不足{% else %}，达到要求{% endif %}。
{% endif %}
【河道情况】（共 {{ totals.rivers }} 条）
{% for river in rivers %}
{{ forloop.counter }}. {{ river.name }}{% if river.reach %}（{{ river.reach }}）{% endif %}，水质目标{{ river.target_class }}
{% if sources.quality %}   水质：{% if river.water_class %}{{ river.water_class }}，{% if river.meets_target %}达到目标{% else %}未达到目标{% endif %}{% if river.trend %}，{{ river.trend }}{% endif %}{% if river.black_odour %}，{{ river.black_odour }}{% endif %}{% else %}本期无监测数据{% endif %}
{% endif %}{% if sources.orders %}   督办单：未办结 {{ river.orders_open }} 张，其中超期 {{ river.orders_overdue }} 张
{% endif %}{% if river.measures %}   一河一策：措施 {{ river.measures }} 项，已完成 {{ river.measures_done }} 项，平均进度 {{ river.measure_progress }}%{% if river.measures_overdue %}，超期 {{ river.measures_overdue }} 项{% endif %}
{% endif %}{% endfor %}
【请您关注】
{% for item in attention %}{{ forloop.counter }}. {{ item }}
{% empty %}您负责的河道本期没有需要特别关注的事项，请继续保持。
{% endfor %}
感谢您对河长制工作的支持！

{{ town.name }}河长制办公室
{{ batch.date }}"""
