from django.db import models
from django.utils.translation import gettext_lazy as _


class WaterClass(models.IntegerChoices):
    """Surface-water classes of GB 3838-2002; 6 stands for worse than Class V (劣Ⅴ类)."""

    I = 1, _("Ⅰ类")  # noqa: E741
    II = 2, _("Ⅱ类")
    III = 3, _("Ⅲ类")
    IV = 4, _("Ⅳ类")
    V = 5, _("Ⅴ类")
    WORSE_THAN_V = 6, _("劣Ⅴ类")


class ChiefLevel(models.TextChoices):
    """River levels follow chief levels (河道分级与河长分级一致)."""

    DISTRICT = "district", _("区级")
    TOWN = "town", _("镇级")
    VILLAGE = "village", _("村级")


def labels(choices) -> dict:
    """``value -> label`` in the current language, for a page that prints many rows: looked up
    once per page instead of ``get_FOO_display`` (which rebuilds the choices on every call).
    ``choices``: a Choices class, or ``(value, label)`` pairs."""
    pairs = getattr(choices, "choices", choices)
    return {value: str(label) for value, label in pairs}
