"""``{{ row.pk|link:"app:route" }}``: the row's URL, as ``{% url "app:route" row.pk %}`` gives
it, without walking the URL patterns again for every row (:mod:`core.links`)."""

from django import template

from core.links import url_of

register = template.Library()


@register.filter
def link(pk, name: str) -> str:
    return url_of(name)(pk)
