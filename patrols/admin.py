from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from patrols import services
from patrols.models import AuthenticityPolicy, DutyRule, Finding, FindingPhoto, Patrol


@admin.register(Patrol)
class PatrolAdmin(SimpleHistoryAdmin):
    list_display = ["started_at", "chief", "river", "status", "review", "distance_m", "flags"]
    list_filter = ["status", "review", "level", "source"]
    search_fields = ["river__name", "chief__user__last_name", "walker_name"]
    raw_id_fields = ["chief", "river", "reach", "recorded_by", "reviewed_by", "region"]
    readonly_fields = ["flags", "distance_m", "point_count", "review", "reviewed_by"]
    date_hierarchy = "started_at"
    actions = ["accept", "reject"]

    def _review(self, request, queryset, decision, note=""):
        for patrol in queryset:
            try:
                services.review_patrol(patrol=patrol, by=request.user, decision=decision, note=note)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{patrol}: {exc}", messages.ERROR)

    @admin.action(description=_("认可所选巡河"))
    def accept(self, request, queryset):
        self._review(request, queryset, Patrol.Review.ACCEPTED)

    @admin.action(description=_("不予认可所选巡河"))
    def reject(self, request, queryset):
        self._review(request, queryset, Patrol.Review.REJECTED, note=str(_("管理后台批量不予认可")))


class PhotoInline(admin.TabularInline):
    model = FindingPhoto
    extra = 0
    readonly_fields = ["image", "taken_at", "latitude", "longitude"]


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ["found_at", "river", "category", "status"]
    list_filter = ["status", "category"]
    raw_id_fields = ["patrol", "river", "reach", "region", "reported_by"]
    readonly_fields = ["status"]
    inlines = [PhotoInline]


@admin.register(DutyRule)
class DutyRuleAdmin(SimpleHistoryAdmin):
    list_display = ["level", "period", "times", "per_river", "river", "is_active"]
    raw_id_fields = ["river"]


@admin.register(AuthenticityPolicy)
class AuthenticityPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["min_minutes", "min_distance_m", "max_speed_kmh", "max_river_distance_m"]
