"""The office-editable letter template: which fields it may use, checking and rendering it.

Templates are Django template text kept in the database. When one is saved it is parsed and
every variable it uses is checked against :data:`FIELDS`, so a typo such as
``{{ river.water_clas }}`` is refused with the field named, instead of printing nothing in
thousands of letters. Tags that reach outside the letter (include, extends, load, ssi, debug)
are refused too.
"""

import re
from functools import lru_cache

from django.conf import settings
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
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
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


# What the office sees in the template editor's field picker: a Chinese name and a description
# of every field (a test keeps this in step with FIELDS). Lists say how to write them out.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "chief": (gettext_lazy("收信河长"), gettext_lazy("收信的河长本人")),
    "chief.name": (gettext_lazy("河长姓名"), gettext_lazy("收信河长的姓名")),
    "chief.title": (gettext_lazy("河长职务"), gettext_lazy("如“第一总河长”“河长”")),
    "chief.level": (gettext_lazy("河长级别"), gettext_lazy("镇级、村级等")),
    "chief.region": (gettext_lazy("所在区划"), gettext_lazy("河长所在的镇或村")),
    "chief.position": (gettext_lazy("行政职务"), gettext_lazy("如“镇长”“村书记”")),
    "town": (gettext_lazy("发信的镇"), gettext_lazy("本批信件所属的镇/街道")),
    "town.name": (gettext_lazy("镇名称"), gettext_lazy("如“朱泾镇”")),
    "town.code": (gettext_lazy("镇区划代码"), gettext_lazy("9 位行政区划代码")),
    "batch": (gettext_lazy("批次"), gettext_lazy("本期致河长信")),
    "batch.number": (gettext_lazy("期号"), gettext_lazy("本年第几期")),
    "batch.year": (gettext_lazy("年度"), gettext_lazy("批次所属年份")),
    "batch.month": (gettext_lazy("发信月份"), gettext_lazy("如“2018年9月”")),
    "batch.period": (gettext_lazy("报告月份"), gettext_lazy("信中情况所属的月份（发信月的上月）")),
    "batch.date": (gettext_lazy("落款日期"), gettext_lazy("发信月的1日，如“2018年9月1日”")),
    "patrols": (
        pgettext_lazy("letter figure", "巡河情况"),
        gettext_lazy("上月巡河次数；未启用巡河时为空"),
    ),
    "patrols.done": (gettext_lazy("实际巡河次数"), gettext_lazy("上月完成并被认可的巡河次数")),
    "patrols.required": (gettext_lazy("应巡河次数"), gettext_lazy("按巡河制度上月应巡的次数")),
    "patrols.behind": (gettext_lazy("是否巡河不足"), gettext_lazy("有巡河周期次数不足时为真")),
    "patrols.missed": (gettext_lazy("不足的周期数"), gettext_lazy("次数不足的巡河周期个数")),
    "rivers": (
        gettext_lazy("负责的河道（逐条）"),
        gettext_lazy("列表：用 {% for river in rivers %}…{% endfor %} 逐条写出"),
    ),
    "rivers[].name": (gettext_lazy("河道名称"), gettext_lazy("写作 river.name")),
    "rivers[].code": (gettext_lazy("河道编码"), gettext_lazy("写作 river.code")),
    "rivers[].level": (gettext_lazy("河道等级"), gettext_lazy("镇级河道、村级河道等")),
    "rivers[].reach": (gettext_lazy("负责的河段"), gettext_lazy("只负责部分河段时的河段名")),
    "rivers[].target_class": (gettext_lazy("水质目标"), gettext_lazy("如“Ⅳ类”")),
    "rivers[].water_class": (gettext_lazy("上月水质类别"), gettext_lazy("按 GB 3838-2002 评价")),
    "rivers[].meets_target": (gettext_lazy("是否达标"), gettext_lazy("水质达到目标时为真")),
    "rivers[].trend": (gettext_lazy("水质变化"), gettext_lazy("较上期好转、变差或持平")),
    "rivers[].black_odour": (gettext_lazy("黑臭情况"), gettext_lazy("监测为黑臭时的等级")),
    "rivers[].orders_open": (gettext_lazy("未办结督办单"), gettext_lazy("快照时尚未销号的张数")),
    "rivers[].orders_overdue": (
        gettext_lazy("超期督办单"),
        gettext_lazy("快照时超过整改期限仍未整改的张数"),
    ),
    "rivers[].measures": (gettext_lazy("一河一策措施数"), gettext_lazy("该河道方案的措施项数")),
    "rivers[].measures_done": (gettext_lazy("已完成措施"), gettext_lazy("已完成的措施项数")),
    "rivers[].measures_overdue": (gettext_lazy("超期措施"), gettext_lazy("超过完成时限的措施")),
    "rivers[].measure_progress": (gettext_lazy("措施平均进度"), gettext_lazy("百分比")),
    "rivers[].attention": (
        gettext_lazy("该河道关注事项"),
        gettext_lazy("列表：用 {% for item in river.attention %}…{% endfor %} 写出"),
    ),
    "attention": (
        gettext_lazy("全部关注事项"),
        gettext_lazy("列表：巡河不足、水质未达标、督办单超期等，最重要的在前"),
    ),
    "totals": (gettext_lazy("合计"), gettext_lazy("本信所有河道的合计")),
    "totals.rivers": (gettext_lazy("河道条数"), gettext_lazy("负责的河道条数")),
    "totals.rivers_off_target": (gettext_lazy("未达标河道"), gettext_lazy("水质未达目标的条数")),
    "totals.orders_open": (gettext_lazy("未办结督办单合计"), gettext_lazy("各河道之和")),
    "totals.orders_overdue": (gettext_lazy("超期督办单合计"), gettext_lazy("各河道之和")),
    "totals.measures": (gettext_lazy("措施合计"), gettext_lazy("各河道之和")),
    "totals.measures_overdue": (gettext_lazy("超期措施合计"), gettext_lazy("各河道之和")),
    "sources": (gettext_lazy("数据来源"), gettext_lazy("各部分数据是否可用")),
    "sources.patrols": (gettext_lazy("有巡河数据"), gettext_lazy("可用 {% if sources.patrols %}")),
    "sources.orders": (gettext_lazy("有督办数据"), gettext_lazy("可用 {% if sources.orders %}")),
    "sources.quality": (gettext_lazy("有水质数据"), gettext_lazy("可用 {% if sources.quality %}")),
    "sources.plans": (gettext_lazy("有一河一策数据"), gettext_lazy("可用 {% if sources.plans %}")),
}


