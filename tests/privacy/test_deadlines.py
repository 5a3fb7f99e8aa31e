"""Deadline arithmetic of data-subject requests (PR-11, UK GDPR Art. 12(3) as the ICO reads it)."""

import datetime

import pytest

from privacy.deadlines import due_date, is_working_day, next_working_day

D = datetime.date


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2026, 3, 3), D(2026, 4, 3)),  # a Friday: same day number next month
        (D(2027, 1, 31), D(2027, 2, 28)),  # no 31 February: the month's last day (a Sunday -> Monday 1 March)
        (D(2028, 1, 31), D(2028, 2, 29)),  # leap year: 29 February (a Tuesday)
        (D(2026, 8, 31), D(2026, 9, 30)),  # no 31 September
    ],
)
def test_pr11_due_on_the_same_day_number_of_the_next_month_or_its_last_day(received, due):
    expected = next_working_day(due)
    assert due_date(received) == expected


def test_pr11_a_month_end_that_falls_on_a_sunday_moves_to_monday():
    assert due_date(D(2027, 1, 31)) == D(2027, 3, 1)


def test_pr11_a_due_date_on_a_saturday_moves_to_monday():
    # 7 November 2026 is a Saturday.
    assert due_date(D(2026, 10, 7)) == D(2026, 11, 9)


def test_pr11_christmas_and_boxing_day_move_the_due_date_past_the_bank_holidays():
    # 25 December 2026 is a Friday, 28 December (Boxing Day observed) a Monday bank holiday.
    assert due_date(D(2026, 11, 25)) == D(2026, 12, 29)


def test_pr11_easter_monday_is_not_a_working_day():
    assert not is_working_day(D(2027, 3, 29))
    assert due_date(D(2027, 2, 26)) == D(2027, 3, 30)  # 26 March 2027 is Good Friday... then the weekend


def test_pr11_a_stopped_clock_pushes_the_due_date_by_the_days_it_stood_still():
    assert due_date(D(2026, 3, 3), days_paused=10) == D(2026, 4, 13)


def test_pr11_an_extension_adds_up_to_two_months_and_no_more():
    assert due_date(D(2026, 3, 3), extension_months=2) == D(2026, 6, 3)
    with pytest.raises(ValueError):
        due_date(D(2026, 3, 3), extension_months=3)
    with pytest.raises(ValueError):
        due_date(D(2026, 3, 3), days_paused=-1)
