"""Links into other apps that may not be installed yet (the menu does the same)."""

from django.urls import NoReverseMatch, reverse


def order_from_finding_url(finding_id: int) -> str | None:
    """The directives app's "turn into a supervision order" page, if that app provides it."""
    try:
        return reverse("directives:order-from-finding", kwargs={"finding_id": finding_id})
    except NoReverseMatch:
        return None
