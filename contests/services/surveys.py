"""Answering a survey (P02, P11): linked to the signed-in customer, or anonymous.

An anonymous response holds nothing about who gave it: no user, no address, no IP, no
session key. A signed-in customer answers each survey once (a unique constraint).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from contests.models import Answer, Choice, Question, Response, Survey


class ResponseRefused(Exception):
    """The response cannot be taken; ``str()`` is the message, ``status`` the HTTP status."""

    def __init__(self, message: str, *, status: int = 409):
        super().__init__(message)
        self.status = status


ALREADY_ANSWERED = "You have already answered this survey. Thank you!"


def _answer(question: Question, value) -> Answer | None:
    if value in (None, ""):
        if question.required:
            raise ValueError(f"Question {question.pk} needs an answer.")
        return None
    if question.kind == Question.Kind.TEXT:
        return Answer(question=question, text=str(value).strip())
    if question.kind == Question.Kind.CHOICE:
        if not isinstance(value, Choice) or value.question_id != question.pk:
            raise ValueError(f"Not a choice of question {question.pk}.")
        return Answer(question=question, choice=value)
    rating = int(value)
    if not 1 <= rating <= 5:
        raise ValueError("A rating is from 1 to 5.")
    return Answer(question=question, rating=rating)


@transaction.atomic
def response_submit(*, survey: Survey, answers: dict, user=None, now=None) -> Response:
    """Store one response to ``survey``: ``answers`` maps each Question to its cleaned value
    (text, a Choice of that question, or a rating 1-5; empty for an optional one skipped).

    Writes one Response (with ``user`` only when signed in) and one Answer per answered
    question, in one INSERT. Raises ResponseRefused when the survey is closed (403) or the
    customer has answered it already (409); ValueError for an answer the form should have
    refused (a missing required answer, another question's choice, a rating out of range).
    """
    if not survey.is_open:
        raise ResponseRefused(
            "This survey is closed and takes no more answers. Thank you for your interest.", status=403
        )
    rows = []
    for question, value in answers.items():
        if question.survey_id != survey.pk:
            raise ValueError(f"Question {question.pk} is not part of this survey.")
        answer = _answer(question, value)
        if answer is not None:
            rows.append(answer)
    user = user if user is not None and user.is_authenticated else None
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, user=user, created_at=now or timezone.now())
    except IntegrityError:
        raise ResponseRefused(ALREADY_ANSWERED) from None
    for answer in rows:
        answer.response = response
    Answer.objects.bulk_create(rows)
    return response
