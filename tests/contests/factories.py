import datetime

import factory
from django.utils import timezone

from contests.models import Choice, Contest, Entry, Question, Survey


class ContestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contest

    title = factory.Sequence(lambda n: f"Contest {n}")
    slug = factory.Sequence(lambda n: f"contest-{n}")
    prize = "A year of email marketing"
    rules = "One entry per person. Adults only."
    opens = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class ClosedContestFactory(ContestFactory):
    opens = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))
    closes = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry

    contest = factory.SubFactory(ClosedContestFactory)
    email = factory.Sequence(lambda n: f"entrant{n}@example.com")
    verified_by = Entry.Verification.EMAIL_LINK
    age_confirmed_at = factory.LazyFunction(timezone.now)


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"Survey {n}")
    slug = factory.Sequence(lambda n: f"survey-{n}")
    intro = "Three quick questions."


def survey_with_questions(**kwargs):
    """A survey with a rating, a single choice (three options) and an optional text question."""
    survey = SurveyFactory(**kwargs)
    rating = Question.objects.create(survey=survey, text="How would you rate us?", kind="rating", position=1)
    choice = Question.objects.create(survey=survey, text="Which service?", kind="choice", position=2)
    options = [Choice.objects.create(question=choice, label=label, position=i) for i, label in enumerate("ABC")]
    text = Question.objects.create(
        survey=survey, text="What should we improve?", kind="text", position=3, required=False
    )
    return survey, rating, choice, options, text
