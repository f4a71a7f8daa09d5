from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from smartwater.models import Site


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "town", "river", "gate", "status"]
    list_filter = ["status", "town"]
    search_fields = ["code", "name", "river__name", "gate__name"]
    raw_id_fields = ["town", "river", "gate"]
