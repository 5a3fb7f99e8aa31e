"""A customer with a row in every declared model, every personal text field holding a value
of their own that no one else's data contains (the canary of PR-01 and PR-04)."""

import dataclasses
import datetime
import uuid
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt as mfa_encrypt
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from accounts.models import Address, Profile, User
from analytics.models import PageView
from billing.models import Refund, TaxInvoice
from marketing.models import (
    AffiliatePartner,
    AffiliateReferral,
    Campaign,
    CampaignSend,
    EmailProviderEvent,
    InboundMessage,
    InterestChoice,
    MarketingPreference,
    MessageChoice,
    PhoneNumber,
    TextAlert,
    TextAlertDelivery,
    UndeliverableAddress,
)
from privacy.models import (
    AuditEvent,
    ConsentEvent,
    DataExport,
    Disclosure,
    PolicyAcknowledgement,
    PrivacySignal,
    ProcessorStep,
    Restriction,
    SubjectRequest,
    SubjectRequestEvent,
)
from shop.models import (
    Cart,
    ConsultationRequest,
    Invoice,
    Order,
    PromotionCode,
    PromotionRedemption,
    Review,
    SavedSearch,
    Subscription,
)
from tests.privacy.factories import PolicyVersionFactory
from tests.shop.factories import PlanFactory, ServiceFactory

#: Fields shorter than a canary; the tests check them through the ORM instead of the scan.
SHORT = {"country", "billing_country", "card_last4", "browser_version"}


@dataclasses.dataclass
class Person:
    user: User
    tag: str
    #: {"shop.Order.billing_name": "zq…", ...}: every canary written, by declared field.
    canaries: dict
    phone_digits: str
    ip: str
    #: A Stripe customer id held on the orders, for the processor steps.
    stripe_customer: str

    @property
    def tokens(self) -> list[str]:
        """What a scan looks for: the shared prefix, the phone's digits, the IP address."""
        return [self.tag, self.phone_digits, self.ip]


