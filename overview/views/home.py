"""The home page: one URL, a page per role.

Office staff and the inspector get the dashboard; chiefs get their own home
(``overview.views.chief.chief_home``), which is built separately and plugs in here.
"""

from django.contrib.auth.decorators import login_required

from overview.permissions import sees_overview
from overview.views.chief import chief_home
from overview.views.dashboard import dashboard


@login_required
def home(request):
    if sees_overview(request.user):
        return dashboard(request)
    return chief_home(request)
