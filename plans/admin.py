from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from plans.models import Measure, Plan, PlanTarget, Programme, ResponsibilityLetter


class ResponsibilityLetterInline(admin.TabularInline):
    model = ResponsibilityLetter
    extra = 0
    raw_id_fields = ["region"]


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "region", "start_date", "end_date"]
    inlines = [ResponsibilityLetterInline]


class TargetInline(admin.TabularInline):
    model = PlanTarget
    extra = 0


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "programme", "river", "region", "batch"]
    list_filter = ["programme", "batch"]
    search_fields = ["title", "river__name", "river__code"]
    raw_id_fields = ["river", "region"]
    inlines = [TargetInline]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "owner_unit", "deadline", "status", "progress"]
    list_filter = ["status"]
    search_fields = ["title", "plan__title", "owner_unit"]
    raw_id_fields = ["plan", "owner_chief", "updated_by"]
    # Progress goes through plans.services.update_progress (note rules, history reason).
    readonly_fields = ["progress", "status", "note", "updated_at", "updated_by"]
