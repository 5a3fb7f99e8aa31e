"""The queue of data-subject requests (P25, PR-11, AC-02) and its dashboard.

Every action calls a service in ``privacy.services.requests``; the admin never writes a
request's fields itself. Only staff with ``privacy.handle_request`` see the queue, a request
or the dashboard, and every opened request is audited (LG-01).
"""

import datetime
import statistics

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from privacy.admin_mixins import PersonalDataAdminMixin
from privacy.conf import settings as privacy_settings
from privacy.email_address import EmailAddressField
from privacy.models import ProcessorStep, Restriction, SubjectRequest, SubjectRequestEvent
from privacy.services import requests as request_services
from privacy.services.erasure import ErasureRefused
from privacy.services.requests import RequestError

PERMISSION = "privacy.handle_request"
Status = SubjectRequest.Status


def can_handle(request) -> bool:
    return request.user.is_active and request.user.is_staff and request.user.has_perm(PERMISSION)


class DueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("soon", "Due within 7 days"), ("open", "All open"), ("closed", "Closed")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        open_requests = queryset.filter(status__in=SubjectRequest.OPEN_STATUSES)
        if self.value() == "overdue":
            return open_requests.filter(due_on__lt=today)
        if self.value() == "soon":
            horizon = today + datetime.timedelta(days=privacy_settings.REQUEST_REMINDER_DAYS)
            return open_requests.filter(due_on__gte=today, due_on__lte=horizon)
        if self.value() == "open":
            return open_requests
        if self.value() == "closed":
            return queryset.filter(status__in=SubjectRequest.CLOSED_STATUSES)
        return queryset


class SubjectRequestAddForm(forms.Form):
    """A request staff received by email, phone or post."""

    channel = forms.ChoiceField(
        choices=[c for c in SubjectRequest.Channel.choices if c[0] != SubjectRequest.Channel.WEB]
    )
    kind = forms.ChoiceField(choices=SubjectRequest.Kind.choices)
    user = forms.ModelChoiceField(
        queryset=get_user_model()._default_manager.filter(is_staff=False),
        required=False,
        label="Customer account",
        help_text="Leave empty for a person without an account, and give their email address.",
    )
    email = EmailAddressField(required=False, label="Email address")
    details = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    scope = forms.ChoiceField(
        choices=[("", "—"), *Restriction.Scope.choices], required=False, label="Restriction scope"
    )
    verified = forms.BooleanField(required=False, label="I have verified who this is")
    verification_note = forms.CharField(
        required=False, label="How", help_text="For example: ID seen, called back on the number on file."
    )

    def clean(self):
        data = super().clean()
        if not data.get("user") and not data.get("email"):
            raise forms.ValidationError("Choose the customer's account or give the email address.")
        if data.get("verified") and not (data.get("verification_note") or "").strip():
            self.add_error("verification_note", "Say how you verified the person.")
        return data


class ActionForm(forms.Form):
    """The fields an action needs; which ones depends on the action."""

    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    months = forms.TypedChoiceField(choices=[(1, "1 month"), (2, "2 months")], coerce=int, required=False)

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        labels = ACTIONS[action]
        self.fields["note"].label = labels["note"]
        self.fields["note"].required = labels["note_required"]
        if action != "extend":
            del self.fields["months"]
        else:
            self.fields["months"].required = True


ACTIONS = {
    "verify": {"title": "Verify who is asking", "note": "How you verified them", "note_required": True},
    "start": {"title": "Start work", "note": "Note (optional)", "note_required": False},
    "fulfil": {"title": "Fulfil the request now", "note": "Note (optional)", "note_required": False},
    "stop_clock": {"title": "Stop the clock", "note": "What we are waiting for", "note_required": True},
    "restart_clock": {"title": "Restart the clock", "note": "What arrived (optional)", "note_required": False},
    "extend": {"title": "Extend the deadline", "note": "Reason (the requester is told)", "note_required": True},
    "refuse": {"title": "Refuse the request", "note": "Reason (the requester is told)", "note_required": True},
    "complete": {"title": "Mark as completed", "note": "What was done (the requester is told)", "note_required": False},
}


