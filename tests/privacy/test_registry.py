"""The personal-data registry and its system checks (privacy.E001-E008)."""

import datetime

import pytest
from django.core import checks as django_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from accounts.models import Address, Profile, User
from privacy import checks, purposes
from privacy.anonymise import anonymous_values
from privacy.registry import (
    AlreadyRegistered,
    Erasure,
    PersonalData,
    Registry,
    Retention,
    site,
)
from shop.models import ConsultationRequest, Order, Review, Subscription


def _errors(registry, model=None):
    found = checks.check_registry(site=registry)
    if model is not None:
        found = [e for e in found if e.obj is model]
    return found


def _ids(errors):
    return sorted({e.id for e in errors})


def _registry_with(model, **attrs):
    """A registry holding the real declarations except ``model``, declared with ``attrs``."""
    registry = Registry()
    for declaration in site.declarations():
        if declaration.model is not model:
            registry.register(declaration.model, type(declaration))
    base = {
        "subject": "user",
        "fields": {"title": "feedback"},
        "purposes": ["customer_service"],
        "retention": Retention(from_field="created_at", years=1),
    }
    registry.register(model, type("Declaration", (PersonalData,), {**base, **attrs}))
    return registry


def test_the_project_registry_passes_every_check():
    assert checks.check_registry() == []


def test_system_check_command_reports_no_privacy_errors():
    call_command("check", "--tag", "privacy")


def test_p10_every_declared_retention_is_six_years_or_less():
    latest_allowed = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    for declaration in site.holding_personal_data():
        retention = declaration.retention
        assert retention is not None, declaration.label
        start = retention.cutoff(latest_allowed)
        assert latest_allowed - start <= datetime.timedelta(days=6 * 365 + 2), declaration.label


def test_e001_an_undeclared_model_with_a_user_link_is_an_error():
    registry = Registry()
    for declaration in site.declarations():
        if declaration.model is not Review:
            registry.register(declaration.model, type(declaration))

    errors = _errors(registry)

    assert [(e.id, e.obj) for e in errors] == [("privacy.E001", Review)]
    assert "shop.Review holds personal data ('user' points at the user model)" in errors[0].msg
    assert "shop/personal_data.py" in errors[0].hint


def test_e001_an_email_field_alone_makes_a_model_personal():
    registry = Registry()
    for declaration in site.declarations():
        if declaration.model is not ConsultationRequest:
            registry.register(declaration.model, type(declaration))

    assert _ids(_errors(registry, ConsultationRequest)) == ["privacy.E001"]


def test_e001_an_exemption_with_a_reason_silences_it():
    registry = Registry()
    for declaration in site.declarations():
        if declaration.model is not Review:
            registry.register(declaration.model, type(declaration))
    registry.exempt(Review, reason="Test: reviews are published under a pen name.")

    assert _errors(registry) == []


def test_an_exemption_needs_a_reason():
    with pytest.raises(ImproperlyConfigured, match="needs a reason"):
        Registry().exempt(Review, reason="  ")


def test_e002_a_retention_over_six_years_is_an_error():
    registry = _registry_with(Review, retention=Retention(from_field="created_at", years=6, months=1))

    errors = _errors(registry, Review)

    assert _ids(errors) == ["privacy.E002"]
    assert "longer than PRIVACY_MAX_RETENTION" in errors[0].msg


def test_e002_follows_the_setting(settings):
    settings.PRIVACY_MAX_RETENTION = datetime.timedelta(days=365)
    registry = _registry_with(Review, retention=Retention(from_field="created_at", years=2))

    assert "privacy.E002" in _ids(_errors(registry, Review))


def test_e003_a_declared_field_that_does_not_exist():
    registry = _registry_with(
        Review, fields={"title": "feedback", "mood": "feedback"}, export=["title", "mood", "nickname"]
    )

    messages = [e.msg for e in _errors(registry, Review)]

    assert _ids(_errors(registry, Review)) == ["privacy.E003"]
    assert any("personal field 'mood'" in m for m in messages)
    assert any("export field 'nickname'" in m for m in messages)


