import pytest
from django.utils import timezone

from contests.demo import CLOSED_CONTEST, OPEN_CONTEST, demo_seed_contests
from contests.models import Contest, Draw, Entry, PendingEntry, Response
from contests.services import draw_replay
from tests.accounts.factories import StaffFactory, UserFactory


@pytest.mark.django_db
def test_demo_seeds_a_drawn_closed_contest_an_open_one_and_an_answered_survey_once():
    customers = [UserFactory() for _ in range(3)]
    staff = StaffFactory()

    first = demo_seed_contests(customers=customers, staff=staff, now=timezone.now())
    second = demo_seed_contests(customers=customers, staff=staff, now=timezone.now())

    assert first == second == {"contests": 2, "contest entries": 5, "survey responses": 11}
    assert Contest.objects.get(slug=OPEN_CONTEST).is_open()
    draw = Draw.objects.get(contest__slug=CLOSED_CONTEST)
    assert draw_replay(draw) == draw.winner_entry_id
    for customer in customers:
        assert Entry.objects.filter(user=customer).count() == 1
        assert PendingEntry.objects.filter(email=customer.email.lower()).count() == 1
        assert Response.objects.filter(user=customer).count() == 1
