"""Proration: what a change of plan in the middle of a paid period costs. Pure arithmetic.

Like Stripe, time is counted in seconds: the customer is credited for the seconds of the
period they paid for and will not use on the old plan, and charged for the same seconds on
the new plan. When the change starts a new period (monthly to yearly: the billing cycle
restarts at the moment of the change, as Stripe does when the interval changes), the charge
is the new plan's whole period instead.

Amounts are Decimal pounds, rounded half up to the penny once per part, so that
``charge - credit == total`` and ``used + credit == paid`` hold exactly to the penny.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

PENNY = Decimal("0.01")
INTERVALS = {"month": relativedelta(months=1), "year": relativedelta(years=1)}


@dataclass(frozen=True)
class Proration:
    """The parts of a plan change; every amount in pounds, to the penny."""

    #: What was paid for the current period on the old plan (price × quantity).
    paid: Decimal
    #: The part of `paid` already used, up to the moment of the change.
    used: Decimal
    #: Unused time on the old plan, given back against the charge.
    credit: Decimal
    #: The remaining time (or the whole new period) on the new plan.
    charge: Decimal
    #: charge − credit: charged now when positive, a credit for the next invoices when negative.
    total: Decimal
    seconds_left: int
    seconds_in_period: int
    restarts_period: bool


def _pence(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def period_start(*, period_end: datetime, billing: str) -> datetime:
    """The start of the period that ends at `period_end` for a monthly or yearly plan."""
    return period_end - INTERVALS[billing]


def period_end_after(*, start: datetime, billing: str) -> datetime:
    """When a period of `billing` that starts at `start` ends."""
    return start + INTERVALS[billing]


def proration(
    *,
    old_price: Decimal,
    new_price: Decimal,
    quantity: int = 1,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
    restarts_period: bool = False,
) -> Proration:
    """Credit for the unused seconds of the old plan and charge for the new plan, per second.

    `old_price` and `new_price` are per unit and per their own period; `quantity` multiplies
    both. With `restarts_period` the new plan's period starts now and its whole price is
    charged (an interval change); otherwise the new plan is charged for the seconds left
    in the current period. A `now` outside the period is clamped to it (nothing left after
    its end, all of it left before its start). Raises ValueError for a period that does not
    last, a negative price or a quantity below 1.
    """
    old_price, new_price = Decimal(old_price), Decimal(new_price)
    if old_price < 0 or new_price < 0:
        raise ValueError("prices cannot be negative")
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    seconds_in_period = int((period_end - period_start).total_seconds())
    if seconds_in_period <= 0:
        raise ValueError("the period must end after it starts")
    seconds_left = int((period_end - now).total_seconds())
    seconds_left = max(0, min(seconds_in_period, seconds_left))
    fraction = Decimal(seconds_left) / Decimal(seconds_in_period)

    paid = _pence(old_price * quantity)
    credit = _pence(paid * fraction)
    charge = _pence(new_price * quantity) if restarts_period else _pence(new_price * quantity * fraction)
    return Proration(
        paid=paid,
        used=paid - credit,
        credit=credit,
        charge=charge,
        total=charge - credit,
        seconds_left=seconds_left,
        seconds_in_period=seconds_in_period,
        restarts_period=restarts_period,
    )
