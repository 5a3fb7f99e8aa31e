"""Affiliate partners, their referrals, and the commission due per partner per month (P29)."""

import csv
import io

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from marketing.models import AffiliatePartner, AffiliateReferral
from marketing.selectors import commissions_by_month
from privacy.admin_mixins import PersonalDataAdminMixin

CSV_COLUMNS = ("month", "partner code", "partner", "orders", "sales", "commission due")


@admin.register(AffiliatePartner)
class AffiliatePartnerAdmin(admin.ModelAdmin):
    change_list_template = "admin/marketing/affiliatepartner/change_list.html"
    list_display = ("name", "code", "commission_rate", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    fields = ("name", "code", "commission_rate", "is_active")

    def get_urls(self):
        return [
            path(
                "commissions/",
                self.admin_site.admin_view(self.commissions_view),
                name="marketing_affiliatepartner_commissions",
            ),
            *super().get_urls(),
        ]

    def commissions_view(self, request):
        """Commission due per partner per month, as a page or as CSV with ``?format=csv``."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = list(commissions_by_month())
        if request.GET.get("format") == "csv":
            return _csv_response(rows)
        context = {
            **self.admin_site.each_context(request),
            "title": "Affiliate commissions by month",
            "opts": self.model._meta,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/marketing/affiliatepartner/commissions.html", context)


def _csv_response(rows) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                f"{row['month']:%Y-%m}",
                row["partner__code"],
                _cell(row["partner__name"]),
                row["orders"],
                f"{row['sales']:.2f}",
                f"{row['commission']:.2f}",
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"affiliate-commissions-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(value: str) -> str:
    # A partner name starting with = + - @ would run as a formula in a spreadsheet.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@admin.register(AffiliateReferral)
class AffiliateReferralAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "partner", "code", "order", "commission")
    list_filter = ("partner",)
    list_select_related = ("partner", "order")
    date_hierarchy = "created_at"
    fields = ("order", "partner", "code", "commission_rate", "commission", "created_at")
    readonly_fields = fields

    # Referrals are recorded when an order is placed; staff read them, the purge removes them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
