"""Surveys (P02, P11): the public form, anonymous and signed-in answers, the staff results."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contests.models import Answer, Entry, Response
from contests.selectors import survey_results
from contests.services import response_submit
from privacy import export_archive
from privacy.services import export_write, subject_erase
from privacy.subjects import Subject
from tests.accounts.factories import UserFactory
from tests.contests.factories import ContestFactory, EntryFactory, survey_with_questions


def _form(rating, choice, option, text, *, stars="4", words="Faster replies"):
    return {f"q{rating.pk}": stars, f"q{choice.pk}": str(option.pk), f"q{text.pk}": words}


@pytest.mark.django_db
def test_p11_an_anonymous_response_holds_no_identifiers():
    survey, rating, choice, options, text = survey_with_questions()
    visitor = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="CanaryBrowser/9")

    response = visitor.post(survey.get_absolute_url(), _form(rating, choice, options[1], text))

    assert response.status_code == 302
    stored = Response.objects.get()
    assert stored.user is None
    # No column of the response or its answers could name or trace the visitor.
    assert {f.name for f in Response._meta.concrete_fields} == {"id", "survey", "user", "created_at"}
    assert {f.name for f in Answer._meta.concrete_fields} == {"id", "response", "question", "text", "choice", "rating"}
    with connection.cursor() as cursor:
        for table in (Response._meta.db_table, Answer._meta.db_table):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (our own table names)
            dump = repr(cursor.fetchall())
            assert "203.0.113.77" not in dump
            assert "CanaryBrowser" not in dump
    assert list(Answer.objects.order_by("question__position").values_list("rating", "choice", "text")) == [
        (4, None, ""),
        (None, options[1].pk, ""),
        (None, None, "Faster replies"),
    ]


@pytest.mark.django_db
def test_p11_a_signed_in_customer_answers_once_and_it_is_theirs(customer_client, customer):
    survey, rating, choice, options, text = survey_with_questions()
    url = survey.get_absolute_url()

    first = customer_client.post(url, _form(rating, choice, options[0], text))
    again = customer_client.post(url, _form(rating, choice, options[2], text))

    assert first.status_code == 302
    assert again.status_code == 409
    assert "You have already answered this survey" in again.content.decode()
    assert list(Response.objects.values_list("user", flat=True)) == [customer.pk]
    assert Answer.objects.count() == 3
    assert "You have already answered this survey" in customer_client.get(url).content.decode()


@pytest.mark.django_db
def test_p02_the_form_is_validated_on_the_server_with_clear_errors(client):
    survey, rating, choice, options, text = survey_with_questions()
    other_survey, _r, _c, foreign, _t = survey_with_questions()

    empty = client.post(survey.get_absolute_url(), {})
    forged = client.post(
        survey.get_absolute_url(), {f"q{rating.pk}": "7", f"q{choice.pk}": str(foreign[0].pk), f"q{text.pk}": ""}
    )

    assert empty.status_code == forged.status_code == 400
    assert "Please correct the 2 highlighted answers" in empty.content.decode()
    assert empty.content.decode().count("Please answer this question.") == 4  # the summary and each field
    assert "Please choose a rating from 1 to 5." in forged.content.decode()
    assert "Please choose one of the options." in forged.content.decode()
    assert Response.objects.count() == 0


@pytest.mark.django_db
def test_p02_an_optional_question_may_be_skipped(client):
    survey, rating, choice, options, text = survey_with_questions()

    client.post(survey.get_absolute_url(), _form(rating, choice, options[0], text, words=""))

    assert Answer.objects.count() == 2


@pytest.mark.django_db
def test_p02_a_closed_survey_takes_no_answers(client):
    survey, rating, choice, options, text = survey_with_questions(is_open=False)

    page = client.get(survey.get_absolute_url())
    refused = client.post(survey.get_absolute_url(), _form(rating, choice, options[0], text))

    assert "This survey is closed" in page.content.decode()
    assert refused.status_code == 403
    assert Response.objects.count() == 0


def _answer_many(survey, rating, choice, options, text, n):
    for i in range(n):
        response_submit(
            survey=survey,
            answers={rating: 1 + i % 5, choice: options[i % 2], text: f"idea {i}" if i % 3 == 0 else ""},
        )


@pytest.mark.django_db
def test_p11_results_aggregate_counts_average_distribution_and_texts():
    survey, rating, choice, options, text = survey_with_questions()
    # ratings 5, 4, 4, 2; choices A, A, B, (C none); two written answers
    for stars, option, words in [(5, 0, "More webinars"), (4, 0, ""), (4, 1, "Cheaper yearly plans"), (2, 0, "")]:
        response_submit(survey=survey, answers={rating: stars, choice: options[option], text: words})
    response_submit(survey=survey, answers={rating: 3, choice: options[1], text: ""}, user=UserFactory())

    results = survey_results(survey)

    assert (results["responses"], results["signed_in"]) == (5, 1)
    by_question = {r.question: r for r in results["results"]}
    assert by_question[rating].counts == [("1", 0), ("2", 1), ("3", 1), ("4", 2), ("5", 1)]
    assert by_question[rating].average == pytest.approx(3.6)
    assert by_question[choice].counts == [("A", 3), ("B", 2), ("C", 0)]
    assert by_question[text].texts == ["More webinars", "Cheaper yearly plans"]
    assert [bar["width"] for bar in by_question[choice].chart["bars"]] == [260, 173, 0]


@pytest.mark.django_db
def test_p11_staff_see_the_results_with_an_svg_chart_in_constant_queries(staff_client, django_assert_num_queries):
    survey, rating, choice, options, text = survey_with_questions()
    url = f"/admin/contests/survey/{survey.pk}/results/"
    _answer_many(survey, rating, choice, options, text, 3)
    staff_client.get(url)  # the first request also loads what Django caches (content types, the session)
    with CaptureQueriesContext(connection) as few:
        first = staff_client.get(url)
    _answer_many(survey, rating, choice, options, text, 40)

    with django_assert_num_queries(len(few.captured_queries)):
        page = staff_client.get(url).content.decode()

    assert first.status_code == 200
    assert '<span class="kg-figure" id="response-total">43</span>' in page
    assert page.count('<svg role="img"') == 2
    assert "idea 39" in page
    assert 'class="kg-bar"' in page


@pytest.mark.django_db
def test_p19_entries_and_linked_survey_answers_are_in_the_customers_export(customer):
    EntryFactory(contest=ContestFactory(title="Summer sweepstake"), user=customer, email=customer.email)
    survey, rating, choice, options, text = survey_with_questions(title="How did we do?")
    response_submit(survey=survey, answers={rating: 5, choice: options[2], text: "Great"}, user=customer)
    response_submit(survey=survey, answers={rating: 1, choice: options[0], text: "Someone else's"})

    buffer = io.BytesIO()
    export_write(subject=Subject.of(user=customer), fileobj=buffer)
    data = json.loads(zipfile.ZipFile(buffer).read(export_archive.DATA_FILE))

    records = data["records"]
    entries = next(
        rows for name, rows in records.items() if "entries" in name.lower() and "unconfirmed" not in name.lower()
    )
    assert [(row["contest"], row["email"]) for row in entries] == [("Summer sweepstake", customer.email)]
    answers = next(rows for name, rows in records.items() if "answers" in name.lower())
    assert sorted((row["question"], row["rating"], row["choice"], row["text"]) for row in answers) == sorted(
        [
            ("How would you rate us?", 5, None, ""),
            ("Which service?", None, "C", ""),
            ("What should we improve?", None, None, "Great"),
        ]
    )


@pytest.mark.django_db
def test_p11_your_data_lists_contest_entries_and_survey_answers(customer_client, customer):
    EntryFactory(user=customer, email=customer.email)
    survey, rating, choice, options, text = survey_with_questions()
    response_submit(survey=survey, answers={rating: 4, choice: options[0], text: ""}, user=customer)

    page = customer_client.get("/account/your-data/").content.decode()

    assert "Contest entries" in page
    assert "Survey answers" in page


@pytest.mark.django_db
def test_p20_erasure_removes_the_persons_entries_and_answers_and_keeps_anonymous_ones(customer):
    EntryFactory(user=customer, email=customer.email)
    EntryFactory(email=customer.email.upper())  # entered another contest signed out
    EntryFactory(email="someone@example.com")
    survey, rating, choice, options, text = survey_with_questions()
    response_submit(survey=survey, answers={rating: 4, choice: options[0], text: "mine"}, user=customer)
    response_submit(survey=survey, answers={rating: 2, choice: options[1], text: "anon"})

    subject_erase(subject=Subject.of(user=customer))

    assert list(Entry.objects.values_list("email", flat=True)) == ["someone@example.com"]
    assert list(Response.objects.values_list("user", flat=True)) == [None]
    assert list(Answer.objects.exclude(text="").values_list("text", flat=True)) == ["anon"]


@pytest.mark.django_db
def test_p02_the_survey_list_shows_open_surveys_in_constant_queries(client, django_assert_num_queries):
    survey_with_questions(title="Open survey")
    survey_with_questions(title="Closed survey", is_open=False)
    client.get("/surveys/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/surveys/").content.decode()
    for _ in range(5):
        survey_with_questions()

    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/surveys/")

    assert "Open survey" in page
    assert "3 questions" in page
    assert "Closed survey" not in page
