"""Page views in the staff admin: the insights page (P01) and the rows behind it, read-only."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from analytics import selectors
from analytics.models import PageView
from privacy.admin_mixins import PersonalDataAdminMixin


@admin.register(PageView)
class PageViewAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/analytics/pageview/change_list.html"
    list_display = ("viewed_at", "path", "response_ms", "browser", "browser_version", "device", "referrer_domain")
    list_filter = ("device", "browser")
    search_fields = ("path",)
    date_hierarchy = "viewed_at"
    list_select_related = False
    show_full_result_count = False

    # Page views are what happened: recorded by the site, removed by the retention purge
    # and by erasure, never typed in or edited by staff.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "insights/",
                self.admin_site.admin_view(self.insights_view),
                name="analytics_pageview_insights",
            ),
            *super().get_urls(),
        ]

    def insights_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Site insights",
            "opts": self.model._meta,
            **selectors.insights(days=selectors.window_from(request.GET.get("days"))),
        }
        return TemplateResponse(request, "admin/analytics/pageview/insights.html", context)
