"""What other apps' admins mix in so staff access to personal data is audited (LG-01, P15).

Apps import this module (accounts and shop may import privacy); it registers nothing, so
importing it has no side effect on the admin site.
"""

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
