"""Personal data held by billing: VAT invoices, credit notes and refunds are tax records."""

from billing.models import Refund, TaxInvoice
from privacy import registry as personal_data
from privacy.registry import Action, Category, Erasure, Retention, Source

#: HMRC: VAT records, invoices and credit notes included, are kept for 6 years (VAT Notice 700/21).
TAX_RECORDS = "Tax law: VAT invoices, credit notes and refunds are kept for 6 years"


@personal_data.register(TaxInvoice)
class TaxInvoiceData(personal_data.PersonalData):
    manage_url = "shop:order_list"
    subject = "order__user"
    subject_email = "customer_email"
    record_name = "VAT invoices and credit notes"
    fields = {
        "customer_name": Category.IDENTITY,
        "customer_company": Category.IDENTITY,
        "customer_address": Category.ADDRESS,
        "customer_country": Category.ADDRESS,
        "customer_vat_number": Category.IDENTITY,
        "customer_email": Category.CONTACT,
        "purchase_order": Category.ORDERS,
        "net_total": Category.ORDERS,
        "vat_total": Category.ORDERS,
        "gross_total": Category.ORDERS,
    }
    field_labels = {"customer_vat_number": "your VAT number", "purchase_order": "your purchase order reference"}
    export = [
        "kind",
        "number",
        "issued_at",
        "supply_date",
        "customer_name",
        "customer_company",
        "customer_address",
        "customer_country",
        "customer_vat_number",
        "customer_email",
        "purchase_order",
        "currency",
        "vat_rate",
        "vat_treatment",
        "net_total",
        "vat_total",
        "gross_total",
        "reason",
    ]
    purposes = ["provide_services", "legal_duties"]
    source = Source.CUSTOMER
    # P10: kept six years from the date of issue, then anonymised like the order: the
    # figures stay in the VAT account, nothing in them names the buyer.
    retention = Retention(from_field="issued_at", years=6, action=Action.ANONYMISE, event="the date of issue")
    # P20: an erasure anonymises, never deletes, a tax record. The figures, the country and
    # the VAT number stay: the country and the number are the evidence for the VAT charged
    # (a reverse charge is zero-rated only on a valid number).
    erasure = Erasure.keep(
        TAX_RECORDS + "; the country and the VAT number are the evidence for the VAT charged",
        fields=["customer_country", "customer_vat_number", "net_total", "vat_total", "gross_total"],
    )
    description = "VAT invoices and credit notes we issued to you: who they were addressed to and the amounts."


@personal_data.register(Refund)
class RefundData(personal_data.PersonalData):
    manage_url = "shop:order_list"
    subject = "order__user"
    fields = {"amount": Category.ORDERS, "reason": Category.ORDERS, "stripe_refund_id": Category.PAYMENT}
    field_labels = {"stripe_refund_id": "payment provider's refund reference"}
    not_exported = {"error": "a note for our staff about the payment provider's answer"}
    purposes = ["provide_services", "legal_duties"]
    source = Source.STAFF
    retention = Retention(from_field="created_at", years=6, action=Action.DELETE, event="the refund")
    erasure = Erasure.keep(TAX_RECORDS, fields=["amount", "stripe_refund_id"])
    description = "Refunds of your orders and why they were made."