def available_actions(obj: SubjectRequest) -> list[str]:
    """The actions that make sense for the request's status now."""
    if not obj.is_open:
        return []
    names = []
    if obj.status in request_services.CAN_VERIFY:
        names.append("verify")
    if obj.status in request_services.CAN_START:
        names.append("start")
    if obj.status in request_services.CAN_FULFIL:
        names.append("fulfil")
    names.append("restart_clock" if obj.clock_stopped_at else "stop_clock")
    if obj.status in request_services.CAN_EXTEND and not obj.extension_months:
        names.append("extend")
    if obj.status in request_services.CAN_COMPLETE:
        names.append("complete")
    names.append("refuse")
    return names


def _run(action: str, obj: SubjectRequest, *, actor, note: str, months=None):
    """Call the service an action stands for."""
    if action == "verify":
        return request_services.subject_request_verify(request=obj, method="staff", note=note, actor=actor)
    if action == "start":
        return request_services.subject_request_start(request=obj, actor=actor)
    if action == "fulfil":
        return request_services.subject_request_fulfil(request=obj, actor=actor)
    if action == "stop_clock":
        return request_services.subject_request_stop_clock(request=obj, actor=actor, reason=note)
    if action == "restart_clock":
        return request_services.subject_request_restart_clock(request=obj, actor=actor, note=note)
    if action == "extend":
        return request_services.subject_request_extend(request=obj, months=months, reason=note, actor=actor)
    if action == "refuse":
        return request_services.subject_request_refuse(request=obj, reason=note, actor=actor)
    return request_services.subject_request_complete(request=obj, actor=actor, outcome=note)


