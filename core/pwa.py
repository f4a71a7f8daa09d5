"""The phone pages as a small installable web app: the manifest and the service worker.

The service worker (templates/core/sw.js, served at /sw.js so that its scope is the whole
site) keeps the pages a chief needs without coverage — the patrol page, their river list and
their home — and the files those pages load, so that a reload in a field with no signal
shows the page and the patrol resumes from the phone's own buffer (patrols/static/patrols/
patrol.js). Pages are fetched from the network first and served from the cache only when
the network fails; the cache is dropped when the user logs out.
"""

import hashlib
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse

# Pages that open without a connection (url names; one a feature app lacks is left out).
OFFLINE_PAGES = ["home", "patrols:patrol-start", "rivers:river-list"]

# Static files those pages load (kept in step with base.html and patrol_start.html).
OFFLINE_STATIC = [
    "css/app.css",
    "vendor/htmx/htmx.min.js",
    "js/pwa.js",
    "patrols/patrols.css",
    "patrols/patrol.js",
    "icons/icon.svg",
    "icons/icon-192.png",
]

ICONS = [
    ("icons/icon-192.png", "192x192", "image/png", "any"),
    ("icons/icon-512.png", "512x512", "image/png", "any"),
    ("icons/icon-maskable-512.png", "512x512", "image/png", "maskable"),
    ("icons/icon.svg", "any", "image/svg+xml", "any"),
]


def offline_pages() -> list[str]:
    pages = []
    for name in OFFLINE_PAGES:
        try:
            pages.append(reverse(name))
        except NoReverseMatch:
            continue
    return pages


def offline_static() -> list[str]:
    return [static(path) for path in OFFLINE_STATIC]


def _file_digest(path: str) -> str:
    found = finders.find(path)
    if not found:
        return "missing"
    with open(found, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _version() -> str:
    """Changes whenever a cached file changes, so phones drop the old copies."""
    digest = hashlib.sha256()
    for path in OFFLINE_STATIC:
        digest.update(path.encode() + _file_digest(path).encode())
    digest.update(("|".join(offline_pages())).encode())
    return digest.hexdigest()[:12]


# Static files do not change while a production process runs; in development they do.
version = _version if settings.DEBUG else lru_cache(maxsize=1)(_version)


def manifest(*, name: str, short_name: str, start_label: str) -> dict:
    """The web app manifest (https://www.w3.org/TR/appmanifest/)."""
    try:
        start = reverse("patrols:patrol-start")
        shortcuts = [{"name": start_label, "url": start}]
    except NoReverseMatch:
        shortcuts = []
    return {
        "name": name,
        "short_name": short_name,
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f6f9",
        "theme_color": "#1d5fa8",
        "icons": [
            {"src": static(src), "sizes": sizes, "type": kind, "purpose": purpose}
            for src, sizes, kind, purpose in ICONS
        ],
        "shortcuts": shortcuts,
    }
