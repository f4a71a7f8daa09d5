"""``{% map_config %}``: what static/js/map.js needs to draw a map, as a JSON script element.

Every page with a map loads Leaflet, static/js/map.js and puts ``{% map_config %}`` in its body;
its script then calls ``RiverMap.create(element)``.
"""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import json_script
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def map_config():
    return json_script(
        {
            "tiles": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "base_url": reverse("rivers:base-map"),
            "base_attribution": _("底图：河道名录中的河道走向"),
        },
        "map-config",
    )
