"""What a person can have corrected on request (P21, GDPR Art. 16), from the registry."""

from privacy.registry import site


def _label(declaration, name: str) -> str:
    return declaration.field_labels.get(name) or str(declaration.model._meta.get_field(name).verbose_name)


def rectifiable_records(subject) -> list[dict]:
    """For each of the person's records with fields they cannot edit themselves (an order's
    billing name and address, a review), the fields staff correct on request and their
    current values, so a request form can show current and requested side by side::

        [{"record": "shop.Order", "record_name": "Orders", "object_id": "12", "object": "KG-…",
          "fields": [{"field": "billing_name", "label": "billing name", "current": "Ada"}, ...]}]

    One query per declaration with such fields. A change for ``rectification_apply`` is
    {"record", "object_id", "field", "current", "requested"}.
    """
    records = []
    for declaration in site.declarations():
        names = declaration.rectifiable_fields()
        condition = subject.condition(declaration) if names else None
        if condition is None:
            continue
        for obj in declaration.model._default_manager.filter(condition).order_by("pk"):
            records.append(
                {
                    "record": declaration.label,
                    "record_name": declaration.verbose_name,
                    "object_id": str(obj.pk),
                    "object": str(obj),
                    "fields": [
                        {"field": name, "label": _label(declaration, name), "current": getattr(obj, name)}
                        for name in names
                    ],
                }
            )
    return records
