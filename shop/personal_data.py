"""Personal data held by the shop: orders, subscriptions, reviews, searches, consultations."""

from django.db.models import Q

from privacy import registry as personal_data
from privacy.registry import Action, Category, Erasure, Retention, Source, StepNotApplicable, Via
from shop import payments
from shop.models import (
    Cart,
    ConsultationRequest,
    Invoice,
    Order,
    OrderLine,
    PromotionRedemption,
    Review,
    SavedSearch,
    StripeEvent,
    Subscription,
)

#: UK tax law (HMRC) keeps sales records for 6 years from the end of the accounting period.
TAX_RECORDS = "Tax law: sales records are kept for 6 years"


@personal_data.register(Order)
class OrderData(personal_data.PersonalData):
    manage_url = "shop:order_list"
    subject = "user"
    subject_email = "email"
    fields = {
        "email": Category.CONTACT,
        "billing_name": Category.IDENTITY,
        "billing_company": Category.IDENTITY,
        "billing_line1": Category.ADDRESS,
        "billing_line2": Category.ADDRESS,
        "billing_city": Category.ADDRESS,
        "billing_postcode": Category.ADDRESS,
        "billing_country": Category.ADDRESS,
        "recipient_name": Category.IDENTITY,
        "recipient_email": Category.CONTACT,
        "total": Category.ORDERS,
        "status": Category.ORDERS,
        "stripe_customer_id": Category.PAYMENT,
        "stripe_checkout_session_id": Category.PAYMENT,
        "stripe_payment_intent_id": Category.PAYMENT,
        "card_brand": Category.PAYMENT,
        "card_last4": Category.PAYMENT,
    }
    # P03: the person the services were bought for.
    third_party = ["recipient_name", "recipient_email"]
    field_labels = {
        "billing_line1": "billing address line 1",
        "billing_line2": "billing address line 2",
        "stripe_customer_id": "payment provider's customer reference",
        "stripe_checkout_session_id": "payment page reference",
        "stripe_payment_intent_id": "payment reference",
        "card_last4": "card's last four digits",
    }
    purposes = ["provide_services", "legal_duties", "fraud_prevention"]
    # P10, P20: after six years, what an erasure does sooner: the totals stay for the
    # accounts, nothing in them identifies the buyer.
    retention = Retention(from_field="created_at", years=6, action=Action.ANONYMISE, event="the order date")
    erasure = Erasure.keep(
        TAX_RECORDS + "; the country of the sale decides its VAT", fields=["total", "status", "billing_country"]
    )
    description = "Your orders: what you bought, when, the billing address and the payment reference."


@personal_data.register(OrderLine)
class OrderLineData(personal_data.PersonalData):
    record_name = "Order lines"
    # What a person bought is theirs to see; the lines are found through their orders, by
    # account or, for a guest, by the order's email address.
    subject_via = Via(field="order", model="shop.Order", to_field="id")
    fields = {
        "service_name": Category.ORDERS,
        "plan_name": Category.ORDERS,
        "billing": Category.ORDERS,
        "unit_price": Category.ORDERS,
        "quantity": Category.ORDERS,
        "line_total": Category.ORDERS,
    }
    not_exported = {"plan": "The catalogue plan it was bought from: the line keeps its name and price as sold."}
    purposes = ["provide_services", "legal_duties"]
    # The lines name no one: once the order's buyer is removed they describe a sale, nothing more.
    retention = Retention(from_field="order__created_at", years=6, action=Action.DELETE, event="the order date")
    erasure = Erasure.keep(TAX_RECORDS, fields=list(fields))
    description = "What each order contained: the service, the plan, the quantity and the price."


@personal_data.register(Subscription)
class SubscriptionData(personal_data.PersonalData):
    manage_url = "shop:subscription_list"
    subject = "user"
    fields = {
        "service_name": Category.ORDERS,
        "plan_name": Category.ORDERS,
        "status": Category.ORDERS,
        "current_period_end": Category.ORDERS,
        "stripe_subscription_id": Category.PAYMENT,
    }
    field_labels = {"stripe_subscription_id": "payment provider's subscription reference"}
    purposes = ["provide_services", "legal_duties"]
    retention = Retention(
        from_field="canceled_at",
        years=6,
        action=Action.DELETE,
        condition=Q(status="canceled"),
        event="the subscription ended",
    )
    erasure = Erasure.keep(TAX_RECORDS, fields=["service_name", "plan_name", "status", "current_period_end"])
    description = "Your subscriptions: plan, status and renewal dates."


@personal_data.register(Invoice)
class InvoiceData(personal_data.PersonalData):
    subject = "subscription__user"
    fields = {"number": Category.ORDERS, "amount": Category.ORDERS, "hosted_invoice_url": Category.PAYMENT}
    field_labels = {"hosted_invoice_url": "link to the invoice"}
    purposes = ["provide_services", "legal_duties"]
    source = Source.PARTNER
    retention = Retention(from_field="created_at", years=6, action=Action.DELETE, event="the invoice date")
    # The hosted page shows the billing details; the number and amount are the tax record.
    erasure = Erasure.keep(TAX_RECORDS, fields=["number", "amount"])
    description = "Subscription invoices issued through Stripe."


@personal_data.register(PromotionRedemption)
class PromotionRedemptionData(personal_data.PersonalData):
    subject = "user"
    subject_email = "email"
    fields = {"email": Category.CONTACT, "subtotal": Category.ORDERS, "discount": Category.ORDERS}
    field_labels = {"discount": "promotion code discount"}
    # Needed to keep "once per customer" and "first order only", and the discount is part of the sale.
    purposes = ["provide_services", "legal_duties"]
    # Kept with the order it belongs to, and anonymised when the order is (P10).
    retention = Retention(from_field="order__created_at", years=6, action=Action.ANONYMISE, event="the order date")
    erasure = Erasure.keep(TAX_RECORDS, fields=["subtotal", "discount"])
    description = "Promotion codes you used: on which order, and the discount they gave."


