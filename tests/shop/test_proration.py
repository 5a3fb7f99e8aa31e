"""SC-04: the proration arithmetic of a change of plan (shop.proration), to the penny."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.proration import period_start, proration

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)  # 31 days: 2,678,400 seconds

prices = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
quantities = st.integers(min_value=1, max_value=20)
moments = st.integers(min_value=-86_400, max_value=31 * 86_400 + 86_400).map(lambda s: START + timedelta(seconds=s))


@given(old=prices, extra=prices, quantity=quantities, now=moments)
def test_sc04_an_upgrade_never_charges_a_negative_total(old, extra, quantity, now):
    amounts = proration(
        old_price=old, new_price=old + extra, quantity=quantity, period_start=START, period_end=END, now=now
    )
    assert amounts.total >= 0


@given(old=prices, extra=prices, quantity=quantities, now=moments)
def test_sc04_monthly_to_yearly_restarts_the_period_and_never_charges_a_negative_total(old, extra, quantity, now):
    amounts = proration(
        old_price=old,
        new_price=old + extra,
        quantity=quantity,
        period_start=START,
        period_end=END,
        now=now,
        restarts_period=True,
    )
    assert amounts.charge == (old + extra) * quantity
    assert amounts.total >= 0


@given(old=prices, new=prices, quantity=quantities, now=moments, restarts=st.booleans())
def test_sc04_credit_is_never_above_what_was_paid_and_the_parts_add_up_to_the_penny(old, new, quantity, now, restarts):
    amounts = proration(
        old_price=old,
        new_price=new,
        quantity=quantity,
        period_start=START,
        period_end=END,
        now=now,
        restarts_period=restarts,
    )
    assert amounts.paid == old * quantity
    assert Decimal("0") <= amounts.credit <= amounts.paid
    assert amounts.used + amounts.credit == amounts.paid
    assert amounts.charge - amounts.credit == amounts.total
    for part in (amounts.paid, amounts.used, amounts.credit, amounts.charge, amounts.total):
        assert part == part.quantize(Decimal("0.01"))


def test_halfway_through_a_month_49_to_99_costs_half_the_difference():
    # given: a £49 plan paid for 1 to 31 March (30 days), changed to £99 on the 16th at 00:00
    end = datetime(2026, 3, 31, tzinfo=UTC)
    amounts = proration(
        old_price=Decimal("49.00"),
        new_price=Decimal("99.00"),
        period_start=START,
        period_end=end,
        now=START.replace(day=16),
    )
    # then: 15 of 30 days are left: credit £24.50, charge £49.50, total £25.00
    assert (amounts.credit, amounts.charge, amounts.total) == (Decimal("24.50"), Decimal("49.50"), Decimal("25.00"))
    assert amounts.seconds_left == 15 * 86_400


def test_a_third_of_a_period_rounds_each_part_half_up_and_still_adds_up():
    end = START + timedelta(seconds=3)
    amounts = proration(
        old_price=Decimal("10.00"),
        new_price=Decimal("20.00"),
        period_start=START,
        period_end=end,
        now=START + timedelta(seconds=2),
    )
    assert (amounts.credit, amounts.charge, amounts.total, amounts.used) == (
        Decimal("3.33"),
        Decimal("6.67"),
        Decimal("3.34"),
        Decimal("6.67"),
    )


def test_period_start_is_one_billing_period_before_its_end():
    assert period_start(period_end=END, billing="month") == START
    assert period_start(period_end=END, billing="year") == datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"old_price": Decimal("-1")},
        {"quantity": 0},
        {"period_end": START},
    ],
)
def test_nonsense_is_refused(kwargs):
    arguments = {
        "old_price": Decimal("1"),
        "new_price": Decimal("2"),
        "period_start": START,
        "period_end": END,
        "now": START,
        **kwargs,
    }
    with pytest.raises(ValueError):
        proration(**arguments)
