"""``{{ row.pk|link:"app:route" }}``: the row's URL, as ``{% url "app:route" row.pk %}`` gives
it, without walking the URL patterns again for every row; ``{% route "app:route" %}``: a route
without arguments, as ``{% url "app:route" %}`` gives it, reversed once (:mod:`core.links`)."""

from django import template

from core import links

register = template.Library()


@register.filter
def link(pk, name: str) -> str:
    return links.url_of(name)(pk)


@register.simple_tag
def route(name: str) -> str:
    return links.route(name)