def test_e003_a_retention_date_field_that_does_not_exist():
    registry = _registry_with(Review, retention=Retention(from_field="written_on", years=1))

    assert _ids(_errors(registry, Review)) == ["privacy.E003"]


def test_e004_a_subject_path_that_does_not_resolve():
    registry = _registry_with(Review, subject="author__user")

    errors = _errors(registry, Review)

    assert _ids(errors) == ["privacy.E004"]
    assert "'author__user' does not resolve" in errors[0].msg


def test_e004_a_subject_path_that_ends_elsewhere_than_the_user():
    registry = _registry_with(Review, subject="service")

    assert "does not end at the user model" in _errors(registry, Review)[0].msg


def test_e005_an_unknown_purpose():
    registry = _registry_with(Review, purposes=["selling_data"])

    errors = _errors(registry, Review)

    assert _ids(errors) == ["privacy.E005"]
    assert "unknown purpose 'selling_data'" in errors[0].msg


def test_e006_personal_data_without_a_retention_period():
    registry = _registry_with(Review, retention=None)

    assert _ids(_errors(registry, Review)) == ["privacy.E006"]


def test_e007_a_required_relation_cannot_be_anonymised():
    registry = _registry_with(
        Subscription,
        fields={"plan_name": "orders"},
        purposes=["provide_services"],
        retention=Retention(from_field="created_at", years=6, action="anonymise", anonymise=["order"]),
    )

    errors = _errors(registry, Subscription)

    assert _ids(errors) == ["privacy.E007"]


def test_e008_keeping_data_on_erasure_names_the_obligation():
    registry = _registry_with(Review, erasure=Erasure.keep(""), cascade_reason="Test: reviews cascade.")

    assert _ids(_errors(registry, Review)) == ["privacy.E008"]


def test_registering_a_model_twice_names_the_first_declaration():
    registry = Registry()
    registry.register(Review, type("First", (PersonalData,), {}))

    with pytest.raises(AlreadyRegistered, match=r"already declared by .*First"):
        registry.register(Review, type("Second", (PersonalData,), {}))


def test_registering_an_abstract_model_is_refused():
    from django.contrib.auth.models import AbstractUser

    with pytest.raises(ImproperlyConfigured, match="abstract"):
        Registry().register(AbstractUser)


def test_every_model_the_checks_would_flag_is_declared_or_exempt():
    flagged = [
        m for m in checks.candidate_models() if any(checks.personal_field_reason(f) for f in m._meta.get_fields())
    ]
    assert flagged
    for model in flagged:
        assert site.is_declared(model) or site.is_exempt(model), model._meta.label


def test_p04_p26_every_declared_purpose_has_a_legal_basis_and_consent_only_for_marketing():
    consent_based = {k for k, p in purposes.PURPOSES.items() if p.needs_consent}
    assert consent_based == {
        "email_marketing",
        "sms_marketing",
        "analytics_cookies",
        "advertising_cookies",
        "affiliate_cookies",
    }
    for purpose in purposes.PURPOSES.values():
        assert purpose.basis in purposes.LegalBasis.values
        if purpose.basis == purposes.LegalBasis.LEGITIMATE_INTEREST:
            assert purpose.interest, f"{purpose.key} must state its legitimate interest (P28)"


def test_p13_every_declaration_states_its_source():
    from privacy.registry import Source

    sources = {d.label: d.source for d in site.declarations()}
    assert all(s in Source.values for s in sources.values())
    assert sources["usersessions.UserSession"] == Source.OBSERVED
    assert sources["accounts.Profile"] == Source.CUSTOMER
    assert sources["shop.Invoice"] == Source.PARTNER


def test_the_stripe_event_table_is_exempt_with_its_reason_and_still_tidied_by_the_purge():
    from privacy.selectors.retention import purgeable_declarations
    from shop.models import StripeEvent

    assert site.get(StripeEvent) is None
    assert site.is_exempt(StripeEvent)
    tidied = [d for d in purgeable_declarations() if d.model is StripeEvent]
    assert "no body, no names" in tidied[0].description
    assert [d.retention.days for d in tidied] == [400]


