from django import template

from patrols.links import order_from_finding_url

register = template.Library()


@register.simple_tag
def order_from_finding(finding) -> str | None:
    """URL of directives:order-from-finding for this finding, or None when it does not exist."""
    return order_from_finding_url(finding.pk)