@personal_data.register(Review)
class ReviewData(personal_data.PersonalData):
    subject = "user"
    fields = {"title": Category.FEEDBACK, "body": Category.FEEDBACK, "rating": Category.FEEDBACK}
    purposes = ["customer_service", "research"]
    retention = Retention(from_field="created_at", years=3, action=Action.DELETE, event="the review was written")
    erasure = Erasure.delete()
    description = "Reviews you wrote about services you bought."


@personal_data.register(SavedSearch)
class SavedSearchData(personal_data.PersonalData):
    manage_url = "shop:saved_search_list"
    subject = "user"
    fields = {"name": Category.PREFERENCES, "query": Category.PREFERENCES}
    purposes = ["accounts"]
    retention = Retention(from_field="created_at", years=2, action=Action.DELETE, event="the search was saved")
    erasure = Erasure.delete()
    description = "Searches you saved to run again."


@personal_data.register(Cart)
class CartData(personal_data.PersonalData):
    manage_url = "shop:cart"
    subject = "user"
    fields = {"updated_at": Category.ORDERS}
    purposes = ["provide_services"]
    source = Source.OBSERVED
    retention = Retention(from_field="updated_at", days=90, action=Action.DELETE, event="the cart last changed")
    erasure = Erasure.delete()
    description = "A signed-in customer's cart, kept between visits."


@personal_data.register(ConsultationRequest)
class ConsultationRequestData(personal_data.PersonalData):
    subject = "user"
    subject_email = "email"
    # The phone is encrypted: rows are found by its keyed hash.
    subject_phone = "phone_hash"
    fields = {
        "name": Category.IDENTITY,
        "email": Category.CONTACT,
        "phone": Category.CONTACT,
        "company": Category.IDENTITY,
        "message": Category.CORRESPONDENCE,
    }
    purposes = ["customer_service"]
    # P37: correspondence has its own period.
    retention = Retention(from_field="created_at", years=2, action=Action.DELETE, event="the request")
    erasure = Erasure.delete()
    description = "Free consultation requests and the messages you sent with them."


personal_data.exempt(
    StripeEvent,
    reason="Stripe webhook deliveries: the event id and type, the id of the Stripe object and processing "
    "times; no body, no names, nothing that identifies a person.",
    # Tidied away once Stripe's own retry and replay windows are long past.
    retention=Retention(from_field="received_at", days=400, action=Action.DELETE, event="the event arrived"),
)


# --- outside our database (GDPR Art. 17(2), 19) -------------------------------------------
def _stripe_customers(subject) -> list[str]:
    rows = subject.rows(personal_data.site.get(Order)).exclude(stripe_customer_id="")
    return sorted(set(rows.values_list("stripe_customer_id", flat=True)))


def _gateway():
    gateway = payments.get_gateway()
    if gateway.is_demo:
        raise StepNotApplicable("The demo payment keeps no customer at a payment provider.")
    return gateway


def stripe_customer_erase(payload: dict):
    """Delete the Stripe customer (their saved details and cards; Stripe cancels what still runs)."""
    _gateway().delete_customer(customer_id=payload["customer"])


personal_data.external_step(
    "stripe.erase_customer",
    action="erase",
    collect=lambda subject: [{"customer": customer} for customer in _stripe_customers(subject)],
    run=stripe_customer_erase,
)

#: Order fields Stripe's customer holds too, as Stripe names them.
STRIPE_CUSTOMER_FIELDS = {"billing_name": "name", "email": "email"}
STRIPE_ADDRESS_FIELDS = {
    "billing_line1": "line1",
    "billing_line2": "line2",
    "billing_city": "city",
    "billing_postcode": "postal_code",
    "billing_country": "country",
}


def stripe_customer_changes(subject, changes) -> list[dict]:
    """One payload per Stripe customer whose details a rectification corrected (PR-09)."""
    by_customer: dict[str, dict] = {}
    orders = {
        str(pk): customer
        for pk, customer in subject.rows(personal_data.site.get(Order))
        .exclude(stripe_customer_id="")
        .values_list("pk", "stripe_customer_id")
    }
    for change in changes:
        customer = orders.get(str(change["object_id"])) if change["record"] == Order._meta.label else None
        if not customer:
            continue
        fields = by_customer.setdefault(customer, {})
        if change["field"] in STRIPE_CUSTOMER_FIELDS:
            fields[STRIPE_CUSTOMER_FIELDS[change["field"]]] = change["requested"]
        elif change["field"] in STRIPE_ADDRESS_FIELDS:
            fields.setdefault("address", {})[STRIPE_ADDRESS_FIELDS[change["field"]]] = change["requested"]
    return [{"customer": customer, "fields": fields} for customer, fields in sorted(by_customer.items()) if fields]


def stripe_customer_update(payload: dict):
    """Correct the Stripe customer's name, email or address as the rectification did ours."""
    _gateway().update_customer(customer_id=payload["customer"], fields=payload["fields"])


personal_data.external_step(
    "stripe.update_customer", action="rectify", collect=stripe_customer_changes, run=stripe_customer_update
)


@personal_data.erasure_blocker
def subscription_still_running(subject) -> str:
    """Art. 17(3)(e): a subscription still running may owe us money, and erasing the Stripe
    customer would cancel it unasked; staff end it first."""
    if subject.user_id is None or not Subscription.objects.live().filter(user_id=subject.user_id).exists():
        return ""
    return "A subscription is still running or has a payment due: end it first, then erase."
