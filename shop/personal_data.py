"""Personal data held by the shop: orders, subscriptions, reviews, searches, consultations."""

from django.db.models import Q

from privacy import registry as personal_data
from privacy.registry import Action, Category, Erasure, Retention, Source
from shop.models import Cart, ConsultationRequest, Invoice, Order, Review, SavedSearch, StripeEvent, Subscription

#: UK tax law (HMRC) keeps sales records for 6 years from the end of the accounting period.
TAX_RECORDS = "Tax law: sales records are kept for 6 years"


@personal_data.register(Order)
class OrderData(personal_data.PersonalData):
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
        "stripe_payment_intent_id": Category.PAYMENT,
        "card_brand": Category.PAYMENT,
        "card_last4": Category.PAYMENT,
    }
    field_labels = {
        "billing_line1": "billing address line 1",
        "billing_line2": "billing address line 2",
        "stripe_customer_id": "payment provider's customer reference",
        "stripe_payment_intent_id": "payment reference",
        "card_last4": "card's last four digits",
    }
    export = [
        "number",
        "created_at",
        "status",
        "currency",
        "total",
        "email",
        "billing_name",
        "billing_company",
        "billing_line1",
        "billing_line2",
        "billing_city",
        "billing_postcode",
        "billing_country",
        "recipient_name",
        "recipient_email",
        "card_brand",
        "card_last4",
    ]
    purposes = ["provide_services", "legal_duties", "fraud_prevention"]
    # P10, P20: the totals stay for the accounts; nothing in them identifies the buyer.
    retention = Retention(
        from_field="created_at",
        years=6,
        action=Action.ANONYMISE,
        anonymise=[
            "user",
            "email",
            "billing_name",
            "billing_company",
            "billing_line1",
            "billing_line2",
            "billing_city",
            "billing_postcode",
            "recipient_name",
            "recipient_email",
            "stripe_customer_id",
            "stripe_payment_intent_id",
            "stripe_checkout_session_id",
            "card_brand",
            "card_last4",
        ],
        event="the order date",
    )
    erasure = Erasure.keep(
        TAX_RECORDS + "; the billing name and address stay on the invoice until then",
        anonymise=["user", "email", "recipient_name", "recipient_email", "stripe_customer_id"],
    )
    description = "Your orders: what you bought, when, the billing address and the payment reference."


@personal_data.register(Subscription)
class SubscriptionData(personal_data.PersonalData):
    subject = "user"
    fields = {
        "service_name": Category.ORDERS,
        "plan_name": Category.ORDERS,
        "status": Category.ORDERS,
        "current_period_end": Category.ORDERS,
        "stripe_subscription_id": Category.PAYMENT,
    }
    field_labels = {"stripe_subscription_id": "payment provider's subscription reference"}
    export = [
        "service_name",
        "plan_name",
        "billing",
        "unit_price",
        "quantity",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "canceled_at",
        "created_at",
    ]
    purposes = ["provide_services", "legal_duties"]
    retention = Retention(
        from_field="canceled_at",
        years=6,
        action=Action.DELETE,
        condition=Q(status="canceled"),
        event="the subscription ended",
    )
    erasure = Erasure.keep(TAX_RECORDS, anonymise=["stripe_subscription_id"])
    description = "Your subscriptions: plan, status and renewal dates."


@personal_data.register(Invoice)
class InvoiceData(personal_data.PersonalData):
    subject = "subscription__user"
    fields = {"number": Category.ORDERS, "amount": Category.ORDERS, "hosted_invoice_url": Category.PAYMENT}
    field_labels = {"hosted_invoice_url": "link to the invoice"}
    export = ["number", "amount", "currency", "status", "period_start", "period_end", "created_at"]
    purposes = ["provide_services", "legal_duties"]
    source = Source.PARTNER
    retention = Retention(from_field="created_at", years=6, action=Action.DELETE, event="the invoice date")
    erasure = Erasure.keep(TAX_RECORDS)
    description = "Subscription invoices issued through Stripe."


@personal_data.register(Review)
class ReviewData(personal_data.PersonalData):
    subject = "user"
    fields = {"title": Category.FEEDBACK, "body": Category.FEEDBACK, "rating": Category.FEEDBACK}
    export = ["service", "rating", "title", "body", "status", "created_at"]
    purposes = ["customer_service", "research"]
    retention = Retention(from_field="created_at", years=3, action=Action.DELETE, event="the review was written")
    erasure = Erasure.delete()
    description = "Reviews you wrote about services you bought."


@personal_data.register(SavedSearch)
class SavedSearchData(personal_data.PersonalData):
    subject = "user"
    fields = {"name": Category.PREFERENCES, "query": Category.PREFERENCES}
    export = ["name", "query", "created_at"]
    purposes = ["accounts"]
    retention = Retention(from_field="created_at", years=2, action=Action.DELETE, event="the search was saved")
    erasure = Erasure.delete()
    description = "Searches you saved to run again."


@personal_data.register(Cart)
class CartData(personal_data.PersonalData):
    subject = "user"
    fields = {"updated_at": Category.ORDERS}
    export = ["updated_at"]
    purposes = ["provide_services"]
    source = Source.OBSERVED
    retention = Retention(from_field="updated_at", days=90, action=Action.DELETE, event="the cart last changed")
    erasure = Erasure.delete()
    description = "A signed-in customer's cart, kept between visits."


@personal_data.register(ConsultationRequest)
class ConsultationRequestData(personal_data.PersonalData):
    subject = "user"
    subject_email = "email"
    subject_phone = "phone"
    fields = {
        "name": Category.IDENTITY,
        "email": Category.CONTACT,
        "phone": Category.CONTACT,
        "company": Category.IDENTITY,
        "message": Category.CORRESPONDENCE,
    }
    export = ["name", "email", "phone", "company", "message", "status", "created_at"]
    purposes = ["customer_service"]
    # P37: correspondence has its own period.
    retention = Retention(from_field="created_at", years=2, action=Action.DELETE, event="the request")
    erasure = Erasure.delete()
    description = "Free consultation requests and the messages you sent with them."


@personal_data.register(StripeEvent)
class StripeEventData(personal_data.PersonalData):
    # Event id, type, the Stripe object id and processing times only: no body, no names.
    fields = {}
    retention = Retention(from_field="received_at", days=400, action=Action.DELETE, event="the event arrived")
    erasure = Erasure.keep("Holds no personal data")
    description = "Stripe webhook deliveries: ids, types and processing status; no personal data."
