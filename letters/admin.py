from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from letters.models import Letter, LetterBatch, LetterTemplate


@admin.register(LetterTemplate)
class LetterTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["town", "updated_at", "updated_by"]
    # Edited on the office's page, where letters.services.save_template checks the fields.
    readonly_fields = ["town", "subject", "body", "updated_at", "updated_by"]


@admin.register(LetterBatch)
class LetterBatchAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "town", "month", "status", "queued_at", "completed_at"]
    list_filter = ["status", "year"]
    readonly_fields = ["subject_template", "body_template"]


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "batch", "status", "sent_at", "read_at"]
    list_filter = ["status", "batch"]
    search_fields = ["recipient__username", "recipient__last_name", "subject"]
    raw_id_fields = ["batch", "chief", "recipient", "notification"]
    readonly_fields = ["figures", "claimed_at", "attempts", "last_error"]
