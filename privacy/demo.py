"""Demo rows for the privacy models, so every declared model has data for every demo customer.

Called by the shop's demo builder with the users it made; privacy never imports the other
apps. Idempotent: a second run finds its rows and creates nothing.
"""

import datetime
import uuid

from django.utils import timezone

from privacy.models import (
    AuditEvent,
    ConsentEvent,
    DataExport,
    Disclosure,
    PolicyAcknowledgement,
    PolicyVersion,
    PrivacySignal,
    Processor,
    ProcessorStep,
    Restriction,
    SubjectRequest,
    SubjectRequestEvent,
)
from privacy.services.audit import actor_label
from privacy.services.cookies import banner_wording

DEMO_PROCESSORS = [
    {
        "name": "Hetzner Online GmbH",
        "kind": Processor.Kind.IT,
        "categories": ["identity", "contact", "address", "orders", "payment", "browsing", "preferences"],
        "purpose": "Hosting the shop's servers, database and backups.",
        "location": "Germany and Finland (EU)",
        "contract_date": datetime.date(2021, 3, 1),
    },
    {
        "name": "Postmark (ActiveCampaign, LLC)",
        "kind": Processor.Kind.EMAIL,
        "categories": ["identity", "contact", "orders"],
        "purpose": "Sending order confirmations, account emails and, with consent, marketing emails.",
        "location": "USA, under the EU-US Data Privacy Framework",
        "contract_date": datetime.date(2022, 6, 15),
    },
    {
        "name": "Royal Mail Group Ltd",
        "kind": Processor.Kind.DELIVERY,
        "categories": ["identity", "address"],
        "purpose": "Delivering printed campaign material and postal mailers.",
        "location": "United Kingdom",
        "contract_date": datetime.date(2019, 9, 2),
    },
    {
        "name": "Mailshot Print Partners Ltd",
        "kind": Processor.Kind.MARKETING,
        "categories": ["identity", "address", "preferences"],
        "purpose": "Printing and posting postal mailers to customers who have not objected.",
        "location": "United Kingdom",
        "contract_date": datetime.date(2023, 1, 10),
    },
]


