"""System checks that keep the personal-data registry complete and correct (P10, P26).

privacy.E001  a model holds personal data but is neither declared nor exempted
privacy.E002  a retention period is longer than PRIVACY_MAX_RETENTION
privacy.E003  a declared field does not exist
privacy.E004  a subject path does not resolve (to the user model, or to a field)
privacy.E005  a declaration names an unknown purpose
privacy.E006  a declaration holding personal data has no retention period
privacy.E007  a field to anonymise has no safe anonymous value
privacy.E008  erasure keeps data without naming the legal obligation
privacy.E009  a cookie the configured site sets (session, CSRF, messages, consent) is not declared
"""

import datetime

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from privacy import purposes as purposes_module
from privacy.anonymise import CannotAnonymise, anonymous_value
from privacy.conf import settings as privacy_settings
from privacy.registry import Registry, resolve_path
from privacy.registry import site as default_site

PERSONAL_NAME_HINTS = ("email", "phone", "mobile", "ip_address", "line1", "street", "postcode", "postal_code")
REFERENCE_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def personal_field_reason(field) -> str:
    """Why a field looks personal ("" when it does not)."""
    if field.is_relation:
        # Only the model's own links (foreign key, one-to-one, many-to-many), not reverse ones.
        points_at_user = field.concrete and field.related_model._meta.label == settings.AUTH_USER_MODEL
        return f"'{field.name}' points at the user model" if points_at_user else ""
    if isinstance(field, models.EmailField):
        return f"'{field.name}' is an email field"
    if isinstance(field, models.GenericIPAddressField):
        return f"'{field.name}' is an IP-address field"
    name = field.name.lower()
    for hint in PERSONAL_NAME_HINTS:
        if hint in name:
            return f"'{field.name}' looks like personal data"
    if name == "address" or name.endswith("_address"):
        return f"'{field.name}' looks like an address"
    return ""


def candidate_models():
    for model in apps.get_models():
        if model._meta.auto_created or model._meta.proxy:
            continue
        yield model


@checks.register("privacy")
def check_registry(app_configs=None, site: Registry | None = None, **kwargs):
    site = default_site if site is None else site
    errors = []
    errors += check_undeclared(site)
    for declaration in site.declarations():
        errors += check_declaration(declaration)
    return errors


def check_undeclared(site: Registry):
    errors = []
    for model in candidate_models():
        if site.is_declared(model) or site.is_exempt(model):
            continue
        reasons = [r for r in (personal_field_reason(f) for f in model._meta.get_fields()) if r]
        if reasons:
            errors.append(
                checks.Error(
                    f"{model._meta.label} holds personal data ({reasons[0]}) but is not declared.",
                    hint=(
                        f"Declare it in {model._meta.app_label}/personal_data.py with "
                        "@personal_data.register(...), or exempt it with a reason."
                    ),
                    obj=model,
                    id="privacy.E001",
                )
            )
    return errors


def _field_error(declaration, name, where):
    return checks.Error(
        f"{declaration.label} declares {where} '{name}', which is not a field of the model.",
        hint="Fix the name in the declaration, or remove it.",
        obj=declaration.model,
        id="privacy.E003",
    )


