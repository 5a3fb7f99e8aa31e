"""Chainable filters of the contests app; no side effects."""

from django.db import models
from django.utils import timezone


class ContestQuerySet(models.QuerySet):
    def published(self):
        return self.filter(active=True)

    def open_at(self, when=None):
        """Contests taking entries at ``when``: active, opened, not yet closed."""
        when = when or timezone.now()
        return self.published().filter(opens__lte=when, closes__gt=when)

    def upcoming(self, when=None):
        when = when or timezone.now()
        return self.published().filter(opens__gt=when)

    def closed(self, when=None):
        when = when or timezone.now()
        return self.published().filter(closes__lte=when)


class EntryQuerySet(models.QuerySet):
    def of_contest(self, contest):
        return self.filter(contest=contest)


class SurveyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_open=True)
