"""One way to write numbers on every page (issue 10 item 11).

``{{ n|num }}`` groups thousands (3,344) and keeps a number's own decimals;
``{{ n|num:1 }}`` fixes them (12.5); ``{{ n|km }}`` is a length: "1.50 公里" in Chinese and
"1.50 km" in English. A missing value is "—". Both languages write 1,234.5 (grouping by three
as the reference report does; Django's zh-hans locale format would group by four).
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import numberformat
from django.utils.translation import gettext as _

register = template.Library()

MISSING = "—"


def format_number(value, decimals: int | None = None) -> str:
    if value is None or value == "":
        return MISSING
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return numberformat.format(
        number,
        decimal_sep=".",
        decimal_pos=decimals,
        grouping=3,
        thousand_sep=",",
        force_grouping=True,
    )


@register.filter
def num(value, decimals=None):
    return format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def km(value, decimals=2):
    if value is None or value == "":
        return MISSING
    return _("%(n)s 公里") % {"n": format_number(value, int(decimals))}
