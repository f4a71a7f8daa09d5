from django.contrib import admin

from notices.models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = [
        "channel",
        "status",
        "attempts",
        "sent_at",
        "handed_at",
        "resent_at",
        "resent_by",
        "last_error",
    ]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["title", "key", "recipient__username", "recipient__last_name"]
    raw_id_fields = ["recipient"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "channel", "status", "attempts", "sent_at", "resent_at"]
    list_filter = ["channel", "status"]
    raw_id_fields = ["notification", "resent_by"]
