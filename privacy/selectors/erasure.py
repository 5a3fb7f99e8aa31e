"""Reads the erasure needs (P20): in which order the declarations go, what is refused, what is left."""

import functools
import graphlib
import operator

from django.db import models

from privacy.anonymise import anonymous_values
from privacy.registry import Action, PersonalData, site


def erasure_order(declarations: list[PersonalData] | None = None) -> list[PersonalData]:
    """The declarations in the order an erasure changes them: a declaration whose condition
    goes through another model's rows (an invoice through its subscription's user, a session
    through its device, the admin log through every record) comes before that model, so its
    rows are found before the rows it goes through are unlinked or deleted. Ties keep the
    registry's order."""
    declarations = site.declarations() if declarations is None else declarations
    by_model = {d.model: d for d in declarations}
    sorter = graphlib.TopologicalSorter({d.label: set() for d in declarations})
    for declaration in declarations:
        for model in declaration.reads():
            other = by_model.get(model)
            if other is not None:
                sorter.add(other.label, declaration.label)
    by_label = {d.label: d for d in declarations}
    order = []
    sorter.prepare()
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += [by_label[label] for label in ready]
        sorter.done(*ready)
    return order


def erasure_refusals(subject) -> list[str]:
    """Why the law lets us refuse this person's erasure for now, as the apps' registered
    blockers say (an open dispute, a subscription with money due); empty when nothing does."""
    return [reason for reason in (check(subject) for check in site.erasure_blockers()) if reason]


def erasure_values(declaration: PersonalData) -> dict:
    """What an erasure writes on a kept or anonymised row (empty for a row kept whole)."""
    names = declaration.erasure_anonymise()
    return {**anonymous_values(declaration.model, names), **declaration.erasure.values}


def _already_erased(declaration: PersonalData) -> models.Q:
    conditions = []
    for name, value in erasure_values(declaration).items():
        if value is None:
            conditions.append(models.Q(**{f"{name}__isnull": True}))
        else:
            conditions.append(models.Q(**{name: value}))
    return functools.reduce(operator.and_, conditions)


def erasure_pending(subject) -> dict[str, int]:
    """Per model, how many of the person's rows an erasure would still change: rows to delete,
    and kept or anonymised rows not yet overwritten. Empty once the person is erased, so a
    replayed erasure can tell there is nothing left to do."""
    pending = {}
    for declaration in site.declarations():
        condition = subject.condition(declaration)
        if condition is None:
            continue
        rows = declaration.model._default_manager.filter(condition)
        if declaration.erasure.action != Action.DELETE:
            if not erasure_values(declaration):
                continue
            rows = rows.exclude(_already_erased(declaration))
        count = rows.count()
        if count:
            pending[declaration.label] = count
    return pending


def erasure_preview(subject) -> list[dict]:
    """What an erasure would do to the person's rows, per declaration, for staff to confirm:
    [{"record": "Orders", "label": "shop.Order", "action": "kept", "count": 3, "detail": "..."}].
    One COUNT per declaration that can name the person's rows."""
    preview = []
    for declaration in erasure_order():
        condition = subject.condition(declaration)
        if condition is None:
            continue
        count = declaration.model._default_manager.filter(condition).count()
        if count:
            preview.append(
                {
                    "record": declaration.verbose_name,
                    "label": declaration.label,
                    "action": str(Action(declaration.erasure.action).label),
                    "count": count,
                    "detail": declaration.erasure_describe(),
                }
            )
    return preview
