from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.models import ApiToken, Region, User
from core.services import revoke_api_token


class ChildRegionInline(admin.TabularInline):
    model = Region
    fk_name = "parent"
    extra = 0
    fields = ["code", "name", "kind"]
    verbose_name = _("下级区划")
    verbose_name_plural = _("下级区划")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_select_related = ["parent"]
    inlines = [ChildRegionInline]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "region", "phone", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "last_name", "first_name", "phone"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("河长制"), {"fields": ("role", "region", "phone")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "user",
        "scope",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # Only the hash is stored: the key is shown this once.
        key = ApiToken.new_key()
        obj.prefix, obj.key_hash = key[:8], ApiToken.hash_key(key)
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            _("令牌已创建，请立即复制，之后无法再次查看：%(key)s") % {"key": key},
        )

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_api_token(token=token)
