"""The audit log in the admin: read-only, filterable, searchable by ids (LG-01, LG-02)."""

from django.contrib import admin

from privacy.admin_mixins import PersonalDataAdminMixin
from privacy.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    # Entries name who acted and on whose record: opening one is itself audited (LG-01).
    list_display = ["when", "who", "action", "model", "object_id", "subject_id", "field_names", "detail"]
    list_filter = ["action", "model", ("created_at", admin.DateFieldListFilter)]
    # Exact matches: the ids are what staff have in hand when they ask "who looked at this?".
    search_fields = ["=object_id", "=subject_id"]
    search_help_text = "Search by object id or subject (customer) id."
    date_hierarchy = "created_at"
    fields = ["created_at", "actor_label", "actor_id", "action", "model", "object_id", "subject_id", "fields", "detail"]
    readonly_fields = fields
    actions = None
    list_per_page = 50
    show_full_result_count = False
    # The same dash as the "fields" column for an event without an object or a subject.
    empty_value_display = "—"

    def changelist_view(self, request, extra_context=None):
        # Eight columns: without the navigation sidebar every one fits a laptop screen.
        return super().changelist_view(request, {"is_nav_sidebar_enabled": False, **(extra_context or {})})

    @admin.display(description="when", ordering="created_at")
    def when(self, obj):
        return obj.created_at

    @admin.display(description="who", ordering="actor_label")
    def who(self, obj):
        return obj.actor_label

    @admin.display(description="fields")
    def field_names(self, obj):
        return ", ".join(obj.fields) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
