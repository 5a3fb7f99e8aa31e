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
privacy.E010  rows kept under an obligation would go with a deleted user (a CASCADE on the subject path)
privacy.E011  a personal field is neither exported nor listed as not exported with a reason
privacy.E012  a personal field is not covered by the erasure (deleted, anonymised or kept under an obligation)
privacy.E013  a declared model's admin does not audit staff access (PersonalDataAdminMixin)
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
    for name in declaration.not_exported:
        if not exists(name):
            errors.append(_field_error(declaration, name, "field left out of the export"))
    for name in declaration.field_labels:
        if name not in declaration.fields:
            errors.append(_field_error(declaration, name, "label for the non-personal field"))
    for name in declaration.third_party:
        if name not in declaration.fields:
            errors.append(_field_error(declaration, name, "third party's personal field"))

    retention = declaration.retention
    if retention is not None:
        for date_field in filter(None, (retention.from_field, retention.fallback_field)):
            try:
                resolve_path(model, date_field)
            except FieldDoesNotExist:
                errors.append(_field_error(declaration, date_field, "retention date field"))
        for name in declaration.retention_anonymise():
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
    for name in (*declaration.erasure_anonymise(), *declaration.erasure.values):
        if not exists(name):
            errors.append(_field_error(declaration, name, "erasure field"))
    for name in declaration.erasure.kept or ():
        if name not in declaration.fields and name != declaration.subject_link():
            errors.append(_field_error(declaration, name, "kept field (a personal field or the link to the person)"))

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

    to_anonymise = set(declaration.erasure_anonymise()) | set(declaration.retention_anonymise())
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
    errors += check_subject_links(declaration)
    errors += check_export_covers(declaration)
    errors += check_erasure_covers(declaration)
    return errors


def check_subject_links(declaration):
    """privacy.E004 for the via and generic-pointer links; privacy.E010 for a kept model whose
    path to the user cascades: deleting the user would take the kept records with it."""
    errors = []
    model = declaration.model
    via = declaration.subject_via
    if via is not None:
        try:
            other = apps.get_model(via.model)
            other._meta.get_field(via.to_field)
            model._meta.get_field(via.field)
        except (LookupError, ValueError, FieldDoesNotExist) as exc:
            errors.append(
                checks.Error(
                    f"{declaration.label}.subject_via does not resolve: {exc}.",
                    hint="Via(field of this model, 'app_label.Model' of a declared model, its field).",
                    obj=model,
                    id="privacy.E004",
                )
            )
    if declaration.subject_object is not None:
        for name in declaration.subject_object:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist as exc:
                errors.append(
                    checks.Error(
                        f"{declaration.label}.subject_object names '{name}': {exc}.",
                        hint="A (content type field, object id field) pair of this model.",
                        obj=model,
                        id="privacy.E004",
                    )
                )
    if declaration.erasure.action != "keep" or declaration.cascade_reason.strip():
        return errors
    if not declaration.subject or declaration.subject == "pk":
        return errors
    # The user's deletion reaches the kept rows only if every hop of the path cascades.
    hops = []
    current = model
    for part in declaration.subject.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return errors
        if not field.is_relation or not field.concrete:
            return errors
        hops.append(f"{current._meta.label}.{field.name}")
        if field.remote_field.on_delete is not models.CASCADE:
            return errors
        current = field.related_model
    errors.append(
        checks.Error(
            f"{declaration.label} is kept under an obligation, but deleting the user would delete it: "
            f"{', '.join(hops)} cascade{'s' if len(hops) == 1 else ''} (on_delete=CASCADE).",
            hint="Use SET_NULL (with the link anonymised by the erasure) or PROTECT, and write the migration; "
            "or state the reason in cascade_reason where the model is a library's.",
            obj=model,
            id="privacy.E010",
        )
    )
    return errors


def check_export_covers(declaration):
    """privacy.E011: every personal field is in the export, or left out with a reason (P19, P24)."""
    errors = []
    exported = set(declaration.export_fields())
    for name in declaration.fields:
        if name in exported:
            continue
        if declaration.not_exported.get(name, "").strip():
            continue
        errors.append(
            checks.Error(
                f"{declaration.label}'s personal field '{name}' is neither exported nor left out with a reason.",
                hint=f"Add it to export, or say why not: not_exported = {{'{name}': 'the reason'}}.",
                obj=declaration.model,
                id="privacy.E011",
            )
        )
    for name, reason in declaration.not_exported.items():
        if not str(reason).strip():
            errors.append(
                checks.Error(
                    f"{declaration.label} leaves '{name}' out of the export without a reason.",
                    hint="not_exported maps each field to the reason it stays out.",
                    obj=declaration.model,
                    id="privacy.E011",
                )
            )
    return errors


def check_erasure_covers(declaration):
    """privacy.E012: the erasure deletes, anonymises or keeps (under its obligation) every
    personal field (P20)."""
    erasure = declaration.erasure
    if erasure.action in ("delete", "keep"):
        # A kept row keeps what it does not anonymise under the named obligation (E008).
        return []
    anonymised = set(declaration.erasure_anonymise())
    return [
        checks.Error(
            f"{declaration.label}'s erasure neither deletes, anonymises nor keeps its personal field '{name}'.",
            hint="Let the erasure anonymise every personal field (Erasure.anonymise_fields()), delete the row, "
            "or keep it under a named obligation (Erasure.keep(...)).",
            obj=declaration.model,
            id="privacy.E012",
        )
        for name in declaration.fields
        if name not in anonymised
    ]


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


@checks.register("privacy", checks.Tags.admin)
def check_admin_audited(app_configs=None, site: Registry | None = None, admin_sites=None, **kwargs):
    """privacy.E013: every admin page of a declared model audits who looked at or changed a
    person's data (LG-01, P15), by mixing in PersonalDataAdminMixin; an admin registered
    without it (a library's own) would let staff read it unrecorded."""
    from django.contrib import admin

    from privacy.admin_mixins import PersonalDataAdminMixin

    site = default_site if site is None else site
    errors = []
    for admin_site in [admin.site] if admin_sites is None else admin_sites:
        for model, model_admin in sorted(admin_site._registry.items(), key=lambda item: item[0]._meta.label):
            if not site.is_declared(model) or isinstance(model_admin, PersonalDataAdminMixin):
                continue
            errors.append(
                checks.Error(
                    f"The admin of {model._meta.label} ({type(model_admin).__qualname__} on the "
                    f"'{admin_site.name}' site) does not audit staff access to personal data.",
                    hint="Mix in privacy.admin_mixins.PersonalDataAdminMixin before admin.ModelAdmin; for a "
                    "library's admin, unregister it and register a subclass that mixes it in.",
                    obj=type(model_admin),
                    id="privacy.E013",
                )
            )
    return errors