def test_retention_cutoff_counts_calendar_years():
    retention = Retention(from_field="created_at", years=6)
    now = datetime.datetime(2026, 2, 28, 12, tzinfo=datetime.UTC)

    assert retention.cutoff(now) == datetime.datetime(2020, 2, 28, 12, tzinfo=datetime.UTC)
    assert retention.describe() == "6 years after created, then deleted"


def test_a_subjects_rows_are_found_by_user_or_email(db):
    from privacy.subjects import Subject

    user = User.objects.create_user("rows@example.com", "Kinetogram-test-1")
    Profile.objects.create(user=user, phone="+44 20 7946 0000")
    ConsultationRequest.objects.create(name="Guest", email="ROWS@example.com", message="Hello")
    ConsultationRequest.objects.create(name="Other", email="other@example.com", message="Hello")

    person = Subject.of(user=user)
    assert list(person.rows(site.get(User))) == [user]
    assert person.rows(site.get(Profile)).count() == 1
    assert person.rows(site.get(ConsultationRequest)).count() == 1  # a guest row with the account's address
    assert person.rows(site.get(Address)).count() == 0
    assert Subject.of(email="other@example.com").rows(site.get(ConsultationRequest)).count() == 1


def test_anonymous_values_keep_unique_emails_distinct_in_one_update(db):
    first = User.objects.create_user("first@example.com", "Kinetogram-test-1", full_name="First Person")
    second = User.objects.create_user("second@example.com", "Kinetogram-test-1", full_name="Second Person")

    User.objects.filter(pk__in=[first.pk, second.pk]).update(
        **anonymous_values(User, ["email", "full_name", "password"])
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.email == f"erased-{first.pk}@erased.invalid"
    assert second.email == f"erased-{second.pk}@erased.invalid"
    assert first.full_name == ""
    assert not first.has_usable_password()


def test_the_order_declaration_keeps_tax_records_and_anonymises_contact_details():
    declaration = site.get(Order)

    assert declaration.retention.years == 6
    assert declaration.retention.action == "anonymise"
    assert declaration.erasure.action == "keep"
    assert "Tax" in declaration.erasure.obligation
    assert declaration.erasure_kept() == ("billing_country", "total", "status")
    assert declaration.retention_anonymise() == declaration.erasure_anonymise()
    assert set(declaration.erasure_anonymise()) == {
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
        "stripe_checkout_session_id",
        "stripe_payment_intent_id",
        "card_brand",
        "card_last4",
    }


def test_checks_are_registered_with_the_privacy_tag():
    assert "privacy" in django_checks.registry.registry.tags_available()


def test_pr10_an_account_never_signed_in_to_counts_from_the_day_it_was_opened(db):
    from privacy.services import retention_purge

    now = datetime.datetime(2026, 11, 24, 12, tzinfo=datetime.UTC)
    never_used = User.objects.create_user("never@example.com", "Kinetogram-test-1")
    recent = User.objects.create_user("recent@example.com", "Kinetogram-test-1")
    User.objects.filter(pk=never_used.pk).update(last_login=None, date_joined=now - datetime.timedelta(days=3 * 366))
    User.objects.filter(pk=recent.pk).update(last_login=None, date_joined=now - datetime.timedelta(days=30))

    retention_purge(now=now)

    never_used.refresh_from_db()
    recent.refresh_from_db()
    assert never_used.email == f"erased-{never_used.pk}@erased.invalid"
    assert not never_used.has_usable_password()
    assert recent.email == "recent@example.com"


def test_e010_a_kept_model_that_would_go_with_a_deleted_user_is_an_error():
    registry = _registry_with(Review, erasure=Erasure.keep("Test: kept for a reason"))

    errors = _errors(registry, Review)

    assert _ids(errors) == ["privacy.E010"]
    assert "shop.Review.user cascades (on_delete=CASCADE)" in errors[0].msg


def test_e010_a_cascade_through_a_link_that_is_set_null_is_not_an_error():
    from shop.models import Invoice

    # Invoice -> subscription cascades, but Subscription -> user is SET_NULL: the user's
    # deletion stops at the subscription.
    assert _errors(site, Invoice) == []
    assert _errors(site, Subscription) == []
    assert Subscription._meta.get_field("user").remote_field.on_delete.__name__ == "SET_NULL"


def test_e010_a_librarys_cascade_is_accepted_with_its_reason():
    from django.contrib.admin.models import LogEntry

    declaration = site.get(LogEntry)
    registry = _registry_with(Review, erasure=Erasure.keep("Test: kept"), cascade_reason="Test: a library's.")

    assert declaration.cascade_reason
    assert _errors(registry, Review) == []


def test_e011_a_personal_field_neither_exported_nor_left_out_with_a_reason_is_an_error():
    registry = _registry_with(Review, fields={"title": "feedback", "body": "feedback"}, export=["title"])

    errors = _errors(registry, Review)

    assert _ids(errors) == ["privacy.E011"]
    assert "personal field 'body' is neither exported nor left out with a reason" in errors[0].msg


def test_e011_leaving_a_field_out_needs_a_reason():
    registry = _registry_with(Review, fields={"title": "feedback", "body": "feedback"}, not_exported={"body": " "})

    errors = _errors(registry, Review)

    assert _ids(errors) == ["privacy.E011"]
    assert [e.msg for e in errors] == [
        "shop.Review's personal field 'body' is neither exported nor left out with a reason.",
        "shop.Review leaves 'body' out of the export without a reason.",
    ]


def test_e012_a_personal_field_the_erasure_does_not_cover_is_an_error():
    registry = _registry_with(
        Review, fields={"title": "feedback", "body": "feedback"}, erasure=Erasure.anonymise_fields(["title"])
    )

    errors = _errors(registry, Review)

    assert _ids(errors) == ["privacy.E012"]
    assert "erasure neither deletes, anonymises nor keeps its personal field 'body'" in errors[0].msg


def test_the_export_defaults_to_the_personal_fields_and_the_rows_own_reference_fields():
    from allauth.mfa.models import Authenticator

    from accounts.models import User

    assert site.get(Review).export_fields() == [
        "service",
        "rating",
        "title",
        "body",
        "status",
        "created_at",
        "moderated_at",
    ]
    # Links to people are left out: the owner (user) and the staff member who moderated.
    assert "moderated_by" not in site.get(Review).export_fields()
    assert site.get(Authenticator).export_fields() == ["type", "created_at", "last_used_at"]
    assert "password" not in site.get(User).export_fields()
    assert {"email", "full_name", "date_joined", "last_login", "age_confirmed_at"} <= set(
        site.get(User).export_fields()
    )


def test_the_erasure_anonymises_every_personal_field_and_the_link_to_the_person_unless_kept():
    from privacy.models import ProcessorStep, SubjectRequest

    assert site.get(Subscription).erasure_anonymise() == ("stripe_subscription_id", "user")
    assert site.get(SubjectRequest).erasure_anonymise() == ("email", "details", "changes", "verification_note")
    assert site.get(ProcessorStep).erasure_anonymise() == ("payload",)
    assert site.get(Profile).erasure_anonymise() == ()
    assert site.get(User).erasure_describe() == (
        "anonymised (email, full_name, password, last_login, age_confirmed_at)"
    )
    assert site.get(Order).erasure_describe().startswith("kept: Tax law: sales records are kept for 6 years")


def test_e013_a_declared_models_admin_without_the_audit_mixin_is_an_error():
    from django.contrib import admin

    from privacy.admin_mixins import PersonalDataAdminMixin

    site_ = admin.AdminSite(name="probe")
    site_.register(Review, admin.ModelAdmin)
    site_.register(Order, type("AuditedOrderAdmin", (PersonalDataAdminMixin, admin.ModelAdmin), {}))

    errors = checks.check_admin_audited(admin_sites=[site_])

    assert _ids(errors) == ["privacy.E013"]
    assert [e.msg for e in errors] == [
        "The admin of shop.Review (ModelAdmin on the 'probe' site) does not audit staff access to personal data."
    ]


def test_e013_an_undeclared_models_admin_needs_no_mixin():
    from django.contrib import admin

    from shop.models import Category

    site_ = admin.AdminSite(name="probe")
    site_.register(Category, admin.ModelAdmin)

    assert checks.check_admin_audited(admin_sites=[site_]) == []


def test_e013_every_admin_of_the_project_audits_its_declared_models():
    assert checks.check_admin_audited() == []
