"""When a data-subject request must be answered (UK GDPR Art. 12(3), as the ICO reads it).

- The month runs from the day of receipt to the same day number of the next month; where
  that day does not exist, the month's last day (received 31 January: due 28 or 29 February).
- A due date on a weekend or an England and Wales bank holiday moves to the next working day
  (bank holidays from the ``holidays`` package, not a list of our own).
- The clock stops while we wait for proof of identity or a clarification; the days it stood
  still push the start of the month back.
- An extension adds up to two further months to the first due date, once, with a reason.
"""

import datetime
import functools

import holidays
from dateutil.relativedelta import relativedelta

#: The longest extension Art. 12(3) allows, in months.
MAX_EXTENSION_MONTHS = 2


@functools.lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day number ``months`` later, or that month's last day where it does not exist."""
    return day + relativedelta(months=months)


def due_date(received_on: datetime.date, *, days_paused: int = 0, extension_months: int = 0) -> datetime.date:
    """The date a request received on ``received_on`` must be answered by.

    ``days_paused`` is how long the clock stood still (identity or clarification awaited);
    ``extension_months`` (0 to 2) the extension granted. Raises ValueError outside those.
    """
    if days_paused < 0:
        raise ValueError("days_paused cannot be negative")
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"An extension is at most {MAX_EXTENSION_MONTHS} months")
    start = received_on + datetime.timedelta(days=days_paused)
    return next_working_day(add_months(start, 1 + extension_months))
