from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, who sees it: "all", "staff" = office and inspector, "office"). Entries
# whose URL does not resolve are left out, so an app appears in the menu once its pages exist.
NAV = [
    ("home", _("首页"), "all"),
    ("rivers:river-list", _("河道名录"), "all"),
    ("rivers:chief-list", _("河长名录"), "all"),
    ("patrols:patrol-list", _("巡河"), "all"),
    ("directives:order-board", _("督办单"), "all"),
    ("monitoring:river-quality-list", _("水质"), "all"),
    ("plans:programme-list", _("一河一策"), "all"),
    ("letters:inbox", _("一信河长"), "all"),
    ("public:office", _("公众参与"), "office"),
    ("smallwater:body-list", _("小微水体"), "all"),
    ("smartwater:site-list", _("监测点"), "staff"),
    ("overview:map", _("地图"), "staff"),
    ("overview:scorecards", _("考核"), "staff"),
    ("overview:report", _("年度工作总结"), "staff"),
]


def _audiences(user) -> set[str]:
    """Which NAV audiences a user belongs to: a menu offers only what the role can use."""
    from core.scoping import can_manage_registry

    audiences = {"all"}
    if can_manage_registry(user):
        audiences |= {"office", "staff"}
    elif getattr(user, "role", "") == "inspector":
        audiences.add("staff")
    return audiences


def navigation(request):
    items = []
    audiences = _audiences(getattr(request, "user", None))
    for name, label, audience in NAV:
        if audience not in audiences:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": False})
    # Only the longest matching entry is active (/rivers/chiefs/ is not also /rivers/).
    matches = [i for i in items if i["url"] != "/" and request.path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items}
