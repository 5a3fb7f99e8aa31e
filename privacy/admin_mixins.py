"""What other apps' admins mix in so staff access to personal data is audited (LG-01, P15).

Apps import this module (accounts and shop may import privacy); it registers nothing, so
importing it has no side effect on the admin site.
"""

import time

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from privacy.models import AuditEvent
from privacy.registry import site
from privacy.services import audit_record
from privacy.services.audit import audit_record_many


class PersonalDataAdminMixin:
    """Mix into a ModelAdmin of a declared model, before ``admin.ModelAdmin``.

    Writes one AuditEvent per opened change page (action "view", the declared field
    names), one per saved change (the changed field names, inlines as ``model.field``),
    one per addition and one per deleted object. Field names only, never values.
    """

    #: Turn off when the admin's save path calls a privacy service that audits the addition.
    audit_additions = True

    def _declaration(self):
        return site.get(self.model)

    def _audit(self, request, obj, action, fields, detail=""):
        declaration = self._declaration()
        audit_record(
            actor=request.user,
            action=action,
            model=self.model,
            object_id=obj.pk,
            subject_id=declaration.subject_id(obj) if declaration else "",
            fields=fields,
            detail=detail,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # A GET is a person's data put on screen; a POST re-rendered with errors is the same
        # look continued, and its save is audited as a change.
        if change and obj is not None and request.method == "GET":
            declaration = self._declaration()
            self._audit(request, obj, AuditEvent.Action.VIEW, list(declaration.fields) if declaration else [])
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        fields = list(form.changed_data)
        for formset in formsets:
            prefix = formset.model._meta.model_name
            for inline_form in formset.forms:
                if inline_form.has_changed():
                    fields.extend(f"{prefix}.{name}" for name in inline_form.changed_data)
        fields = sorted(set(fields))
        if change:
            if fields:
                self._audit(request, form.instance, AuditEvent.Action.CHANGE, fields)
        elif self.audit_additions:
            self._audit(request, form.instance, AuditEvent.Action.ADD, fields)

    def delete_model(self, request, obj):
        self._audit(request, obj, AuditEvent.Action.DELETE, [])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        audit_record_many(actor=request.user, action=AuditEvent.Action.DELETE, model=self.model, objects=queryset)
        super().delete_queryset(request, queryset)


# --- masking (P15): staff see personal fields masked unless allowed or unmasked, audited ----
MASK = "•"
#: How long an unmasking lasts, for that record, in that staff member's session.
UNMASK_SECONDS = 15 * 60
UNMASK_SESSION_KEY = "privacy_unmasked"
UNMASK_PERMISSION = "privacy.unmask_personal_data"


def mask_value(value) -> str:
    """A personal value shown without giving it away: a phone keeps its first four and last
    two digits ("+44 77•• ••••23"); other text keeps its last word ("•• •••••• Street") or,
    as one word, its first character ("L•••••")."""
    text = "" if value is None else str(value)
    if not text:
        return ""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) >= 7 and len(digits) * 2 > len(text.replace(" ", "")):
        keep = set(digits[:4] + digits[-2:])
        return "".join(ch if (i in keep or not ch.isdigit()) else MASK for i, ch in enumerate(text))
    words = text.split(" ")
    if len(words) == 1:
        return text[0] + MASK * (len(text) - 1)
    return " ".join([MASK * len(word) for word in words[:-1]] + [words[-1]])


class MaskedWidget(forms.Widget):
    """Shows the masked value as text; the field is disabled, so a save keeps the stored value."""

    def render(self, name, value, attrs=None, renderer=None):
        return format_html('<span class="masked-personal-data">{}</span>', mask_value(value))


class MaskedPersonalDataMixin:
    """Mix into a ModelAdmin (before ``admin.ModelAdmin``) that shows personal fields.

    ``masked_fields`` names this model's fields and ``masked_inline_fields`` its inlines'
    ({"profile": ["phone"]}); staff without ``privacy.unmask_personal_data`` see them masked
    and read-only. The "Unmask personal data" button (a POST) shows them for 15 minutes on
    that record and writes one AuditEvent "unmask" naming the fields, never the values.
    """

    masked_fields: tuple[str, ...] = ()
    masked_inline_fields: dict[str, tuple[str, ...]] = {}

    def get_urls(self):
        return [
            path(
                "<path:object_id>/unmask/",
                self.admin_site.admin_view(self.unmask_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_unmask",
            ),
            *super().get_urls(),
        ]

    # -- state
    def _unmask_key(self, obj) -> str:
        return f"{self.opts.label}:{obj.pk}"

    def personal_data_masked(self, request, obj) -> bool:
        if obj is None or obj.pk is None or request.user.has_perm(UNMASK_PERMISSION):
            return False
        until = request.session.get(UNMASK_SESSION_KEY, {}).get(self._unmask_key(obj), 0)
        return until < time.time()

    # -- forms: masked fields disabled and shown masked
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if self.personal_data_masked(request, obj):
            form = _masked_form(form, self.masked_fields)
        return form

    def get_formsets_with_inlines(self, request, obj=None):
        masked = self.personal_data_masked(request, obj)
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            names = self.masked_inline_fields.get(inline.model._meta.model_name, ())
            if masked and names:
                formset.form = _masked_form(formset.form, names)
            yield formset, inline

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        masked = change and self.personal_data_masked(request, obj)
        if masked:
            # Read-only fields (and view-only inlines) are shown from the instances; any save
            # is over by now, and the editable ones were built from the stored values.
            for name in self.masked_fields:
                setattr(obj, name, mask_value(getattr(obj, name)))
            for inline_formset in context.get("inline_admin_formsets", []):
                names = self.masked_inline_fields.get(inline_formset.formset.model._meta.model_name, ())
                for form in inline_formset.formset.forms:
                    for name in names:
                        setattr(form.instance, name, mask_value(getattr(form.instance, name)))
        context.update(
            personal_data_masked=masked,
            masked_base_template=self.change_form_template or "admin/change_form.html",
            unmask_url=reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_unmask", args=[obj.pk]
            )
            if change and obj is not None
            else "",
        )
        response = super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
        if hasattr(response, "template_name"):
            response.template_name = ["admin/privacy/masked_change_form.html"]
        return response

    def unmask_view(self, request, object_id):
        """POST: show this record's personal fields for UNMASK_SECONDS, audited (P15, LG-01)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        fields = list(self.masked_fields) + [
            f"{model}.{name}" for model, names in self.masked_inline_fields.items() for name in names
        ]
        declaration = site.get(self.model)
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UNMASK,
            model=self.model,
            object_id=obj.pk,
            subject_id=declaration.subject_id(obj) if declaration else "",
            fields=fields,
            detail="unmasked in the admin",
        )
        unmasked = {k: v for k, v in request.session.get(UNMASK_SESSION_KEY, {}).items() if v > time.time()}
        unmasked[self._unmask_key(obj)] = time.time() + UNMASK_SECONDS
        request.session[UNMASK_SESSION_KEY] = unmasked
        return HttpResponseRedirect(self._admin_url("change", obj))

    def _admin_url(self, view: str, obj) -> str:
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}", args=[obj.pk])


def _masked_form(form_class, names):
    """A subclass of ``form_class`` whose ``names`` fields are disabled and shown masked."""
    names = [name for name in names if name in form_class.base_fields]
    if not names:
        return form_class

    def __init__(self, *args, **kwargs):
        form_class.__init__(self, *args, **kwargs)
        for name in names:
            field = self.fields[name]
            field.disabled = True
            field.required = False
            field.widget = MaskedWidget()

    return type(form_class.__name__, (form_class,), {"__init__": __init__})