def demo_seed_privacy(*, customers, staff, now, opt_in_wording, withdraw_wording, restricted=None):
    """Processors, consents, acknowledgements, signals, restrictions, audit and disclosures.

    ``restricted`` (one of the customers) is under an active marketing restriction; the others
    have one that ended. ``opt_in_wording`` and ``withdraw_wording`` are the words the account
    pages show, per marketing purpose, so the demo ledger records what customers really see.
    """
    for spec in DEMO_PROCESSORS:
        Processor.objects.get_or_create(name=spec["name"], defaults={**spec, "safeguards_confirmed_on": now.date()})
    # Migration 0003 publishes the first version; a flushed database (a test) may lack it.
    policy = PolicyVersion.objects.order_by("effective_date").first() or PolicyVersion.objects.create(
        version="2018.05",
        effective_date=datetime.date(2018, 5, 25),
        summary="The privacy and cookie policy as first implemented in May 2018.",
    )
    for position, user in enumerate(customers):
        joined = user.date_joined
        for purpose in ("email_marketing", "sms_marketing"):
            _consent(user, purpose, ConsentEvent.Source.SIGNUP, opt_in_wording[purpose], joined, policy)
        if position % 3 == 1:
            _consent(
                user,
                "email_marketing",
                ConsentEvent.Source.ACCOUNT,
                withdraw_wording["email_marketing"],
                joined + datetime.timedelta(days=30),
                policy,
                action=ConsentEvent.Action.WITHDRAWN,
            )
        consent_id = uuid.uuid5(uuid.NAMESPACE_URL, f"kinetogram-demo-consent:{user.pk}")
        for purpose in ("analytics_cookies", "advertising_cookies", "affiliate_cookies"):
            _consent(
                user,
                purpose,
                ConsentEvent.Source.COOKIE_BANNER,
                banner_wording("Save my choices"),
                joined,
                policy,
                action=ConsentEvent.Action.GIVEN if purpose == "analytics_cookies" else ConsentEvent.Action.WITHDRAWN,
                anonymous_id=consent_id,
            )
        PolicyAcknowledgement.objects.get_or_create(
            user=user, policy_version=policy, defaults={"acknowledged_at": joined}
        )
        PrivacySignal.objects.get_or_create(
            user=user, defaults={"gpc_first_seen_at": joined, "gpc_last_seen_at": now - datetime.timedelta(days=2)}
        )
        if not Restriction.objects.filter(user=user).exists():
            active = user == restricted
            Restriction.objects.create(
                user=user,
                scope=Restriction.Scope.MARKETING if active else Restriction.Scope.PROFILING,
                reason=(
                    "Contests the accuracy of their marketing profile while we check it."
                    if active
                    else "Asked us to pause tailored offers while they reviewed their preferences."
                ),
                starts_at=now - datetime.timedelta(days=10 if active else 200),
                review_on=(now + datetime.timedelta(days=20 if active else -170)).date(),
                ended_at=None if active else now - datetime.timedelta(days=170),
                created_by=staff,
            )
        if not AuditEvent.objects.filter(actor=user).exists():
            AuditEvent.objects.create(
                actor=user,
                actor_label=actor_label(user),
                action=AuditEvent.Action.CONSENT,
                model=ConsentEvent._meta.label,
                subject_id=str(user.pk),
                fields=["action", "purpose"],
                detail="cookie choices recorded",
                created_at=joined,
            )
        if not AuditEvent.objects.filter(actor=staff, subject_id=str(user.pk)).exists():
            AuditEvent.objects.create(
                actor=staff,
                actor_label=actor_label(staff),
                action=AuditEvent.Action.VIEW,
                model=user._meta.label,
                object_id=str(user.pk),
                subject_id=str(user.pk),
                fields=["email", "full_name"],
                created_at=now - datetime.timedelta(days=5),
            )
        Disclosure.objects.get_or_create(
            subject=user,
            reference="HMRC-VAT-2025-0417",
            defaults={
                "recipient": "HM Revenue & Customs",
                "legal_basis": "VAT inspection under Schedule 36, Finance Act 2008",
                "categories": ["identity", "address", "orders"],
                "disclosed_on": (now - datetime.timedelta(days=60)).date(),
                "notes": "Sales records of the 2024-25 tax year, sent through HMRC's secure upload.",
                "recorded_by": staff,
            },
        )


def _consent(user, purpose, source, wording, when, policy, *, action=ConsentEvent.Action.GIVEN, anonymous_id=None):
    if ConsentEvent.objects.filter(user=user, purpose=purpose, source=source, action=action).exists():
        return
    ConsentEvent.objects.create(
        user=user,
        anonymous_id=anonymous_id,
        purpose=purpose,
        action=action,
        source=source,
        policy_version=policy,
        wording=wording,
        created_at=when,
    )


def demo_seed_exports(*, customers, now):
    """One past download of their data per customer, expired a few hours ago and its file
    deleted, as the hourly expiry leaves it until the purge removes the row a day later
    (P19, PR-06). Idempotent."""
    for user in customers:
        asked = now - datetime.timedelta(days=7, hours=3)
        DataExport.objects.get_or_create(
            token=uuid.uuid5(uuid.NAMESPACE_URL, f"kinetogram-demo-export:{user.pk}"),
            defaults={
                "user": user,
                "status": DataExport.Status.EXPIRED,
                "created_at": asked,
                "ready_at": asked + datetime.timedelta(minutes=2),
                "expires_at": asked + datetime.timedelta(days=7, minutes=2),
                "downloads": 1,
            },
        )


#: One request per state worth showing in the queue: (kind, channel, status, received days
#: ago, extension months, how it was verified).
DEMO_REQUESTS = [
    ("access", "web", "completed", 60, 0, "reauthentication"),
    ("rectification", "web", "in_progress", 26, 0, "reauthentication"),
    ("restriction", "email", "verified", 40, 0, "staff"),  # overdue
    ("portability", "web", "extended", 45, 2, "reauthentication"),
    ("erasure", "web", "refused", 20, 0, "reauthentication"),
    ("objection", "phone", "received", 2, 0, ""),
]