def check_declaration(declaration):
    errors = []
    model = declaration.model
    opts = model._meta

    def exists(name):
        try:
            opts.get_field(name)
        except FieldDoesNotExist:
            return False
        return True

    for name in declaration.fields:
        if not exists(name):
            errors.append(_field_error(declaration, name, "personal field"))
    for name in declaration.export_fields():
        if not exists(name):
            errors.append(_field_error(declaration, name, "export field"))
    for name in declaration.field_labels:
        if name not in declaration.fields:
            errors.append(_field_error(declaration, name, "label for the non-personal field"))

    retention = declaration.retention
    if retention is not None:
        for date_field in filter(None, (retention.from_field, retention.fallback_field)):
            try:
                resolve_path(model, date_field)
            except FieldDoesNotExist:
                errors.append(_field_error(declaration, date_field, "retention date field"))
        for name in retention.anonymise:
            if not exists(name):
                errors.append(_field_error(declaration, name, "retention field"))
        longest = REFERENCE_DATE + retention.delta - REFERENCE_DATE
        if longest > privacy_settings.MAX_RETENTION:
            errors.append(
                checks.Error(
                    f"{declaration.label} is kept for {retention.describe()}, longer than "
                    f"PRIVACY_MAX_RETENTION ({privacy_settings.MAX_RETENTION.days} days).",
                    hint="The policy promises 6 years at most (P10); shorten the period.",
                    obj=model,
                    id="privacy.E002",
                )
            )
    elif declaration.holds_personal_data():
        errors.append(
            checks.Error(
                f"{declaration.label} holds personal data but declares no retention period.",
                hint="Every category has a retention period (P10): add retention = Retention(...).",
                obj=model,
                id="privacy.E006",
            )
        )
    for name in declaration.erasure.anonymise:
        if not exists(name):
            errors.append(_field_error(declaration, name, "erasure field"))

    for attr in ("subject", "subject_email", "subject_phone"):
        path = getattr(declaration, attr)
        if not path or (attr == "subject" and path == "pk" and opts.label == settings.AUTH_USER_MODEL):
            continue
        try:
            field = resolve_path(model, path)
        except FieldDoesNotExist as exc:
            errors.append(
                checks.Error(
                    f"{declaration.label}.{attr} '{path}' does not resolve: {exc}.",
                    hint="Use a '__' path of fields from this model.",
                    obj=model,
                    id="privacy.E004",
                )
            )
            continue
        if attr == "subject" and (
            field.related_model is None or field.related_model._meta.label != settings.AUTH_USER_MODEL
        ):
            errors.append(
                checks.Error(
                    f"{declaration.label}.subject '{path}' does not end at the user model.",
                    hint="The subject path leads to the user the row belongs to.",
                    obj=model,
                    id="privacy.E004",
                )
            )

    for key in declaration.purposes:
        if key not in purposes_module.PURPOSES:
            errors.append(
                checks.Error(
                    f"{declaration.label} names the unknown purpose '{key}'.",
                    hint="Purposes are declared once in privacy/purposes.py: " + ", ".join(purposes_module.PURPOSES),
                    obj=model,
                    id="privacy.E005",
                )
            )
    if declaration.holds_personal_data() and not declaration.purposes:
        errors.append(
            checks.Error(
                f"{declaration.label} holds personal data for no declared purpose.",
                hint="Name at least one purpose from privacy/purposes.py.",
                obj=model,
                id="privacy.E005",
            )
        )

    to_anonymise = set(declaration.erasure.anonymise)
    if retention is not None:
        to_anonymise |= set(retention.anonymise)
    for name in sorted(to_anonymise):
        if not exists(name):
            continue
        try:
            anonymous_value(opts.get_field(name))
        except CannotAnonymise as exc:
            errors.append(
                checks.Error(
                    f"{declaration.label} anonymises '{name}', which cannot be anonymised: {exc}.",
                    hint="Delete the row instead, or change the field.",
                    obj=model,
                    id="privacy.E007",
                )
            )
    if declaration.erasure.action == "keep" and not declaration.erasure.obligation.strip():
        errors.append(
            checks.Error(
                f"{declaration.label} keeps data on erasure without naming the legal obligation.",
                hint="Erasure.keep('the law or duty that requires it', ...).",
                obj=model,
                id="privacy.E008",
            )
        )
    return errors


def framework_cookie_names() -> dict[str, str]:
    """Cookies the configured middleware and apps set, with what sets them."""
    names = {privacy_settings.CONSENT_COOKIE_NAME: "the cookie banner"}
    middleware = settings.MIDDLEWARE
    if "django.contrib.sessions.middleware.SessionMiddleware" in middleware:
        names[settings.SESSION_COOKIE_NAME] = "SessionMiddleware"
    if "django.middleware.csrf.CsrfViewMiddleware" in middleware and not settings.CSRF_USE_SESSIONS:
        names[settings.CSRF_COOKIE_NAME] = "CsrfViewMiddleware"
    storage = getattr(settings, "MESSAGE_STORAGE", "django.contrib.messages.storage.fallback.FallbackStorage")
    if "django.contrib.messages.middleware.MessageMiddleware" in middleware and storage.rsplit(".", 1)[-1] in (
        "FallbackStorage",
        "CookieStorage",
    ):
        names["messages"] = f"MESSAGE_STORAGE ({storage.rsplit('.', 1)[-1]})"
    if "django.middleware.locale.LocaleMiddleware" in middleware:
        names[settings.LANGUAGE_COOKIE_NAME] = "LocaleMiddleware"
    if getattr(settings, "MFA_TRUST_ENABLED", False):
        names[getattr(settings, "MFA_TRUST_COOKIE_NAME", "mfa_trusted")] = "allauth MFA_TRUST_ENABLED"
    return names


@checks.register("privacy")
def check_cookies(app_configs=None, **kwargs):
    """privacy.E009: every cookie the configured site sets is declared (P29, P31)."""
    from privacy import cookies

    errors = []
    for name, setter in framework_cookie_names().items():
        if cookies.registry.get(name) is None:
            errors.append(
                checks.Error(
                    f"The cookie {name!r} (set by {setter}) is not declared.",
                    hint="Declare it with privacy.cookies.declare(...) in the personal_data.py of the app that "
                    "sets it: category, who sets it, lifetime and purpose.",
                    id="privacy.E009",
                )
            )
    return errors
