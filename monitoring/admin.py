from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from monitoring import services
from monitoring.models import ImportJob, MonitoringPoint, Sample


@admin.register(MonitoringPoint)
class MonitoringPointAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "river", "sluice_gate", "position", "region", "responsible"]
    list_filter = ["responsible", "is_active"]
    search_fields = ["code", "name", "river__name"]
    raw_id_fields = ["river", "sluice_gate", "region"]

    def save_model(self, request, obj, form, change):
        services.save_point(point=obj, by=request.user)


@admin.register(Sample)
class SampleAdmin(SimpleHistoryAdmin):
    """Samples come in through the API and lab files; the admin shows them and their history."""

    list_display = ["point", "sampled_at", "source", "lab", "client_key"]
    list_filter = ["source"]
    search_fields = ["point__code", "point__name", "client_key"]
    date_hierarchy = "sampled_at"
    list_select_related = ["point"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "created_by",
        "created_at",
        "status",
        "total_rows",
        "created_count",
    ]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False
