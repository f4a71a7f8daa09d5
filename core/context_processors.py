from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, who sees it). Entries whose URL does not resolve are left out, so an app
# appears in the menu once its pages exist.
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
]


def navigation(request):
    items = []
    for name, label, _audience in NAV:
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
