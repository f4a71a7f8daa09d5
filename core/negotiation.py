"""Content negotiation with a shortcut for what API clients send (district systems, apps).

A client that sends no ``Accept`` header, ``*/*`` or ``application/json``, with no ``?format=``
and no format suffix, gets the view's first renderer (JSON), exactly as DRF's negotiation
would choose it, without parsing and ordering the header's media types on every request.
Anything else (a browser's ``text/html,...``, ``?format=api``) takes DRF's way.
"""

from rest_framework.negotiation import DefaultContentNegotiation

PLAIN = ("*/*", "application/json")


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT") or "*/*"
        if (
            accept in PLAIN
            and format_suffix is None
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            renderer = renderers[0]
            if accept == "*/*" or renderer.media_type == accept:
                return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
