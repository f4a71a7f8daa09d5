from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from smallwater.models import Care, Photo, Policy


@admin.register(Care)
class CareAdmin(SimpleHistoryAdmin):
    list_display = ["water_body", "responsible", "classification", "inspected_on"]
    list_filter = ["classification"]
    search_fields = ["water_body__name", "water_body__code"]
    raw_id_fields = ["water_body", "responsible", "updated_by"]


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    list_display = ["water_body", "plan", "prepared_on"]
    search_fields = ["water_body__name", "water_body__code"]
    raw_id_fields = ["water_body", "plan", "prepared_by", "measures"]


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["water_body", "caption", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["water_body", "uploaded_by"]