class TimelineInline(admin.TabularInline):
    model = SubjectRequestEvent
    fields = ["created_at", "actor_label", "from_label", "to_label", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Timeline"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return can_handle(request)

    @admin.display(description="from")
    def from_label(self, obj):
        return Status(obj.from_status).label if obj.from_status in Status.values else "—"

    @admin.display(description="to")
    def to_label(self, obj):
        return Status(obj.to_status).label if obj.to_status in Status.values else obj.to_status


class ProcessorStepInline(admin.TabularInline):
    model = ProcessorStep
    fields = ["handler", "action", "status", "attempts", "last_error", "done_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Processors told"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return can_handle(request)


@admin.register(SubjectRequest)
class SubjectRequestAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "kind", "requester", "channel", "status", "received", "due", "assignee"]
    list_filter = [DueFilter, "kind", "status", "channel"]
    search_fields = ["reference", "email", "user__email"]
    list_select_related = ["user", "assignee"]
    ordering = ["due_on", "id"]
    inlines = [TimelineInline, ProcessorStepInline]
    actions = ["start_selected", "fulfil_selected", "complete_selected"]
    fields = [
        "reference",
        "kind",
        "status",
        "channel",
        "requester",
        "details",
        "changes_display",
        "scope",
        "assignee",
        "received_at",
        "first_due_on",
        "due",
        "clock_display",
        "extension_reason",
        "verification",
        "verification_note",
        "verified_at",
        "closed_at",
        "outcome",
        "actions_display",
    ]
    readonly_fields = fields
    change_list_template = "admin/privacy/subjectrequest/change_list.html"

    # --- permissions (AC-02) --------------------------------------------------------------

    def has_module_permission(self, request):
        return can_handle(request)

    def has_view_permission(self, request, obj=None):
        return can_handle(request)

    def has_change_permission(self, request, obj=None):
        return can_handle(request)

    def has_add_permission(self, request):
        return can_handle(request)

    def has_delete_permission(self, request, obj=None):
        return False

    # --- columns --------------------------------------------------------------------------

    @admin.display(description="requester")
    def requester(self, obj):
        if obj.user_id:
            return obj.user.email
        return obj.email or "(erased)"

    @admin.display(description="received", ordering="received_at")
    def received(self, obj):
        return timezone.localdate(obj.received_at)

    @admin.display(description="due", ordering="due_on")
    def due(self, obj):
        if not obj.is_open:
            return format_html('<span class="kg-due">{}</span>', obj.due_on.strftime("%d %b %Y"))
        today = timezone.localdate()
        if obj.due_on < today:
            state, label = "overdue", "overdue"
        elif obj.due_on <= today + datetime.timedelta(days=privacy_settings.REQUEST_REMINDER_DAYS):
            state, label = "soon", "due soon"
        else:
            state, label = "ok", ""
        return format_html(
            '<span class="kg-due kg-due-{}">{}{}</span>',
            state,
            obj.due_on.strftime("%d %b %Y"),
            f" ({label})" if label else "",
        )

    @admin.display(description="corrections asked for")
    def changes_display(self, obj):
        if not obj.changes:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (c.get("record", ""), c.get("field", ""), c.get("current", ""), c.get("requested", ""))
                for c in obj.changes
            ),
        )
        return format_html(
            '<table class="kg-changes"><thead><tr><th>Record</th><th>Field</th><th>Now</th>'
            "<th>Requested</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="clock")
    def clock_display(self, obj):
        if obj.clock_stopped_at:
            return f"stopped since {timezone.localtime(obj.clock_stopped_at):%d %b %Y %H:%M}"
        return f"running ({obj.days_paused} day(s) paused so far)"

    @admin.display(description="next steps")
    def actions_display(self, obj):
        names = available_actions(obj)
        if not names:
            return "Closed."
        return format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse("admin:privacy_subjectrequest_act", args=[obj.pk, name]), ACTIONS[name]["title"])
                for name in names
            ),
        )

    # --- views ----------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="privacy_subjectrequest_dashboard"),
            path("<int:pk>/act/<str:action>/", wrap(self.action_view), name="privacy_subjectrequest_act"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Nothing on the page is edited in place: the next steps are the buttons.
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SubjectRequestAddForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                obj, created = request_services.subject_request_create(
                    kind=data["kind"],
                    channel=data["channel"],
                    user=data["user"],
                    email=data["email"],
                    details=data["details"],
                    scope=data["scope"],
                    actor=request.user,
                    verified_by="staff" if data["verified"] else "",
                    verification_note=data["verification_note"],
                )
            except RequestError as error:
                form.add_error(None, str(error))
            else:
                if created:
                    self.message_user(request, f"Request {obj.reference} recorded, due {obj.due_on:%d %b %Y}.")
                else:
                    self.message_user(
                        request,
                        f"This person already has an open request of this kind: {obj.reference}.",
                        messages.WARNING,
                    )
                return HttpResponseRedirect(reverse("admin:privacy_subjectrequest_change", args=[obj.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Record a request received by email, phone or post",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(
            request, "admin/privacy/subjectrequest/add.html", context, status=400 if form.errors else 200
        )

    def action_view(self, request, pk, action):
        if not self.has_change_permission(request):
            raise PermissionDenied
        obj = get_object_or_404(SubjectRequest, pk=pk)
        if action not in ACTIONS or action not in available_actions(obj):
            self.message_user(request, "That step is not available for this request now.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:privacy_subjectrequest_change", args=[obj.pk]))
        form = ActionForm(request.POST or None, action=action)
        if request.method == "POST" and form.is_valid():
            try:
                obj = _run(
                    action,
                    obj,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    months=form.cleaned_data.get("months"),
                )
            except (RequestError, ErasureRefused) as error:
                form.add_error(None, str(error))
            else:
                obj.refresh_from_db()
                self.message_user(request, f"{obj.reference}: {obj.get_status_display().lower()}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:privacy_subjectrequest_change", args=[obj.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{ACTIONS[action]['title']}: {obj.reference}",
            "opts": self.model._meta,
            "original": obj,
            "form": form,
            "action": action,
        }
        return TemplateResponse(
            request, "admin/privacy/subjectrequest/action.html", context, status=400 if form.errors else 200
        )

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Privacy requests: dashboard",
            "opts": self.model._meta,
            **request_dashboard(),
        }
        return TemplateResponse(request, "admin/privacy/subjectrequest/dashboard.html", context)

    # --- bulk actions -----------------------------------------------------------------------

    def _bulk(self, request, queryset, action):
        done, failed = 0, []
        for obj in queryset:
            try:
                _run(action, obj, actor=request.user, note="")
                done += 1
            except (RequestError, ErasureRefused) as error:
                failed.append(f"{obj.reference}: {error}")
        if done:
            self.message_user(request, f"{done} request(s): {ACTIONS[action]['title'].lower()}.", messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description="Start work on the selected requests", permissions=["change"])
    def start_selected(self, request, queryset):
        self._bulk(request, queryset, "start")

    @admin.action(description="Fulfil the selected requests now", permissions=["change"])
    def fulfil_selected(self, request, queryset):
        self._bulk(request, queryset, "fulfil")

    @admin.action(description="Mark the selected requests completed", permissions=["change"])
    def complete_selected(self, request, queryset):
        self._bulk(request, queryset, "complete")


WEEKS = 12


def request_dashboard(*, today=None) -> dict:
    """The figures of the dashboard, in a fixed number of queries whatever the volume."""
    today = today or timezone.localdate()
    open_requests = SubjectRequest.objects.filter(status__in=SubjectRequest.OPEN_STATUSES)
    by_kind_status = {}
    for row in open_requests.values("kind", "status").annotate(n=Count("id")).order_by("kind", "status"):
        by_kind_status.setdefault(row["kind"], {})[row["status"]] = row["n"]
    statuses = [s for s in Status if s in SubjectRequest.OPEN_STATUSES]
    table = [
        {
            "kind": label,
            "counts": [by_kind_status.get(value, {}).get(status, 0) for status in statuses],
            "total": sum(by_kind_status.get(value, {}).values()),
        }
        for value, label in SubjectRequest.Kind.choices
    ]
    overdue = open_requests.filter(due_on__lt=today).count()
    completed = SubjectRequest.objects.filter(status=Status.COMPLETED, closed_at__isnull=False)
    durations = [(closed - received).days for received, closed in completed.values_list("received_at", "closed_at")]
    start = today - datetime.timedelta(days=today.weekday()) - datetime.timedelta(weeks=WEEKS - 1)
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    received = dict(
        SubjectRequest.objects.filter(received_at__gte=since)
        .annotate(week=TruncWeek("received_at"))
        .values_list("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    closed = dict(
        completed.filter(closed_at__gte=since)
        .annotate(week=TruncWeek("closed_at"))
        .values_list("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    weeks = [start + datetime.timedelta(weeks=i) for i in range(WEEKS)]

    def per_week(counts):
        by_day = {(k.date() if isinstance(k, datetime.datetime) else k): v for k, v in counts.items()}
        return [by_day.get(week, 0) for week in weeks]

    return {
        "statuses": [Status(s).label for s in statuses],
        "table": table,
        "open_total": sum(row["total"] for row in table),
        "overdue": overdue,
        "median_days": statistics.median(durations) if durations else None,
        "chart": weekly_chart(weeks, per_week(received), per_week(closed)),
    }


def weekly_chart(weeks, received, completed) -> dict:
    """Bar positions for a server-rendered SVG of two series per week."""
    height, bar, gap = 120, 10, 8
    top = max([*received, *completed, 1])
    columns = []
    for index, (week, got, done) in enumerate(zip(weeks, received, completed, strict=True)):
        x = 30 + index * (2 * bar + gap)
        columns.append(
            {
                "week": week,
                "x": x,
                "received": got,
                "completed": done,
                "received_h": round(height * got / top),
                "completed_h": round(height * done / top),
                "received_y": 10 + height - round(height * got / top),
                "completed_y": 10 + height - round(height * done / top),
                "x2": x + bar,
            }
        )
    return {"columns": columns, "height": height, "width": 40 + len(weeks) * (2 * bar + gap), "top": top, "bar": bar}
