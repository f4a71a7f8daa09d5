from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language, get_language_info, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# (url name, label, who sees it: "all", "staff" = office and inspector, "office"). Entries
# whose URL does not resolve are left out, so an app appears in the menu once its pages exist.
NAV = [
    ("home", _("首页"), "all"),
    ("rivers:river-list", _("河道名录"), "all"),
    ("rivers:chief-list", _("河长名录"), "all"),
    ("patrols:patrol-list", _("巡河"), "all"),
    ("directives:order-board", pgettext_lazy("menu", "督办单"), "all"),
    ("monitoring:river-quality-list", _("水质"), "all"),
    ("plans:programme-list", pgettext_lazy("menu", "一河一策"), "all"),
    ("letters:inbox", pgettext_lazy("menu", "一信河长"), "all"),
    ("public:office", _("公众参与"), "office"),
    ("smallwater:body-list", _("小微水体"), "all"),
    ("smartwater:site-list", _("监测点"), "staff"),
    ("overview:map", _("地图"), "staff"),
    ("overview:scorecards", _("考核"), "staff"),
    ("overview:report", _("年度工作总结"), "staff"),
]

# The menu of each audience in each language, as (url, label): the same for every user of
# that audience, so reversed and translated once per process (every page paid ~0.4 ms).
_menus: dict[tuple, tuple[tuple[str, str], ...]] = {}
_languages: dict[tuple, tuple[dict, ...]] = {}


def _audiences(user) -> frozenset[str]:
    """Which NAV audiences a user belongs to: a menu offers only what the role can use."""
    from core.scoping import can_manage_registry

    if can_manage_registry(user):
        return frozenset({"all", "office", "staff"})
    if getattr(user, "role", "") == "inspector":
        return frozenset({"all", "staff"})
    return frozenset({"all"})


def _menu(audiences: frozenset[str]) -> tuple[tuple[str, str], ...]:
    key = (audiences, get_language(), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    menu = _menus.get(key)
    if menu is None:
        entries = []
        for name, label, audience in NAV:
            if audience not in audiences:
                continue
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            entries.append((url, str(label)))
        menu = _menus[key] = tuple(entries)
    return menu


def language_list() -> tuple[dict, ...]:
    """The language switcher's choices, each by its own name (English, 简体中文)."""
    key = tuple(settings.LANGUAGES)
    found = _languages.get(key)
    if found is None:
        found = _languages[key] = tuple(get_language_info(code) for code, _name in key)
    return found


def navigation(request):
    menu = _menu(_audiences(getattr(request, "user", None)))
    # Only the longest matching entry is active (/rivers/chiefs/ is not also /rivers/).
    path = request.path
    active = max(
        (url for url, _label in menu if url != "/" and path.startswith(url)), key=len, default=None
    )
    return {
        "nav_items": [{"url": url, "label": label, "active": url == active} for url, label in menu],
        "language_list": language_list(),
    }
