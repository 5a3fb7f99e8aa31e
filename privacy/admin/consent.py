"""The consent ledger in the admin: every consent and objection, read-only (OPT-06, P27, P22)."""

from django.contrib import admin

from privacy.admin_mixins import PersonalDataAdminMixin
from privacy.models import ConsentEvent


@admin.register(ConsentEvent)
class ConsentEventAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """Proof of who agreed to or refused what, when, with which words and under which policy.

    Nothing is added, changed or deleted here: the ledger is append-only, written by the
    consent and objection services, and only an erasure of its subject removes rows.
    """

    list_display = ["created_at", "who", "purpose", "action", "source", "policy_version", "recorded_by_label"]
    list_filter = ["purpose", "action", "source", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["policy_version"]
    search_fields = ["user__email", "email", "phone"]
    search_help_text = "Search by email address (the account's or the one given) or phone number."
    date_hierarchy = "created_at"
    fields = [
        "created_at", "user", "email", "phone", "anonymous_id", "purpose", "action", "source", "policy_version",
        "wording", "wording_hash", "recorded_by",
    ]  # fmt: skip
    readonly_fields = fields
    actions = None
    list_per_page = 50
    show_full_result_count = False
    empty_value_display = "—"

    @admin.display(description="whose", ordering="user_id")
    def who(self, obj):
        if obj.user_id:
            return f"customer #{obj.user_id}"
        return obj.email or obj.phone or "visitor (cookie consent id)"

    @admin.display(description="recorded by staff")
    def recorded_by_label(self, obj):
        return f"staff #{obj.recorded_by_id}" if obj.recorded_by_id else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
