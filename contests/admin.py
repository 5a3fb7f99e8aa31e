"""Staff pages: contests and their draw, entries, surveys and their aggregated results."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from contests import selectors, services
from contests.models import Choice, Contest, Draw, Entry, Question, Survey
from privacy.admin_mixins import PersonalDataAdminMixin


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    """P02: staff run contests; after one closes, they draw its winner here (one draw only)."""

    list_display = ["title", "state_display", "opens", "closes", "entry_count", "winner_display", "active"]
    list_filter = ["active"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "prize", "rules", "opens", "closes", "active", "draw_display"]
    readonly_fields = ["draw_display"]
    change_form_template = "admin/contests/contest/change_form.html"

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("draw", "draw__winner").annotate(entry_total=Count("entries"))
        )

    @admin.display(description="State")
    def state_display(self, obj):
        return obj.state().capitalize()

    @admin.display(description="Entries", ordering="entry_total")
    def entry_count(self, obj):
        return getattr(obj, "entry_total", None)

    @admin.display(description="Winner")
    def winner_display(self, obj):
        draw = getattr(obj, "draw", None) if obj.pk else None
        if draw is None:
            return "—"
        if draw.winner is None:
            return f"Entry #{draw.winner_entry_id} (since erased)"
        url = reverse("admin:contests_entry_change", args=[draw.winner.pk])
        return format_html('<a href="{}">Entry #{}</a>', url, draw.winner.pk)

    @admin.display(description="Draw")
    def draw_display(self, obj):
        draw = getattr(obj, "draw", None) if obj and obj.pk else None
        if draw is None:
            return "Not drawn yet. Once the contest has closed, use “Draw the winner” above."
        replayed = services.draw_replay(draw)
        return format_html(
            "Drawn {} from {} entries. Winner: {}.<br>Seed <code>{}</code><br>Entries hash <code>{}</code><br>"
            "Run again from this record: entry #{} ({}).",
            draw.drawn_at.strftime("%d %b %Y %H:%M"),
            len(draw.entry_ids),
            self.winner_display(obj),
            draw.seed,
            draw.entries_hash,
            replayed,
            "the same winner" if replayed == draw.winner_entry_id else "a DIFFERENT winner: investigate",
        )

    def get_urls(self):
        return [
            path("<int:pk>/draw/", self.admin_site.admin_view(self.draw_view), name="contests_contest_draw"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["can_draw"] = (
                self.has_change_permission(request, obj) and obj.has_closed() and not hasattr(obj, "draw")
            )
            context["draw_url"] = reverse("admin:contests_contest_draw", args=[obj.pk])
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def draw_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        contest = get_object_or_404(Contest, pk=pk)
        if not self.has_change_permission(request, contest):
            raise PermissionDenied
        try:
            draw = services.draw_create(contest=contest, actor=request.user)
        except services.DrawError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                f"Winner drawn: entry #{draw.winner_entry_id} of {len(draw.entry_ids)}. Nobody has been emailed.",
                messages.SUCCESS,
            )
        return redirect("admin:contests_contest_change", contest.pk)


@admin.register(Entry)
class EntryAdmin(PersonalDataAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Entries are what entrants gave; staff read them, nobody edits them."""

    list_display = ["pk", "contest", "email", "verified_by", "asked_for_offers", "entered_at"]
    list_filter = ["contest", "verified_by"]
    list_select_related = ["contest"]
    search_fields = ["email"]
    fields = ["contest", "user", "email", "verified_by", "age_confirmed_at", "asked_for_offers", "entered_at"]
    readonly_fields = fields


@admin.register(Draw)
class DrawAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["contest", "drawn_at", "winner_entry_id", "entry_count"]
    list_select_related = ["contest"]
    fields = ["contest", "drawn_at", "seed", "entries_hash", "entry_ids", "winner", "winner_entry_id"]
    readonly_fields = fields

    @admin.display(description="Entries in the draw")
    def entry_count(self, obj):
        return len(obj.entry_ids)


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "text", "kind", "required"]
    extra = 1
    show_change_link = True


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "is_open", "response_count", "results_link"]
    list_filter = ["is_open"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "intro", "is_open"]
    inlines = [QuestionInline]
    change_form_template = "admin/contests/survey/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(response_total=Count("responses"))

    @admin.display(description="Responses", ordering="response_total")
    def response_count(self, obj):
        return obj.response_total

    @admin.display(description="Results")
    def results_link(self, obj):
        return format_html('<a href="{}">See the results</a>', reverse("admin:contests_survey_results", args=[obj.pk]))

    def get_urls(self):
        return [
            path("<int:pk>/results/", self.admin_site.admin_view(self.results_view), name="contests_survey_results"),
            *super().get_urls(),
        ]

    def results_view(self, request, pk):
        survey = get_object_or_404(Survey, pk=pk)
        if not self.has_view_permission(request, survey):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Results: {survey.title}",
            "opts": self.model._meta,
            "original": survey,
            **selectors.survey_results(survey),
        }
        return TemplateResponse(request, "admin/contests/survey/results.html", context)


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ["position", "label"]
    extra = 3


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Where a single-choice question's options are edited."""

    list_display = ["text", "survey", "kind", "position"]
    list_filter = ["survey", "kind"]
    list_select_related = ["survey"]
    fields = ["survey", "position", "text", "kind", "required"]
    inlines = [ChoiceInline]
