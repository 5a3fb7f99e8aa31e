"""Staff side of email campaigns: write, preview, test, schedule or send, follow the figures."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template import TemplateSyntaxError
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin

from marketing.models import Campaign, CampaignSend, EmailProviderEvent, UndeliverableAddress
from marketing.rendering import CampaignMessages, Recipient
from marketing.selectors import campaign_figures, campaign_list_with_figures
from marketing.services import (
    CampaignError,
    campaign_pause,
    campaign_schedule,
    campaign_send_now,
    campaign_test_send,
)
from privacy.admin_mixins import PersonalDataAdminMixin

#: The preview shows the email as a mail client would: its inline styles apply, no script runs.
PREVIEW_POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'none'"],
    "connect-src": ["'none'"],
    "font-src": ["'none'"],
    "form-action": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:", "https:"],
    "frame-ancestors": ["'self'"],
}


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    change_form_template = "admin/marketing/campaign/change_form.html"
    list_display = ["name", "status", "scheduled_at", "sent", "failed", "delivered", "bounced", "complaints", "unsubs"]
    list_filter = ["status", "audience"]
    search_fields = ["name", "slug", "subject"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "audience", "category", "scheduled_at"]}),
        ("Message", {"fields": ["subject", "body_html", "body_text"]}),
        ("Sending", {"fields": ["status", "status_note", "started_at", "finished_at"]}),
    ]
    readonly_fields = ["status", "status_note", "started_at", "finished_at"]

    def get_queryset(self, request):
        return campaign_list_with_figures(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not obj.can_be_changed:
            fields += ["name", "slug", "audience", "category", "scheduled_at", "subject", "body_html", "body_text"]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and not obj.can_be_changed else super().get_prepopulated_fields(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else fieldsets[:2]

    def has_delete_permission(self, request, obj=None):
        # A campaign that went out stays, with its send log, for its retention period.
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == Campaign.Status.DRAFT)

    # --- list columns: annotations of campaign_list_with_figures, one query per page ---
    @admin.display(description="sent", ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count

    @admin.display(description="failed", ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count

    @admin.display(description="delivered", ordering="delivered_count")
    def delivered(self, obj):
        return obj.delivered_count

    @admin.display(description="bounced", ordering="bounced_count")
    def bounced(self, obj):
        return obj.bounced_count

    @admin.display(description="complaints", ordering="complaint_count")
    def complaints(self, obj):
        return obj.complaint_count

    @admin.display(description="unsubscribes", ordering="unsubscribe_count")
    def unsubs(self, obj):
        return obj.unsubscribe_count

    # --- change page: preview, progress and results come from the context (see the template) ---
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["preview"] = self._rendered(obj, request)
            context["figures"] = campaign_figures(obj)
            context["can_send"] = obj.can_be_changed
            context["can_pause"] = obj.status in (Campaign.Status.SCHEDULED, Campaign.Status.SENDING)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    @staticmethod
    def _rendered(obj, request) -> dict:
        """The campaign as the signed-in staff member would receive it, or {"error": ...}."""
        user = request.user
        try:
            return CampaignMessages(obj).render(Recipient(user_id=user.pk, email=user.email, full_name=user.full_name))
        except TemplateSyntaxError as error:
            return {"error": str(error)}

    def response_change(self, request, obj):
        for button, handler in (
            ("_send_test", self._send_test),
            ("_send_now", self._send_now),
            ("_schedule", self._schedule),
            ("_pause", self._pause),
        ):
            if button in request.POST:
                handler(request, obj)
                return HttpResponseRedirect(reverse("admin:marketing_campaign_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def _send_test(self, request, obj):
        try:
            campaign_test_send(campaign=obj, user=request.user)
        except CampaignError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, f"A test copy went to {request.user.email}.", messages.SUCCESS)

    def _send_now(self, request, obj):
        try:
            campaign_send_now(campaign=obj)
        except CampaignError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, "Sending has started; the progress below counts up as batches go.")

    def _schedule(self, request, obj):
        if obj.scheduled_at is None:
            self.message_user(request, "Fill in “Scheduled at” to schedule the campaign.", messages.ERROR)
            return
        try:
            campaign_schedule(campaign=obj, at=obj.scheduled_at)
        except CampaignError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        when = timezone.localtime(obj.scheduled_at).strftime("%-d %b %Y %H:%M %Z")
        self.message_user(request, f"Scheduled for {when}.", messages.SUCCESS)

    def _pause(self, request, obj):
        if campaign_pause(campaign=obj):
            self.message_user(request, "Paused: no further batch goes until you send it again.", messages.SUCCESS)
        else:
            self.message_user(request, "Only a scheduled or sending campaign can be paused.", messages.ERROR)

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="marketing_campaign_preview",
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _preview_response(html):
        response = HttpResponse(html)
        response._csp_replace = PREVIEW_POLICY
        return response

    def preview_view(self, request, pk):
        """The HTML email as the signed-in staff member would receive it."""
        campaign = get_object_or_404(Campaign, pk=pk)
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        rendered = self._rendered(campaign, request)
        if "error" in rendered:
            return HttpResponse(f"The template does not work: {rendered['error']}", content_type="text/plain")
        return xframe_options_sameorigin(self._preview_response)(rendered["html"])


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CampaignSend)
class CampaignSendAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    list_display = ["campaign", "email", "status", "sent_at", "delivered_at", "bounced_at", "complained_at"]
    list_filter = ["status", "campaign"]
    list_select_related = ["campaign"]
    search_fields = ["email"]
    date_hierarchy = "claimed_at"

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UndeliverableAddress)
class UndeliverableAddressAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    """Deleting a row lets the address receive marketing again (a mailbox that works again)."""

    list_display = ["address", "reason", "esp_name", "marked_at"]
    search_fields = ["address"]


@admin.register(EmailProviderEvent)
class EmailProviderEventAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    list_display = ["received_at", "event_type", "recipient", "esp_name", "event_id"]
    list_filter = ["event_type", "esp_name"]
    search_fields = ["recipient", "event_id", "message_id"]

    def has_delete_permission(self, request, obj=None):
        return False