def demo_seed_requests(*, customers, staff, now):
    """Privacy requests in the states the queue shows: one per customer in a different
    state (one overdue, one extended, one refused), a request from a person without an
    account still waiting for its link, and for every customer an earlier correction whose
    billing name reached the payment provider (P25, PR-11). The rows are what the request
    services write; the dates are set back so the deadlines show. Idempotent."""
    from privacy.deadlines import due_date

    def make(reference, *, kind, channel, status, days_ago, user=None, email="", extension=0, verified="", **extra):
        received = now - datetime.timedelta(days=days_ago)
        paused = 0
        first_due = due_date(timezone.localdate(received))
        request, created = SubjectRequest.objects.get_or_create(
            reference=reference,
            defaults={
                "kind": kind,
                "channel": channel,
                "status": status,
                "user": user,
                "email": email or getattr(user, "email", ""),
                "received_at": received,
                "created_at": received,
                "first_due_on": first_due,
                "due_on": due_date(timezone.localdate(received), days_paused=paused, extension_months=extension),
                "extension_months": extension,
                "extension_reason": "Records held in three systems need checking by hand." if extension else "",
                "verified_at": received if verified else None,
                "verification": verified,
                "verification_note": "Called back on the number on the account." if verified == "staff" else "",
                "assignee": staff if status not in ("received", "awaiting_verification") else None,
                "clock_stopped_at": received if status == "awaiting_verification" else None,
                "closed_at": received + datetime.timedelta(days=9) if status in ("completed", "refused") else None,
                **extra,
            },
        )
        if created:
            path = {
                "received": ["received"],
                "awaiting_verification": ["awaiting_verification"],
                "verified": ["verified"],
                "in_progress": ["verified", "in_progress"],
                "extended": ["verified", "in_progress", "extended"],
                "completed": ["verified", "in_progress", "completed"],
                "refused": ["verified", "refused"],
            }[status]
            previous = ""
            for step, to_status in enumerate(path):
                by_requester = step == 0 and verified == "reauthentication"
                actor = user if by_requester else (staff if step else None)
                SubjectRequestEvent.objects.create(
                    request=request,
                    actor=actor,
                    actor_label=actor_label(actor) if actor else ("requester" if step == 0 else "system"),
                    from_status=previous,
                    to_status=to_status,
                    note=request.extension_reason if to_status == "extended" else request.outcome if step else "",
                    created_at=received + datetime.timedelta(days=step),
                )
                previous = to_status
        return request

    year = timezone.localdate(now).year
    for index, user in enumerate(customers):
        kind, channel, status, days_ago, extension, verified = DEMO_REQUESTS[index % len(DEMO_REQUESTS)]
        outcome = {
            "completed": "A copy of your data is ready to download.",
            "refused": "Your subscription is still running: we keep the account until it ends, then erase it.",
        }.get(status, "")
        make(
            f"DSR-{year}-DEMO{index + 1:02d}",
            kind=kind,
            channel=channel,
            status=status,
            days_ago=days_ago,
            user=user,
            extension=extension,
            verified=verified,
            outcome=outcome,
            scope="marketing" if kind == "restriction" else "",
            changes=[
                {
                    "record": "shop.Order",
                    "field": "billing_company",
                    "current": "Hart & Co",
                    "requested": "New name Ltd",
                }
            ]
            if kind == "rectification"
            else [],
        )
        earlier = make(
            f"DSR-{year - 1}-DEMO{index + 1:02d}",
            kind="rectification",
            channel="web",
            status="completed",
            days_ago=300,
            user=user,
            verified="reauthentication",
            outcome="Your data has been corrected.",
        )
        ProcessorStep.objects.get_or_create(
            request=earlier,
            handler="stripe.update_customer",
            defaults={
                "action": "rectify",
                "status": ProcessorStep.Status.DONE,
                "attempts": 1,
                "done_at": earlier.closed_at,
                "created_at": earlier.closed_at,
            },
        )
    make(
        f"DSR-{year}-DEMO99",
        kind="access",
        channel="web",
        status="awaiting_verification",
        days_ago=1,
        email="maria.lopez@example.net",
    )
