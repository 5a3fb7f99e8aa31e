import csv

from django.contrib import admin
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from billing import pdf, selectors
from billing.models import ProviderTaxRate, Refund, TaxInvoice, TaxInvoiceLine, VatRate
from privacy.admin_mixins import PersonalDataAdminMixin


class ReadOnlyAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """Tax records are issued by the services only; staff read them, nobody edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TaxInvoiceLineInline(admin.TabularInline):
    model = TaxInvoiceLine
    extra = 0
    can_delete = False
    fields = ["position", "description", "quantity", "unit_price", "vat_rate", "net_amount", "vat_amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TaxInvoice)
class TaxInvoiceAdmin(ReadOnlyAdmin):
    list_display = [
        "number", "kind", "issued_at", "customer_name", "customer_country", "vat_treatment",
        "net_total", "vat_total", "gross_total", "provider_figures_agree", "pdf_link",
    ]  # fmt: skip
    list_filter = ["kind", "vat_treatment", "provider_figures_agree", ("issued_at", admin.DateFieldListFilter)]
    search_fields = ["number", "order__number", "customer_name", "customer_company", "customer_vat_number"]
    list_select_related = ["order"]
    date_hierarchy = "issued_at"
    inlines = [TaxInvoiceLineInline]
    readonly_fields = [field.name for field in TaxInvoice._meta.fields] + ["pdf_link"]

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        url = reverse("admin:billing_taxinvoice_pdf", args=[obj.pk])
        return format_html('<a href="{}">Download {}</a>', url, obj.number)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", view(self.pdf_view), name="billing_taxinvoice_pdf"),
            path("vat-returns/", view(self.vat_returns_view), name="billing_vat_returns"),
            path("vat-returns/<str:quarter>.csv", view(self.vat_return_csv), name="billing_vat_return_csv"),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        document = selectors.document_for_staff(pk=pk)
        if document is None or not self.has_view_permission(request, document):
            raise Http404
        response = HttpResponse(pdf.document_pdf(document), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{pdf.pdf_filename(document)}"'
        return response

    def vat_returns_view(self, request):
        if not self.has_view_permission(request):
            raise Http404
        returns = selectors.vat_return_quarters(today=timezone.localdate())
        context = {
            **self.admin_site.each_context(request),
            "title": "VAT returns",
            "returns": returns,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/billing/vat_returns.html", context)

    def vat_return_csv(self, request, quarter):
        if not self.has_view_permission(request):
            raise Http404
        try:
            figures = selectors.vat_return(selectors.Quarter.parse(quarter))
        except ValueError:
            raise Http404 from None
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="vat-return-{figures.quarter}.csv"'
        writer = csv.writer(response)
        writer.writerow(["quarter", "from", "to", "vat_due_on_sales", "sales_ex_vat", "of_which_reverse_charge"])
        writer.writerow(
            [
                str(figures.quarter),
                figures.quarter.start.isoformat(),
                figures.quarter.last_day.isoformat(),
                figures.vat_due_on_sales,
                figures.sales_ex_vat,
                figures.reverse_charge_sales,
            ]
        )
        return response


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["pk", "order", "amount", "status", "origin", "credit_note", "created_by", "created_at"]
    list_filter = ["status", "origin"]
    search_fields = ["order__number", "stripe_refund_id", "credit_note__number"]
    list_select_related = ["order", "credit_note", "created_by"]
    readonly_fields = [field.name for field in Refund._meta.fields]


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    """A new rate is a new row from its start date; a rate already used never changes."""

    list_display = ["rate", "starts_on", "note"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProviderTaxRate)
class ProviderTaxRateAdmin(ReadOnlyAdmin):
    list_display = ["provider_id", "rate", "treatment", "created_at"]
