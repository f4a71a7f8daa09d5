"""Django admin for the registry. Assignments go through ``services.assign_chief`` so the
admin cannot create two responsible chiefs at once either."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from rivers import services
from rivers.models import Chief, ChiefAssignment, Reach, River, SluiceGate, WaterBody


class ReachInline(admin.TabularInline):
    model = Reach
    extra = 0
    fields = ["position", "name", "village", "length_km", "start_point", "end_point"]
    raw_id_fields = ["village"]


class AssignmentInline(admin.TabularInline):
    """Read-only here: new assignments are made on their own page (through the service)."""

    model = ChiefAssignment
    extra = 0
    can_delete = False
    fields = ["chief", "reach", "level", "duty", "start_date", "end_date", "note"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("chief__user", "river", "reach")


class GateInline(admin.TabularInline):
    model = SluiceGate
    extra = 0
    fields = ["code", "name", "region", "width_m"]
    raw_id_fields = ["region"]


@admin.register(River)
class RiverAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "length_km", "region", "target_class", "is_active"]
    list_filter = ["level", "target_class", "water_type", "is_active"]
    search_fields = ["code", "name", "region__name"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
    filter_horizontal = ["regions"]
    inlines = [ReachInline, AssignmentInline, GateInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "level", "water_type", "length_km", "target_class"]}),
        (_("区划"), {"fields": ["region", "regions"]}),
        (
            _("走向与起讫"),
            {"fields": ["start_point", "end_point", "geometry", "geometry_crs"]},
        ),
        (None, {"fields": ["note", "is_active"]}),
    ]


@admin.register(Reach)
class ReachAdmin(SimpleHistoryAdmin):
    list_display = ["name", "river", "position", "village", "length_km"]
    search_fields = ["name", "river__name", "river__code"]
    list_select_related = ["river", "village"]
    raw_id_fields = ["river", "village"]


@admin.register(WaterBody)
class WaterBodyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "village", "area_m2"]
    list_filter = ["kind", "village"]
    search_fields = ["code", "name"]
    list_select_related = ["village"]
    raw_id_fields = ["village"]


@admin.register(SluiceGate)
class SluiceGateAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "river", "region", "width_m"]
    search_fields = ["code", "name", "river__name"]
    list_filter = ["region"]
    list_select_related = ["river", "region"]
    raw_id_fields = ["river", "region"]


@admin.register(Chief)
class ChiefAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "level", "title", "position", "region", "phone", "is_active"]
    list_filter = ["level", "title", "is_active"]
    search_fields = ["user__last_name", "user__first_name", "user__username", "user__phone"]
    list_select_related = ["user", "region"]
    raw_id_fields = ["user", "region", "superior"]
    inlines = [AssignmentInline]

    @admin.display(description=_("手机号"))
    def phone(self, obj):
        return obj.user.phone


class AssignmentAdminForm(forms.ModelForm):
    class Meta:
        model = ChiefAssignment
        fields = ["chief", "river", "reach", "level", "duty", "start_date", "end_date", "note"]

    def _post_clean(self):
        if self.instance.pk is None:
            # The open-assignment constraint would refuse a handover before the service could
            # end the predecessor; check_assignment (in clean) applies the rules instead, and
            # the constraint stays the database's backstop.
            self.instance.validate_constraints = lambda exclude=None: None
        super()._post_clean()

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            try:
                services.check_assignment(
                    chief=data["chief"],
                    river=data["river"],
                    reach=data.get("reach"),
                    level=data["level"],
                    duty=data["duty"],
                    start_date=data["start_date"],
                    end_date=data.get("end_date"),
                    by=self.request_user,
                )
            except PermissionDenied as exc:
                raise ValidationError(str(exc)) from exc
        return data


@admin.register(ChiefAssignment)
class ChiefAssignmentAdmin(SimpleHistoryAdmin):
    form = AssignmentAdminForm
    list_display = ["chief", "river", "reach", "level", "duty", "start_date", "end_date"]
    list_filter = ["level", "duty", "end_date"]
    search_fields = ["chief__user__last_name", "chief__user__username", "river__name"]
    list_select_related = ["chief__user", "river", "reach"]
    raw_id_fields = ["chief", "river", "reach"]
    date_hierarchy = "start_date"

    def get_readonly_fields(self, request, obj=None):
        # Dates of an existing assignment change through "end" (a handover), not by editing.
        if obj is not None:
            return ["chief", "river", "reach", "level", "duty", "start_date"]
        return []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        saved = services.assign_chief(
            chief=data["chief"],
            river=data["river"],
            reach=data.get("reach"),
            level=data["level"],
            duty=data["duty"],
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            note=data.get("note", ""),
            by=request.user,
        )
        obj.pk = saved.pk
