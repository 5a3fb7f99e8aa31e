from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone

from marketing import services
from marketing.models import InboundMessage, MarketingPreference, PhoneNumber, TextAlert
from marketing.selectors import text_alerts_with_counts
from privacy.admin_mixins import PersonalDataAdminMixin

# --- preferences, text alerts and the postal list ----------------------------------------------


@admin.register(MarketingPreference)
class MarketingPreferenceAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """Read-only: customers change their own preferences. Holds the postal list export."""

    list_display = ["__str__", "user", "time_zone", "updated_at"]
    readonly_fields = ["user", "time_zone", "created_at", "updated_at"]
    fields = readonly_fields
    search_fields = ["user__email"]
    change_list_template = "admin/marketing/marketingpreference/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.postal_list_view)
        return [path("postal-list.csv", view, name="marketing_postal_list"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export_postal_list": request.user.has_perm("marketing.export_postal_list"),
            "postal_list_url": reverse("admin:marketing_postal_list"),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def postal_list_view(self, request):
        """P05: the people we may post mailers to, as CSV; audited (one event per export)."""
        if not request.user.has_perm("marketing.export_postal_list"):
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="postal-list-{timezone.localdate():%Y-%m-%d}.csv"'
        response["Cache-Control"] = "no-store"
        services.postal_list_export(out=response, actor=request.user)
        return response


@admin.register(PhoneNumber)
class PhoneNumberAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "user", "verified_at", "created_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["user", "number", "verified_at", "created_at"]
    fields = readonly_fields
    search_fields = ["user__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["message_sid", "outcome", "user", "received_at"]
    list_filter = ["outcome"]
    readonly_fields = ["message_sid", "from_number", "body", "outcome", "user", "received_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TextAlert)
class TextAlertAdmin(admin.ModelAdmin):
    """Staff write an alert, then send it with the action: it goes to every verified number
    whose owner agreed to text offers (and has not objected, restricted or been erased),
    each in their own daytime, with the opt-out line added."""

    list_display = ["__str__", "status", "created_at", "sent_count", "waiting_count", "dropped_count"]
    fields = ["message", "status", "created_at", "queued_at"]
    readonly_fields = ["status", "created_at", "queued_at"]
    actions = ["send_alerts"]

    def get_queryset(self, request):
        return text_alerts_with_counts()

    @admin.display(description="sent", ordering="sent_count")
    def sent_count(self, obj):
        return obj.sent_count

    @admin.display(description="waiting for daytime", ordering="waiting_count")
    def waiting_count(self, obj):
        return obj.waiting_count

    @admin.display(description="dropped or failed", ordering="dropped_count")
    def dropped_count(self, obj):
        return obj.dropped_count

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != TextAlert.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description="Send the selected draft alerts now", permissions=["change"])
    def send_alerts(self, request, queryset):
        queued = 0
        for alert in queryset.filter(status=TextAlert.Status.DRAFT):
            services.text_alert_queue(alert=alert, actor=request.user)
            queued += 1
        if queued:
            self.message_user(request, f"{queued} alert(s) queued: each recipient gets it in their daytime.")
        else:
            self.message_user(request, "Only draft alerts can be sent; these were sent already.", messages.WARNING)
