"""Every page a chief uses fits a 390 px phone and asks nothing outside the machine
(issue 10 items 8 and 13), in Chromium.

The pages are not listed by hand: every page a chief reaches by links from their home within
two clicks (one per view: the same view with other ids looks the same) is opened.
"""

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve

from directives import services as directive_services
from directives.models import Source
from letters import services as letter_services
from tests.conftest import login
from tests.e2e.screens import phone_context, shoot
from tests.patrols.factories import FindingFactory, PatrolFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r'<a\b[^>]*\bhref="([^"#]+)"')
SKIP = ("/logout/", "/admin/", "/api/", "/static/", "/media/", "/i18n/")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

# Where something sticks out, name it: the widest elements past the right edge.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0) {
      let inScroller = false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') {
          inScroller = true; break;
        }
      }
      if (!inScroller) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
        ' ' + Math.round(r.right) + 'px');
    }
  }
  // A code (ZJ-Z001) on one line: never broken at its hyphen.
  const wrapped = [];
  for (const el of document.querySelectorAll('.code')) {
    // The lines its text occupies (a table cell is as tall as its row: measure the text).
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
    if (tops.size > 1) wrapped.push(el.textContent.trim());
  }
  return {scroll: document.documentElement.scrollWidth, width: width, out: out.slice(0, 8),
          wrapped: wrapped.slice(0, 8)};
}"""


def _chief_work(d):
    """Something on every page: an order, a letter, a patrol with a finding."""
    directive_services.issue_directive(
        issued_by=d.office_a,
        river=d.river_a1,
        title="河面漂浮垃圾和水葫芦需要在限期内清理干净",
        description="桥下有大量漂浮垃圾和水葫芦，影响河道行洪和景观",
        deadline=date(2030, 3, 10),
        source=Source.PHONE_REPORT,
        target_village=d.village_a1,
        target_chief=d.chief_a1.chief,
        notify_target=False,
    )
    # Real letters, composed as the monthly job does (their figures tables included).
    batch = letter_services.create_batch(town=d.town_a, month=date(2026, 3, 1))
    letter_services.ensure_letters(batch=batch)
    for letter in batch.letters.all():
        letter_services.compose_and_send_letter(letter_id=letter.pk)
    patrol = PatrolFactory(chief=d.chief_a1.chief, river=d.river_a1)
    FindingFactory(patrol=patrol)


def _pages_of(user) -> list[str]:
    """One URL per view the user reaches by links from the home page within two clicks."""
    client = Client()
    client.force_login(user)
    seen: dict[str, str] = {}
    views: set[str] = set()
    frontier = ["/"]
    for _ in range(3):
        following = []
        for url in frontier:
            if url in seen:
                continue
            response = client.get(url)
            seen[url] = ""
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            view = resolve(urlsplit(url).path).view_name
            if view in views:
                continue
            views.add(view)
            seen[url] = view
            for href in LINK.findall(response.content.decode()):
                href = href.replace("&amp;", "&")
                parts = urlsplit(href)
                if parts.netloc or not parts.path.startswith("/"):
                    continue
                if parts.path.startswith(SKIP) or parts.path.endswith((".xlsx", ".pdf", "/pdf/")):
                    continue
                following.append(href)
        frontier = following
    return [url for url, view in seen.items() if view]


@pytest.mark.parametrize("who", ["chief_a1", "town_chief_a"])
def test_every_page_a_chief_uses_fits_a_390_px_phone_with_no_request_outside(
    browser, live_server, two_towns, settings, who
):
    settings.SMS_BACKEND = "notices.sms.LocmemBackend"
    settings.MAP_TILE_URL = ""
    _chief_work(two_towns)
    user = getattr(two_towns, who)
    pages = _pages_of(user)
    assert len(pages) >= 12, pages

    context = phone_context(browser, live_server)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.set_default_timeout(20_000)
    login(page, user.username)
    too_wide = {}
    wrapped_codes = {}
    for url in pages:
        page.goto(url)
        page.wait_for_load_state("load")
        found = page.evaluate(OVERFLOW_JS)
        name = resolve(urlsplit(url).path).view_name.replace(":", "-")
        if found["wrapped"]:
            wrapped_codes[url] = found["wrapped"]
        if found["scroll"] > found["width"]:
            too_wide[url] = found
            shoot(page, f"too-wide-{who}-{name}-390")
        else:
            shoot(page, f"chief-{who}-{name}-390")
    context.close()

    outside = [
        u
        for u in requests
        if urlsplit(u).scheme.startswith("http") and urlsplit(u).hostname not in LOCAL_HOSTS
    ]
    assert outside == []
    assert too_wide == {}
    assert wrapped_codes == {}
