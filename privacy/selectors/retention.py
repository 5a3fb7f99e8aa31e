"""Rows past their retention period (P10), and the rows held for restricted people (P23)."""

import dataclasses
import datetime
import functools
import operator

from django.db import models
from django.utils import timezone

from privacy.anonymise import anonymous_values
from privacy.models import Restriction
from privacy.registry import Action, PersonalData, site
from privacy.selectors.restriction import restricted_people


def purgeable_declarations() -> list[PersonalData]:
    """Declarations whose rows the purge deletes or anonymises, in registry order, then the
    exempt models the registry tidies (rows without personal data, kept for a while)."""
    declared = [d for d in site.declarations() if d.retention is not None and d.retention.action != Action.KEEP]
    return declared + site.housekeeping()


def _already_anonymised(declaration: PersonalData) -> models.Q:
    conditions = []
    for name, value in anonymous_values(declaration.model, declaration.retention_anonymise()).items():
        if value is None:
            conditions.append(models.Q(**{f"{name}__isnull": True}))
        else:
            conditions.append(models.Q(**{name: value}))
    return functools.reduce(operator.and_, conditions) if conditions else models.Q(pk__in=[])


def expired_rows(declaration: PersonalData, *, now: datetime.datetime | None = None) -> models.QuerySet:
    """Rows of the declaration's model past their period: ``from_field < cutoff`` and its
    condition. For an anonymising retention, rows already anonymised are left out, so a
    second purge finds nothing to do."""
    retention = declaration.retention
    now = now or timezone.now()
    rows = declaration.model._default_manager.filter(retention.expired(now))
    if retention.action == Action.ANONYMISE:
        rows = rows.exclude(_already_anonymised(declaration))
    return rows


@dataclasses.dataclass
class HeldPerson:
    restriction: Restriction
    counts: dict[str, int]

    @property
    def who(self) -> str:
        if self.restriction.user_id:
            return self.restriction.user.email
        return self.restriction.email

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def held_past_retention(*, now: datetime.datetime | None = None) -> list[HeldPerson]:
    """For each active restriction, the rows past retention the purge holds, per model (P23).

    One COUNT per declaration and restriction; restrictions are few. People with nothing
    past retention are left out. Ordered by review date, soonest first.
    """
    now = now or timezone.now()
    declarations = purgeable_declarations()
    people = []
    restrictions = Restriction.objects.active(now).select_related("user").order_by("review_on", "pk")
    for restriction in restrictions:
        user_ids, emails = restricted_people(restriction=restriction)
        counts = {}
        for declaration in declarations:
            condition = declaration.subject_condition(user_ids=user_ids, emails=emails)
            if condition is None:
                continue
            count = expired_rows(declaration, now=now).filter(condition).count()
            if count:
                counts[declaration.label] = count
        if counts:
            people.append(HeldPerson(restriction=restriction, counts=counts))
    return people
