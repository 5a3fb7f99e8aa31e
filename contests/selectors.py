"""Reads that feed the contests and surveys pages and the admin's survey results."""

from __future__ import annotations

import dataclasses

from django.db.models import Count, Prefetch
from django.utils import timezone

from contests.charts import bar_chart
from contests.models import Answer, Choice, Contest, Entry, Question, Response, Survey

#: Closed contests shown on the public list, newest first.
RECENT_CLOSED = 6


def contest_listing(*, now=None) -> dict:
    """Open, upcoming and recently closed contests for the public list, in three queries."""
    now = now or timezone.now()
    return {
        "open": list(Contest.objects.open_at(now).order_by("closes", "pk")),
        "upcoming": list(Contest.objects.upcoming(now).order_by("opens", "pk")),
        "closed": list(Contest.objects.closed(now).select_related("draw").order_by("-closes", "pk")[:RECENT_CLOSED]),
    }


def contest_for_page(slug: str) -> Contest | None:
    """A published contest by its slug, with its draw if made (one query)."""
    return Contest.objects.published().select_related("draw").filter(slug=slug).first()


def entry_of(*, contest: Contest, user) -> Entry | None:
    if user is None or not user.is_authenticated:
        return None
    return Entry.objects.filter(contest=contest, user=user).first()


def open_surveys() -> list[Survey]:
    return list(Survey.objects.published().annotate(question_count=Count("questions")).order_by("title"))


def survey_for_page(slug: str) -> Survey | None:
    """A survey, open or closed, with its questions and their choices in order (three queries)."""
    choices = Prefetch("choices", queryset=Choice.objects.order_by("position", "pk"))
    questions = Prefetch("questions", queryset=Question.objects.order_by("position", "pk").prefetch_related(choices))
    return Survey.objects.prefetch_related(questions).filter(slug=slug).first()


def has_answered(*, survey: Survey, user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Response.objects.filter(survey=survey, user=user).exists()


@dataclasses.dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    #: (label, count) per choice, or per rating 1..5.
    counts: list = dataclasses.field(default_factory=list)
    average: float | None = None
    texts: list = dataclasses.field(default_factory=list)
    chart: dict | None = None


def survey_results(survey: Survey) -> dict:
    """Aggregated answers per question: counts per choice, the rating's average and
    distribution, the text answers, and a chart of each; six queries whatever the number of
    responses (the counting is done by the database)."""
    questions = list(survey.questions.order_by("position", "pk"))
    choices = list(Choice.objects.filter(question__survey=survey).order_by("position", "pk"))
    answers = Answer.objects.filter(question__survey=survey)
    per_choice = dict(
        answers.filter(choice__isnull=False).values_list("choice").annotate(n=Count("pk")).values_list("choice", "n")
    )
    per_rating = {}
    for question_id, rating, n in (
        answers.filter(rating__isnull=False)
        .values_list("question", "rating")
        .annotate(n=Count("pk"))
        .values_list("question", "rating", "n")
    ):
        per_rating[(question_id, rating)] = n
    texts = {}
    for question_id, text in (
        answers.filter(question__kind=Question.Kind.TEXT)
        .exclude(text="")
        .order_by("pk")
        .values_list("question", "text")
    ):
        texts.setdefault(question_id, []).append(text)
    results = []
    for question in questions:
        result = QuestionResult(question=question)
        if question.kind == Question.Kind.CHOICE:
            result.counts = [(c.label, per_choice.get(c.pk, 0)) for c in choices if c.question_id == question.pk]
            result.answered = sum(n for _label, n in result.counts)
        elif question.kind == Question.Kind.RATING:
            result.counts = [(str(r), per_rating.get((question.pk, r), 0)) for r in range(1, 6)]
            result.answered = sum(n for _label, n in result.counts)
            if result.answered:
                result.average = sum(int(label) * n for label, n in result.counts) / result.answered
        else:
            result.texts = texts.get(question.pk, [])
            result.answered = len(result.texts)
        if result.counts:
            result.chart = bar_chart(result.counts)
        results.append(result)
    totals = survey.responses.aggregate(responses=Count("pk"), signed_in=Count("user"))
    return {"survey": survey, **totals, "results": results}
