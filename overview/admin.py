"""Admin of the overview: village boundaries and narratives are edited here as well; rules and
scorecards are read-only (rules change through a new version on the rules page, scorecards by
recomputing a month), so the admin cannot rewrite a closed month's rules or scores."""

from django.contrib import admin

from overview.models import AssessmentRules, ReportNarrative, Scorecard, VillageBoundary


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentRules)
class AssessmentRulesAdmin(ReadOnlyAdmin):
    list_display = ["valid_from", "town", "note", "created_by", "created_at"]
    list_filter = ["town"]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ["month", "town", "subject", "chief", "village", "score", "band"]
    list_filter = ["town", "subject", "month"]
    list_select_related = ["town", "chief__user", "village"]


@admin.register(ReportNarrative)
class ReportNarrativeAdmin(admin.ModelAdmin):
    list_display = ["town", "year", "section", "updated_by", "updated_at"]
    list_filter = ["town", "year"]
    raw_id_fields = ["town", "updated_by"]


@admin.register(VillageBoundary)
class VillageBoundaryAdmin(admin.ModelAdmin):
    list_display = ["village"]
    raw_id_fields = ["village"]
    search_fields = ["village__name", "village__code"]
