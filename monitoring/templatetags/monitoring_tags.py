from django import template

from monitoring import standards

register = template.Library()


@register.filter
def class_css(water_class) -> str:
    """ok for Class I–III, warn for IV–V, bad for worse than V."""
    if not water_class:
        return ""
    return "ok" if water_class <= 3 else "warn" if water_class <= 5 else "bad"


@register.filter
def class_label(water_class) -> str:
    return standards.class_label(water_class)


@register.filter
def odour_css(level) -> str:
    if level is None:
        return ""
    return {0: "ok", 1: "warn", 2: "bad"}[int(level)]


@register.filter
def mean_of(means: dict, param) -> str:
    value = means.get(param.code)
    return "" if value is None else f"{value:.{min(param.decimals, 3)}f}"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def do_rule_text() -> str:
    """The DO Class I rule in force, in words (setting MONITORING_DO_CLASS_I_RULE)."""
    return standards.do_rule_text()