def person_everywhere(n: int = 1, *, staff=None) -> Person:
    """A customer (number ``n`` keeps two of them apart) with rows in every declared model."""
    tag = f"zq{n}{uuid.uuid4().hex[:6]}"
    canaries = {}

    def c(label, field, value=None):
        value = value if value is not None else f"{tag}{field.replace('_', '')[-8:]}"
        canaries[f"{label}.{field}"] = value
        return value

    def mail(label, field, local):
        return c(label, field, f"{tag}.{local}@example.com")

    phone = f"+4477009{n:02d}{n:03d}"
    phone_digits = phone.lstrip("+")
    ip = f"203.0.113.{100 + n}"
    now = timezone.now()
    staff = staff or User.objects.create_user(f"staff{uuid.uuid4().hex[:8]}@kinetogram.test", is_staff=True)

    user = User.objects.create_user(
        mail("accounts.User", "email", "account"),
        "Blue-harbour-42",
        full_name=c("accounts.User", "full_name"),
        age_confirmed_at=now,
        last_login=now,
    )
    Profile.objects.create(
        user=user,
        phone=c("accounts.Profile", "phone", phone),
        company=c("accounts.Profile", "company"),
        city=c("accounts.Profile", "city"),
        country="GB",
    )
    address = Address.objects.create(
        user=user,
        kind=Address.Kind.BILLING,
        full_name=c("accounts.Address", "full_name"),
        company=c("accounts.Address", "company"),
        line1=c("accounts.Address", "line1"),
        line2=c("accounts.Address", "line2"),
        city=c("accounts.Address", "city"),
        postcode=c("accounts.Address", "postcode"),
        country="GB",
        is_default=True,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    EmailAddress.objects.create(user=user, email=mail("account.EmailAddress", "email", "second"), verified=False)
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": mfa_encrypt(c("mfa.Authenticator", "data"))}
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["note"] = tag
    session.create()
    UserSession.objects.create(
        user=user,
        ip=c("usersessions.UserSession", "ip", ip),
        session_key=session.session_key,
        user_agent=c("usersessions.UserSession", "user_agent"),
    )
    LogEntry.objects.log_actions(
        staff.pk, [user], CHANGE, change_message=[{"changed": {"fields": ["full_name"]}}], single_object=True
    )
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(Address),
        object_id=str(address.pk),
        object_repr=c("admin.LogEntry", "object_repr"),
        action_flag=CHANGE,
        change_message="[]",
    )

    service = ServiceFactory(name=f"Service {n} {uuid.uuid4().hex[:4]}", slug=f"s-{uuid.uuid4().hex[:10]}")
    customer_id = c("shop.Order", "stripe_customer_id", f"cus_{tag}")
    order = Order.objects.create(
        user=user,
        email=mail("shop.Order", "email", "orders"),
        total=Decimal("149.00"),
        status=Order.Status.PAID,
        billing_name=c("shop.Order", "billing_name"),
        billing_company=c("shop.Order", "billing_company"),
        billing_line1=c("shop.Order", "billing_line1"),
        billing_line2=c("shop.Order", "billing_line2"),
        billing_city=c("shop.Order", "billing_city"),
        billing_postcode=c("shop.Order", "billing_postcode"),
        billing_country="GB",
        recipient_name=c("shop.Order", "recipient_name"),
        recipient_email=mail("shop.Order", "recipient_email", "recipient"),
        stripe_customer_id=customer_id,
        stripe_checkout_session_id=c("shop.Order", "stripe_checkout_session_id", f"cs_{tag}"),
        stripe_payment_intent_id=c("shop.Order", "stripe_payment_intent_id", f"pi_{tag}"),
        card_brand=c("shop.Order", "card_brand", f"{tag}cb"),
        card_last4="9137",
    )
    # A guest order with the account's address, placed before the account existed.
    Order.objects.create(
        user=None,
        email=user.email.upper(),
        total=Decimal("20.00"),
        billing_name=order.billing_name,
        billing_line1=order.billing_line1,
        billing_city=order.billing_city,
        billing_postcode=order.billing_postcode,
        billing_country="GB",
    )
    subscription = Subscription.objects.create(
        user=user,
        order=order,
        plan=PlanFactory(service=service),
        service_name="Monthly newsletter",
        plan_name="Standard",
        billing="month",
        unit_price=Decimal("49.00"),
        status=Subscription.Status.CANCELED,
        stripe_subscription_id=c("shop.Subscription", "stripe_subscription_id", f"sub_{tag}"),
        canceled_at=now,
    )
    Invoice.objects.create(
        subscription=subscription,
        stripe_invoice_id=f"in_{uuid.uuid4().hex}",
        number=f"KG-INV-{n:04d}",
        amount=Decimal("49.00"),
        currency="gbp",
        status=Invoice.Status.PAID,
        hosted_invoice_url=c("shop.Invoice", "hosted_invoice_url", f"https://invoice.stripe.test/{tag}"),
    )
    document = TaxInvoice.objects.create(
        number=f"INV-{uuid.uuid4().hex[:10]}",
        source_key=f"order:{order.number}",
        order=order,
        supply_date=now.date(),
        seller_name="Kinetogram Marketing Ltd",
        seller_address="1 Example Street",
        seller_vat_number="GB980780684",
        customer_name=c("billing.TaxInvoice", "customer_name"),
        customer_company=c("billing.TaxInvoice", "customer_company"),
        customer_address=c("billing.TaxInvoice", "customer_address"),
        customer_country="GB",
        customer_email=mail("billing.TaxInvoice", "customer_email", "invoices"),
        purchase_order=c("billing.TaxInvoice", "purchase_order"),
        vat_rate=Decimal("0.2"),
        vat_treatment="standard",
        net_total=Decimal("124.17"),
        vat_total=Decimal("24.83"),
        gross_total=Decimal("149.00"),
    )
    Refund.objects.create(
        order=order, amount=Decimal("10.00"), reason=c("billing.Refund", "reason"), origin="staff", status="pending"
    )
    assert document.pk
    PromotionRedemption.objects.create(
        promotion=PromotionCode.objects.create(
            code=f"SPRING-{uuid.uuid4().hex[:8]}".upper(), percent_off=Decimal("10")
        ),
        order=order,
        user=user,
        email=mail("shop.PromotionRedemption", "email", "promo"),
        subtotal=Decimal("165.56"),
        discount=Decimal("16.56"),
    )
    Review.objects.create(
        service=service, user=user, rating=4, title=c("shop.Review", "title"), body=c("shop.Review", "body")
    )
    SavedSearch.objects.create(user=user, name=c("shop.SavedSearch", "name"), query=c("shop.SavedSearch", "query"))
    Cart.objects.create(user=user)
    ConsultationRequest.objects.create(
        user=user,
        name=c("shop.ConsultationRequest", "name"),
        email=mail("shop.ConsultationRequest", "email", "consult"),
        phone=c("shop.ConsultationRequest", "phone", phone),
        company=c("shop.ConsultationRequest", "company"),
        message=c("shop.ConsultationRequest", "message"),
    )

    PageView.objects.create(
        user=user,
        viewed_at=now,
        path=c("analytics.PageView", "path", f"/services/{tag}path/"),
        route="shop:service_detail",
        status_code=200,
        response_ms=42,
        browser=c("analytics.PageView", "browser"),
        browser_version="124",
        device=PageView.Device.DESKTOP,
        referrer_domain=c("analytics.PageView", "referrer_domain", f"{tag}.example.net"),
        ip_prefix=c("analytics.PageView", "ip_prefix", f"198.51.{n}.0"),
    )
    partner, _ = AffiliatePartner.objects.get_or_create(
        code="canary-partner", defaults={"name": "Partner site", "commission_rate": Decimal("0.1")}
    )
    AffiliateReferral.objects.create(
        order=order, partner=partner, code=partner.code, commission_rate=partner.commission_rate, commission=14.9
    )

    policy = PolicyVersionFactory(version=f"2026.{n:02d}", effective_date=datetime.date(2026, 1, 1))
    ConsentEvent.objects.create(
        user=user,
        anonymous_id=uuid.uuid4(),
        email=mail("privacy.ConsentEvent", "email", "consent"),
        phone=c("privacy.ConsentEvent", "phone", phone),
        purpose="sms_marketing",
        action=ConsentEvent.Action.GIVEN,
        source=ConsentEvent.Source.ACCOUNT,
        policy_version=policy,
        wording="Text me offers.",
    )
    PolicyAcknowledgement.objects.create(user=user, policy_version=policy)
    PrivacySignal.objects.create(user=user)
    Restriction.objects.create(
        user=user,
        email=mail("privacy.Restriction", "email", "restrict"),
        scope=Restriction.Scope.MARKETING,
        reason=c("privacy.Restriction", "reason"),
        review_on=now.date(),
        ended_at=now,
    )
    AuditEvent.objects.create(actor=user, actor_label=f"customer #{user.pk}", action="change", model="x.Y")
    Disclosure.objects.create(
        recipient="HM Revenue & Customs",
        legal_basis="Schedule 36 notice",
        categories=["orders"],
        subject=user,
        disclosed_on=now.date(),
    )
    request = SubjectRequest.objects.create(
        reference=f"R-{uuid.uuid4().hex[:8]}",
        kind=SubjectRequest.Kind.ACCESS,
        user=user,
        email=mail("privacy.SubjectRequest", "email", "request"),
        details=c("privacy.SubjectRequest", "details"),
        changes=[{"requested": c("privacy.SubjectRequest", "changes")}],
        verification_note=c("privacy.SubjectRequest", "verification_note"),
        status=SubjectRequest.Status.COMPLETED,
        first_due_on=now.date(),
        due_on=now.date(),
    )
    SubjectRequestEvent.objects.create(request=request, actor=user, actor_label="requester", to_status="received")
    ProcessorStep.objects.create(
        request=request, handler="stripe.erase_customer", action="erase", payload={"customer": f"cus_{tag}"}
    )
    canaries["privacy.ProcessorStep.payload"] = f"cus_{tag}"
    file_name = c("privacy.DataExport", "file_name", f"exports/{tag}.zip")
    storages["exports"].save(file_name, ContentFile(f"data of {tag}".encode()))
    DataExport.objects.create(
        token=uuid.uuid4(), user=user, email=mail("privacy.DataExport", "email", "export"), file_name=file_name
    )
    _contest_rows(user, c, mail, now)
    # marketing: preferences and text alerts
    preference = MarketingPreference.objects.create(
        user=user, time_zone=c("marketing.MarketingPreference", "time_zone")
    )
    InterestChoice.objects.create(preference=preference, category=service.category)
    MessageChoice.objects.create(preference=preference, topic=MessageChoice.Topic.OFFERS)
    PhoneNumber.objects.create(user=user, number=c("marketing.PhoneNumber", "number", phone), verified_at=now)
    alert = TextAlert.objects.create(message="An alert to everyone")
    TextAlertDelivery.objects.create(alert=alert, user=user, phone=c("marketing.TextAlertDelivery", "phone", phone))
    InboundMessage.objects.create(
        message_sid=f"SM{uuid.uuid4().hex}",
        from_number=c("marketing.InboundMessage", "from_number", phone),
        body=c("marketing.InboundMessage", "body"),
        outcome=InboundMessage.Outcome.OTHER,
        user=user,
    )
    campaign = Campaign.objects.create(
        name="Canary campaign",
        slug=f"campaign-{uuid.uuid4().hex[:12]}",
        subject="Hi",
        body_html="<p>Hi</p>",
        body_text="Hi",
    )
    send = CampaignSend.objects.create(
        campaign=campaign,
        recipient=user,
        email=mail("marketing.CampaignSend", "email", "account"),
        run=uuid.uuid4(),
        status=CampaignSend.Status.SENT,
        message_id=c("marketing.CampaignSend", "message_id"),
        sent_at=now,
        delivered_at=now,
    )
    EmailProviderEvent.objects.create(
        esp_name="Postmark",
        event_id=f"ev-{tag}",
        event_type="delivered",
        recipient=mail("marketing.EmailProviderEvent", "recipient", "account"),
        message_id=c("marketing.EmailProviderEvent", "message_id"),
        send=send,
        occurred_at=now,
    )
    UndeliverableAddress.objects.create(
        address=mail("marketing.UndeliverableAddress", "address", "account"), reason="bounced"
    )
    return Person(user=user, tag=tag, canaries=canaries, phone_digits=phone_digits, ip=ip, stripe_customer=customer_id)


def _contest_rows(user, c, mail, now):
    """An entry, an unconfirmed entry under the account's address, and a written survey answer."""
    from contests.models import Answer, Contest, Entry, PendingEntry, Question, Response, Survey

    slug = f"c-{uuid.uuid4().hex[:10]}"
    contest = Contest.objects.create(
        title="Sweepstake",
        slug=slug,
        prize="A plan",
        rules="Adults only.",
        opens=now,
        closes=now + datetime.timedelta(days=9),
    )
    Entry.objects.create(
        contest=contest,
        user=user,
        email=c("contests.Entry", "email", user.email),
        verified_by="account",
        age_confirmed_at=now,
    )
    PendingEntry.objects.create(
        contest=contest, email=c("contests.PendingEntry", "email", user.email), age_confirmed_at=now
    )
    survey = Survey.objects.create(title="Survey", slug=slug)
    question = Question.objects.create(survey=survey, text="Anything else?", kind="text")
    response = Response.objects.create(survey=survey, user=user)
    Answer.objects.create(response=response, question=question, text=c("contests.Answer", "text"))


@pytest.fixture
def fresh_storages(settings):
    """Empty erasure-log and export storages for one test (in-memory ones live as long as the process)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "erasure_log": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "exports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
