"""Demo rows for contests and surveys, for the project's ``seed_demo``.

``demo_seed_contests(customers=..., staff=..., now=...)`` is called with the users the demo
made: a closed contest every customer entered (plus two entrants without an account), drawn;
an open contest; a survey answered by every customer and by anonymous visitors. Each customer
also has an unconfirmed entry in the open contest, as if they had entered signed out and not
yet followed the link, so every declared model has their rows. Idempotent: a second run
finds its rows and creates nothing.
"""

import datetime

from contests.models import Choice, Contest, Draw, Entry, PendingEntry, Question, Response, Survey
from contests.services import draw_create, response_submit

CLOSED_CONTEST = "spring-makeover-sweepstake"
OPEN_CONTEST = "win-a-year-of-email-marketing"
SURVEY = "how-did-we-do"

RULES = (
    "One entry per person, free, no purchase needed. Open to UK residents aged 18 or over; under-18s cannot "
    "enter. The winner is drawn at random from all confirmed entries after the closing date and told by email "
    "within 7 days. The prize has no cash alternative."
)

QUESTIONS = [
    ("How would you rate Kinetogram overall?", Question.Kind.RATING, True, []),
    (
        "Which service interests you most?",
        Question.Kind.CHOICE,
        True,
        ["Social media management", "Email marketing", "Campaign audit", "Content sprint"],
    ),
    ("What should we improve?", Question.Kind.TEXT, False, []),
]

ANONYMOUS_ANSWERS = [
    (5, 0, "Quicker replies on weekends."),
    (4, 1, ""),
    (4, 1, "More case studies for small shops, please."),
    (3, 2, "The audit report could be shorter."),
    (5, 0, ""),
    (2, 3, "Prices for yearly plans were hard to find."),
    (4, 1, ""),
    (5, 1, "Nothing, keep it up."),
]
CUSTOMER_TEXTS = ["Clearer invoices.", "", "A monthly summary email.", "", "Calls in the evening.", ""]


def demo_seed_contests(*, customers, staff, now) -> dict:
    """Contests, entries, a draw and a survey with answers; returns counts per model."""
    closed = _contest(
        CLOSED_CONTEST,
        title="Spring social media makeover",
        prize="A three-month social media management plan",
        opens=now - datetime.timedelta(days=50),
        closes=now - datetime.timedelta(days=20),
    )
    open_contest = _contest(
        OPEN_CONTEST,
        title="Win a year of email marketing",
        prize="Twelve months of our email marketing plan",
        opens=now - datetime.timedelta(days=5),
        closes=now + datetime.timedelta(days=25),
    )
    an_hour_ago = now - datetime.timedelta(hours=1)
    for position, user in enumerate(customers):
        Entry.objects.get_or_create(
            contest=closed,
            user=user,
            defaults={
                "email": user.email.lower(),
                "verified_by": Entry.Verification.ACCOUNT,
                "age_confirmed_at": closed.opens + datetime.timedelta(days=position + 1),
                "asked_for_offers": position % 2 == 0,
                "entered_at": closed.opens + datetime.timedelta(days=position + 1),
            },
        )
        PendingEntry.objects.get_or_create(
            contest=open_contest,
            email=user.email.lower(),
            defaults={"age_confirmed_at": an_hour_ago, "created_at": an_hour_ago},
        )
    for index, address in enumerate(["robin.guest@example.net", "sam.visitor@example.org"]):
        Entry.objects.get_or_create(
            contest=closed,
            email=address,
            defaults={
                "verified_by": Entry.Verification.EMAIL_LINK,
                "age_confirmed_at": closed.opens + datetime.timedelta(days=10 + index),
                "entered_at": closed.opens + datetime.timedelta(days=10 + index),
            },
        )
    if not Draw.objects.filter(contest=closed).exists():
        draw_create(contest=closed, actor=staff, now=closed.closes + datetime.timedelta(days=1))
    _survey(customers, now)
    return {
        "contests": Contest.objects.count(),
        "contest entries": Entry.objects.count(),
        "survey responses": Response.objects.count(),
    }


def _contest(slug, *, title, prize, opens, closes) -> Contest:
    contest, _created = Contest.objects.get_or_create(
        slug=slug, defaults={"title": title, "prize": prize, "rules": RULES, "opens": opens, "closes": closes}
    )
    return contest


def _survey(customers, now) -> Survey:
    survey, created = Survey.objects.get_or_create(
        slug=SURVEY,
        defaults={
            "title": "How did we do?",
            "intro": "Three short questions about our services. It takes a minute.",
        },
    )
    if created:
        for position, (text, kind, required, labels) in enumerate(QUESTIONS):
            question = Question.objects.create(
                survey=survey, text=text, kind=kind, required=required, position=position
            )
            Choice.objects.bulk_create(
                Choice(question=question, label=label, position=index) for index, label in enumerate(labels)
            )
    if survey.responses.exists():
        return survey
    rating, choice, text = survey.questions.order_by("position")
    options = list(choice.choices.order_by("position"))
    for index, user in enumerate(customers):
        answers = {rating: 3 + index % 3, choice: options[index % len(options)], text: CUSTOMER_TEXTS[index % 6]}
        response_submit(survey=survey, answers=answers, user=user, now=now - datetime.timedelta(days=index + 1))
    for index, (stars, option, words) in enumerate(ANONYMOUS_ANSWERS):
        answers = {rating: stars, choice: options[option], text: words}
        response_submit(survey=survey, answers=answers, now=now - datetime.timedelta(days=index + 2))
    return survey
