"""Screenshots the browser tests keep as artefacts (CI keeps test-results/)."""

from pathlib import Path

from django.conf import settings

SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def shoot(page, name: str) -> Path:
    """A full-page screenshot of ``page`` as test-results/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def phone_context(browser, live_server, **extra):
    options = {
        "locale": "zh-CN",
        "base_url": live_server.url,
        "viewport": PHONE,
        "is_mobile": True,
        "has_touch": True,
    }
    options.update(extra)
    return browser.new_context(**options)


def desktop_context(browser, live_server, **extra):
    return browser.new_context(locale="zh-CN", base_url=live_server.url, viewport=DESKTOP, **extra)
