"""Issue 13, item 12: a Content-Security-Policy that the pages keep (no inline scripts)."""

import re

import pytest

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_every_page_carries_a_policy_that_allows_only_our_own_scripts(two_towns, client):
    client.force_login(two_towns.office_a)
    response = client.get("/rivers/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/rivers/",
        "/rivers/{river}/",
        "/patrols/",
        "/patrols/duty/",
        "/patrols/stats/",
        "/directives/",
        "/directives/statistics/",
        "/monitoring/",
        "/monitoring/rivers/{river}/",
        "/plans/",
        "/letters/",
    ],
)
def test_pages_have_no_inline_script_or_event_handler(two_towns, client, path):
    client.force_login(two_towns.office_a)
    response = client.get(path.format(river=two_towns.river_a1.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.findall(html)
    assert not HANDLER.findall(html)
