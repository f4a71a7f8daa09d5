"""The same words and numbers everywhere (issue 10 item 11)."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests import factories

pytestmark = pytest.mark.django_db

GET_FORM = re.compile(r"<form\b[^>]*method=\"get\"[^>]*>.*?</form>", re.S | re.I)
LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)"')
SKIP = ("/logout/", "/admin/", "/api/", "/static/", "/media/", "/i18n/")


def _crawl(client, depth=2):
    seen, frontier, pages = set(), {"/"}, {}
    for _ in range(depth + 1):
        following = set()
        for url in sorted(frontier - seen):
            seen.add(url)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            html = response.content.decode()
            pages[url] = html
            for href in LINK.findall(html):
                href = href.replace("&amp;", "&")
                if not href.startswith(SKIP) and not href.endswith((".xlsx", ".pdf", "/pdf/")):
                    following.add(href)
        frontier = following
    return pages


@pytest.mark.parametrize("who", ["office_a", "chief_a1"])
def test_every_empty_filter_choice_reads_all(client, two_towns, who):
    client.force_login(getattr(two_towns, who))
    pages = _crawl(client)
    forms = {url: GET_FORM.findall(html) for url, html in pages.items()}
    assert sum(len(f) for f in forms.values()) >= 3
    dashes = [url for url, found in forms.items() if any("---------" in f for f in found)]
    assert dashes == []


def test_the_language_menu_names_english_in_english(client, two_towns):
    client.force_login(two_towns.office_a)
    html = client.get(reverse("rivers:river-list")).content.decode()
    assert '<option value="en">English</option>' in html


def test_no_english_is_left_in_the_chinese_admin(client):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Django" not in index
    assert "河长制办公系统管理" in index
    assert "Axes" not in index
    assert "登录防护" in index
    assert not re.search(r"[Aa]ccess (attempts|logs|failures)", index)
    attempts = client.get("/admin/axes/accessattempt/").content.decode()
    for english in ("IP Address", "User Agent", "Failed Logins", "Attempt Time"):
        assert english not in attempts


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "3,344 · 1,234.5 · 6.20 公里 · —"), ("en", "3,344 · 1,234.5 · 6.20 km · —")],
)
def test_one_filter_writes_numbers_and_lengths_the_same_way_in_each_language(language, expected):
    template = Template("{% load numbers %}{{ a|num }} · {{ b|num:1 }} · {{ c|km }} · {{ d|num }}")
    with translation.override(language):
        out = template.render(Context({"a": 3344, "b": "1234.50", "c": "6.2", "d": None}))
    assert out == expected


def test_every_page_has_a_favicon_and_browsers_asking_for_favicon_ico_get_it(client, two_towns):
    client.force_login(two_towns.chief_a1)
    html = client.get("/").content.decode()
    assert re.search(r'<link rel="icon" href="[^"]+icon\.svg"', html)
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("icons/icon.svg")


def test_no_raw_uuid_is_shown_as_a_findings_name(client, two_towns):
    from tests.patrols.factories import FindingFactory, PatrolFactory

    d = two_towns
    finding = FindingFactory(patrol=PatrolFactory(chief=d.chief_a1.chief, river=d.river_a1))
    client.force_login(d.office_a)
    html = client.get(reverse("patrols:finding-detail", args=[finding.pk])).content.decode()
    assert str(finding.client_id) not in html


def test_a_chief_without_a_recorded_name_is_listed_by_login_not_as_a_blank(two_towns):
    from patrols.selectors.stats import patrol_stats
    from tests.patrols.factories import PatrolFactory

    d = two_towns
    d.chief_a1.first_name = d.chief_a1.last_name = ""
    d.chief_a1.save()
    PatrolFactory(chief=d.chief_a1.chief, river=d.river_a1)
    stats = patrol_stats(user=d.office_a, year=2018, group="chief")
    assert [row.label for row in stats.rows] == [d.chief_a1.username]


def test_chiefs_are_listed_by_rank_then_by_the_pinyin_of_their_names(client, two_towns):
    d = two_towns
    for last_name in ("张", "王", "李", "陈"):
        user = factories.UserFactory(
            role="village_chief", region=d.village_a2, last_name=last_name, first_name="伟"
        )
        factories.ChiefFactory(user=user, region=d.village_a2, level="village")
    client.force_login(d.office_a)
    html = client.get(reverse("rivers:chief-list") + f"?village={d.village_a2.pk}").content
    html = html.decode()
    order = [html.index(f">{name}伟<") for name in ("陈", "李", "王", "张")]
    assert order == sorted(order)

    everyone = client.get(reverse("rivers:chief-list")).content.decode()
    # The town's first chief before any village chief.
    assert everyone.index(d.town_chief_a.display_name) < everyone.index("陈伟")


def test_no_two_apps_translate_the_same_count_differently():
    """Django merges every app's catalog into one per language, so a count (a plural msgid)
    translated differently in two apps shows one app's noun on the other's pages: the patrol
    list said "5481 rivers" because the chief page's "共 %(n)s 条" was the registry's."""
    import gettext
    from pathlib import Path

    from django.conf import settings

    counts: dict[tuple, dict[str, tuple]] = {}
    catalogs = sorted(Path(settings.BASE_DIR).glob("*/locale/en/LC_MESSAGES/django.mo"))
    assert len(catalogs) > 5, "compile the catalogs first (./scripts/setup does)"
    for path in catalogs:
        with path.open("rb") as fh:
            catalog = gettext.GNUTranslations(fh)._catalog
        for key, text in catalog.items():
            if isinstance(key, tuple):  # (msgid, plural form)
                counts.setdefault(key, {})[path.parts[-5]] = text
    clashes = {key: apps for key, apps in counts.items() if len(set(apps.values())) > 1}
    assert clashes == {}


def test_no_two_catalogs_translate_the_same_words_differently():
    """The same merge for single words: with "期限" translated "Deadline" by the orders and
    "Period" by the plans, one of the two pages showed the other's word. A word that means two
    things in English carries a context (pgettext, {% translate ... context ... %}), and each
    (context, msgid) has one translation in every catalog, the project's own included."""
    import gettext
    from pathlib import Path

    from django.conf import settings

    base = Path(settings.BASE_DIR)
    words: dict[str, dict[str, str]] = {}
    catalogs = sorted(base.glob("*/locale/en/LC_MESSAGES/django.mo"))
    assert len(catalogs) > 5, "compile the catalogs first (./scripts/setup does)"
    for path in [*catalogs, *(Path(p) / "en/LC_MESSAGES/django.mo" for p in settings.LOCALE_PATHS)]:
        with path.open("rb") as fh:
            catalog = gettext.GNUTranslations(fh)._catalog
        for key, text in catalog.items():
            if isinstance(key, str) and key:  # "msgid", or "context\x04msgid"
                words.setdefault(key, {})[str(path.relative_to(base).parts[0])] = text
    clashes = {key: apps for key, apps in words.items() if len(set(apps.values())) > 1}
    assert clashes == {}


def test_the_patrol_list_counts_patrols_in_english(client, two_towns):
    from tests.patrols.factories import PatrolFactory, chief_on_river

    chief, river = chief_on_river(two_towns.village_a1)
    PatrolFactory(chief=chief, river=river)
    PatrolFactory(chief=chief, river=river)
    client.force_login(two_towns.office_a)
    page = client.get("/patrols/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 patrols" in page
    assert "2 rivers" not in page
