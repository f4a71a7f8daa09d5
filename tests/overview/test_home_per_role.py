"""One home URL, a page per role: the dashboard for the office and the district's inspector,
the chief's own home for chiefs."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["office_a", "inspector"])
def test_office_staff_and_the_inspector_get_the_dashboard_as_their_home(client, two_towns, who):
    client.force_login(getattr(two_towns, who))
    response = client.get("/")
    assert response.status_code == 200
    assert "overview/dashboard.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("who", ["chief_a1", "town_chief_a"])
def test_chiefs_get_their_own_home_not_the_dashboard(client, two_towns, who):
    client.force_login(getattr(two_towns, who))
    response = client.get("/")
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "overview/chief_home.html" in names
    assert "overview/dashboard.html" not in names


@pytest.mark.parametrize("who", ["chief_a1", "town_chief_a"])
def test_a_chief_cannot_open_the_dashboard_directly(client, two_towns, who):
    client.force_login(getattr(two_towns, who))
    assert client.get(reverse("overview:dashboard")).status_code == 403


def test_the_unread_notification_count_still_reaches_every_page(client, two_towns):
    from notices import services

    services.notify(key="k", recipient=two_towns.chief_a1, kind="test", title="t")
    client.force_login(two_towns.chief_a1)
    assert client.get(reverse("rivers:river-list")).context["unread_notifications"] == 1


@pytest.mark.parametrize(
    ("who", "sees"),
    [("office_a", True), ("inspector", True), ("chief_a1", False), ("town_chief_a", False)],
)
def test_the_menu_offers_map_assessment_and_report_to_the_office_and_district_only(
    client, two_towns, who, sees
):
    client.force_login(getattr(two_towns, who))
    urls = {i["url"] for i in client.get(reverse("rivers:river-list")).context["nav_items"]}
    wanted = {reverse("overview:map"), reverse("overview:scorecards"), reverse("overview:report")}
    assert (wanted <= urls) is sees
    assert not (wanted & urls) or sees


def test_the_overviews_admin_pages_open_and_scorecards_cannot_be_edited_there(client, two_towns):
    from django.contrib.auth import get_user_model

    from overview.models import Scorecard

    root = get_user_model().objects.create_superuser("root-o", "root@example.com", "x")
    client.force_login(root)
    for name in ("assessmentrules", "scorecard", "reportnarrative", "villageboundary"):
        assert client.get(reverse(f"admin:overview_{name}_changelist")).status_code == 200
    assert not admin_site_allows_change(Scorecard)


def admin_site_allows_change(model) -> bool:
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    return admin.site._registry[model].has_change_permission(request)
