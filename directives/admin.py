from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from directives import services
from directives.models import (
    Directive,
    Event,
    ExtensionRequest,
    InspectionRound,
    Rectification,
    WorkOrder,
    WorkOrderReply,
)


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "at", "from_status", "to_status", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class RectificationInline(admin.StackedInline):
    model = Rectification
    extra = 0
    can_delete = False
    readonly_fields = [
        "text",
        "submitted_by",
        "submitted_at",
        "outcome",
        "reviewed_by",
        "reviewed_at",
        "review_note",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Directive)
class DirectiveAdmin(SimpleHistoryAdmin):
    """Read-mostly: orders change only through the workflow services (also the action)."""

    list_display = ["number", "title", "river", "target_village", "deadline", "status"]
    list_filter = ["status", "source", "severity", "year"]
    search_fields = ["number", "title", "river__name"]
    raw_id_fields = ["river", "reach", "target_village", "target_chief", "finding", "work_order"]
    readonly_fields = [f.name for f in Directive._meta.fields]
    inlines = [RectificationInline, EventInline]
    actions = ["close_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("核查通过并销号（仅限整改待核查的督办单）"))
    def close_selected(self, request, queryset):
        done = 0
        for directive in queryset:
            try:
                services.close_directive(directive=directive, by=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{directive.number}: {exc}", messages.WARNING)
        self.message_user(request, _("已销号 %(n)d 件") % {"n": done})


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(SimpleHistoryAdmin):
    list_display = ["directive", "requested_deadline", "decision", "requested_by"]
    list_filter = ["decision"]
    raw_id_fields = ["directive"]
    readonly_fields = [f.name for f in ExtensionRequest._meta.fields]


class WorkOrderReplyInline(admin.TabularInline):
    model = WorkOrderReply
    extra = 0
    readonly_fields = ["text", "replied_by", "replied_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InspectionRound)
class InspectionRoundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "group", "town", "start_date", "end_date"]
    raw_id_fields = ["town"]
    filter_horizontal = ["rivers"]


@admin.register(WorkOrder)
class WorkOrderAdmin(SimpleHistoryAdmin):
    list_display = ["number", "inspection_round", "river", "reply_deadline", "status"]
    list_filter = ["status"]
    raw_id_fields = ["inspection_round", "river"]
    readonly_fields = ["status", "answered_at"]
    inlines = [WorkOrderReplyInline]
