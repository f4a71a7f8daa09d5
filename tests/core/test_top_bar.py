"""The top bar of every page: the menu, the languages, the bell and the user's title.

The menu's links and labels are worked out once per process for each audience and language
(core.context_processors); what is marked active, the unread count and the title stay per
request and per user.
"""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone, translation

from notices import services as notices

pytestmark = pytest.mark.django_db


def _menu(client, path="/rivers/"):
    return [(i["url"], str(i["label"]), i["active"]) for i in client.get(path).context["nav_items"]]


def test_each_role_gets_its_own_menu_whoever_asked_first(client, two_towns):
    d = two_towns
    menus = {}
    for who in ("chief_a1", "office_a", "inspector", "chief_a2", "office_b"):
        client.force_login(getattr(d, who))
        menus[who] = _menu(client)
    public = reverse("public:office")
    assert public in {url for url, _l, _a in menus["office_a"]}
    assert public not in {url for url, _l, _a in menus["inspector"]}
    assert reverse("overview:map") in {url for url, _l, _a in menus["inspector"]}
    assert reverse("overview:map") not in {url for url, _l, _a in menus["chief_a1"]}
    assert menus["chief_a1"] == menus["chief_a2"]
    assert menus["office_a"] == menus["office_b"]


def test_the_active_entry_follows_the_page_not_the_last_request(client, town_staff):
    client.force_login(town_staff)
    chiefs = reverse("rivers:chief-list")
    assert [url for url, _l, active in _menu(client, chiefs) if active] == [chiefs]
    assert [url for url, _l, active in _menu(client, "/") if active] == []
    assert [url for url, _l, active in _menu(client, "/patrols/") if active] == ["/patrols/"]


def test_the_menu_and_the_languages_follow_the_users_language(client, town_staff):
    client.force_login(town_staff)
    assert ("/", "首页", False) in _menu(client)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        html = client.get("/rivers/").content.decode()
        assert ("/", "Home", False) in _menu(client)
    assert '<option value="en" selected>English</option>' in html
    assert '<option value="zh-hans">简体中文</option>' in html


def test_the_bell_and_the_title_are_each_users_own(client, two_towns):
    d = two_towns
    notices.notify(key="a", recipient=d.chief_a1, kind="test", title="t")
    notices.notify(key="b", recipient=d.chief_a1, kind="test", title="t")

    client.force_login(d.chief_a1)
    html = client.get("/rivers/").content.decode()
    assert '<span class="badge" id="unread-count">2</span>' in html
    assert '<span id="user-title">村级河长</span>' in html

    client.force_login(d.town_chief_a)
    html = client.get("/rivers/").content.decode()
    assert 'id="unread-count"' not in html
    assert '<span id="user-title">第一总河长</span>' in html

    client.force_login(d.office_a)
    html = client.get("/rivers/").content.decode()
    assert 'id="unread-count"' not in html
    assert '<span id="user-title">河长办工作人员</span>' in html


def test_a_page_reads_the_bell_and_the_title_in_one_query_each(
    client, two_towns, django_assert_num_queries
):
    client.force_login(two_towns.chief_a1)
    client.get("/notices/")
    # session, user, the inbox's count; then the bell, and the title (the inbox reads no
    # chief profile); the inbox is empty, so no page of notifications is read
    with django_assert_num_queries(5):
        assert client.get("/notices/").status_code == 200


def test_an_expired_session_is_not_loaded(client, town_staff):
    client.force_login(town_staff)
    assert client.get("/rivers/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/rivers/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
