"""Menus show only what a role can use; statistics scope every figure alike (issue 10 item 6)."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a\b[^>]*\bhref="([^"#]+)"')
SKIP = ("/logout/", "/admin/", "/api/", "/static/", "/media/", ".xlsx", "/pdf/")


def _links(html: str) -> set[str]:
    found = set()
    for href in LINK.findall(html):
        href = href.replace("&amp;", "&")
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP):
            continue
        if any(s in parts.path for s in SKIP):
            continue
        found.add(href)
    return found


def _crawl(client, start: str = "/", depth: int = 2) -> dict[str, int]:
    """Every page reachable by links from the home page within ``depth`` clicks: status."""
    seen: dict[str, int] = {}
    frontier = {start}
    for _ in range(depth + 1):
        following = set()
        for url in sorted(frontier - set(seen)):
            response = client.get(url)
            seen[url] = response.status_code
            if response.status_code == 200 and "text/html" in response["Content-Type"]:
                following |= _links(response.content.decode())
        frontier = following
    return seen


@pytest.mark.parametrize("who", ["chief_a1", "town_chief_a", "inspector"])
def test_no_link_a_role_is_offered_leads_to_a_page_it_may_not_use(client, two_towns, who):
    client.force_login(getattr(two_towns, who))
    statuses = _crawl(client)
    assert len(statuses) > 10
    refused = {url: code for url, code in statuses.items() if code in (403, 500)}
    assert refused == {}


def test_a_village_chief_is_not_offered_the_offices_rules_pages(client, two_towns):
    client.force_login(two_towns.chief_a1)
    html = client.get(reverse("patrols:patrol-list")).content.decode()
    assert reverse("patrols:rules") not in html
    client.force_login(two_towns.office_a)
    html = client.get(reverse("patrols:patrol-list")).content.decode()
    assert reverse("patrols:rules") in html


def test_a_village_chiefs_order_statistics_count_work_orders_in_their_scope_only(client, two_towns):
    from datetime import date

    from tests.directives.factories import InspectionRoundFactory, WorkOrderFactory

    d = two_towns
    year = 2018
    inspection = InspectionRoundFactory(town=d.town_a, start_date=date(year, 9, 10))
    WorkOrderFactory(inspection_round=inspection, river=d.river_a1)
    WorkOrderFactory(inspection_round=inspection, river=d.river_a2)
    WorkOrderFactory(inspection_round=inspection, river=d.river_a2)

    client.force_login(d.chief_a1)
    stats = client.get(reverse("directives:statistics") + f"?year={year}").context["stats"]
    assert stats["work_orders"] == 1
    assert stats["inspection_rounds"] == 1

    client.force_login(d.office_a)
    stats = client.get(reverse("directives:statistics") + f"?year={year}").context["stats"]
    assert stats["work_orders"] == 3


@pytest.mark.parametrize(
    ("who", "offered"),
    [("office_a", True), ("inspector", False), ("town_chief_a", False), ("chief_a1", False)],
)
def test_the_main_menu_offers_office_entries_only_to_the_office(client, two_towns, who, offered):
    client.force_login(getattr(two_towns, who))
    labels = [str(i["label"]) for i in client.get("/").context["nav_items"]]
    assert "首页" in labels
    assert ("公众参与" in labels) is offered
