from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from public import services
from public.models import (
    Article,
    OfficeContact,
    Open311Client,
    PublishedChiefPhone,
    Report,
    ReportPhoto,
    SignboardPrint,
)


@admin.register(OfficeContact)
class OfficeContactAdmin(SimpleHistoryAdmin):
    list_display = ["town", "phone", "address", "updated_at"]
    raw_id_fields = ["town"]


@admin.register(PublishedChiefPhone)
class PublishedChiefPhoneAdmin(SimpleHistoryAdmin):
    """Publishing goes through the service, which checks the office's town."""

    list_display = ["chief", "phone", "published_by", "published_at"]
    raw_id_fields = ["chief"]
    fields = ["chief", "phone"]

    def save_model(self, request, obj, form, change):
        published = services.publish_chief_phone(chief=obj.chief, by=request.user, phone=obj.phone)
        obj.pk = published.pk

    def delete_model(self, request, obj):
        services.unpublish_chief_phone(chief=obj.chief, by=request.user)


class PhotoInline(admin.TabularInline):
    model = ReportPhoto
    extra = 0
    readonly_fields = ["image", "position"]
    can_delete = False


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    """Read-only here: the office acts on reports from its queue (/public/office/reports/)."""

    list_display = ["receipt", "town", "river", "category", "status", "channel", "created_at"]
    list_filter = ["status", "channel", "category"]
    search_fields = ["receipt", "river__name", "text"]
    inlines = [PhotoInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "town", "status", "published_at"]
    list_filter = ["status", "town"]
    search_fields = ["title"]
    raw_id_fields = ["town", "created_by"]


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """Keys are made with public.services.create_open311_client (shown once)."""

    list_display = ["name", "prefix", "is_active", "created_at"]
    readonly_fields = ["prefix", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(SignboardPrint)
class SignboardPrintAdmin(admin.ModelAdmin):
    """Read-only: the office asks for prints on its page (/public/office/), a worker renders."""

    list_display = [
        "pk",
        "region",
        "village",
        "status",
        "rivers_done",
        "rivers_total",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["region", "village"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
