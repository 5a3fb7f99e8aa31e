"""Notices to processors in the admin (PR-03): every step's outcome, and the ones staff must act on."""

from django.contrib import admin, messages

from privacy.admin_mixins import PersonalDataAdminMixin
from privacy.models import ProcessorStep
from privacy.services import processor_step_retry


@admin.register(ProcessorStep)
class ProcessorStepAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "handler", "action", "status", "attempts", "request", "erasure", "done_at", "note"]
    list_filter = ["status", "action", "handler", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["request"]
    search_fields = ["=erasure", "request__reference"]
    search_help_text = "Search by erasure log entry or request reference."
    date_hierarchy = "created_at"
    fields = [
        "handler", "action", "status", "attempts", "last_error", "outcome", "request", "erasure", "payload",
        "next_attempt_at", "done_at", "created_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["run_again"]
    empty_value_display = "—"

    @admin.display(description="outcome or error")
    def note(self, obj):
        return obj.last_error if obj.status in (obj.Status.FAILED, obj.Status.GAVE_UP) else obj.outcome

    @admin.action(description="Run the selected steps again", permissions=["handle_request"])
    def run_again(self, request, queryset):
        queued = 0
        for step in queryset.exclude(status__in=[ProcessorStep.Status.DONE, ProcessorStep.Status.SKIPPED]):
            processor_step_retry(step=step)
            queued += 1
        self.message_user(request, f"{queued} step{'s' if queued != 1 else ''} queued again.", messages.SUCCESS)

    def has_handle_request_permission(self, request):
        return request.user.has_perm("privacy.handle_request")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