def field_picker() -> list[dict]:
    """The editor's picker: each field with its Chinese name, description and what to insert,
    grouped under its top-level field (a list item's fields are written ``river.…``)."""
    names = [n for n in field_names() if not n.endswith("[]")]
    groups = []
    for top, schema in FIELDS.items():
        label, description = FIELD_LABELS[top]
        if isinstance(schema, list) and isinstance(schema[0], dict):
            insert = "{% for river in " + top + " %}\n{{ river.name }}\n{% endfor %}"
        elif isinstance(schema, list):
            insert = "{% for item in " + top + " %}{{ item }}\n{% endfor %}"
        else:
            insert = "" if isinstance(schema, dict) else "{{ " + top + " }}"
        fields = []
        for name in names:
            if not (name.startswith(top + ".") or name.startswith(top + "[].")):
                continue
            expr = "river." + name.split(".", 1)[1] if name.startswith(top + "[].") else name
            sub = expr.rsplit(".", 1)[1]
            if isinstance(schema, list) and isinstance(schema[0].get(sub), list):
                text = "{% for item in " + expr + " %}{{ item }}\n{% endfor %}"
            else:
                text = "{{ " + expr + " }}"
            name_label, name_description = FIELD_LABELS[name]
            fields.append(
                {"name": expr, "label": name_label, "description": name_description, "insert": text}
            )
        groups.append(
            {
                "name": top,
                "label": label,
                "description": description,
                "insert": insert,
                "fields": fields,
            }
        )
    return groups


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


@lru_cache(maxsize=16)
def _l10n(language: str | None, thousands: bool) -> bool | None:
    """None (format numbers for the language, Django's default) unless the language writes
    them as Python does (no thousands separator, a decimal point): then False, which prints
    them with ``str`` at once, the same text without a trip through the format lookups for
    every number of every letter (a sixth of a letter's time)."""
    samples = (0, 7, -12, 1234567, 98765432109, 0.5, 12.0, 99.9, -1234567.25)
    return False if all(number_format(x) == str(x) for x in samples) else None


@lru_cache(maxsize=64)
def compiled(source: str):
    return ENGINE.from_string(source)


def render(source: str, context: dict) -> str:
    """The letter text of ``context`` (plain JSON: numbers, strings, lists, dicts)."""
    l10n = _l10n(get_language(), settings.USE_THOUSAND_SEPARATOR)
    context = Context(context, autoescape=False, use_l10n=l10n)
    text = compiled(source).render(context)
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
