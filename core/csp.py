"""Content-Security-Policy for every page: scripts only from our own static files.

Pages pass data to scripts with ``json_script`` and carry no inline ``<script>`` code or
``on*=`` attributes, so ``script-src 'self'`` holds; Leaflet, ECharts and htmx are served from
/static/. Inline *styles* stay allowed (htmx's indicator style, ECharts' and Leaflet's element
styles). Map tiles may come from the origin of ``MAP_TILE_URL``. The API docs (Swagger UI,
ReDoc: third-party pages with inline bootstrap scripts) are left out.
"""

from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

EXEMPT_PREFIXES = ("/api/docs/", "/api/redoc/")


@lru_cache(maxsize=8)
def policy(tile_url: str = "") -> str:
    img = ["'self'", "data:", "blob:"]
    tiles = urlsplit(tile_url.replace("{s}", "a"))
    if tiles.scheme and tiles.netloc:
        host = tiles.netloc.replace("a.", "*.", 1) if "{s}" in tile_url else tiles.netloc
        img.append(f"{tiles.scheme}://{host}")
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": img,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CSP_ENABLED and not request.path.startswith(EXEMPT_PREFIXES):
            response.headers.setdefault("Content-Security-Policy", policy(settings.MAP_TILE_URL))
        return response
