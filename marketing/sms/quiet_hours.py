"""When a text alert may be sent: only in the recipient's daytime (carrier rules, PECR good practice)."""

import datetime
import zoneinfo


def next_send_time(*, now: datetime.datetime, time_zone: str, window: tuple[int, int]) -> datetime.datetime:
    """``now`` if it is within ``window`` (start hour inclusive, end hour exclusive) in
    ``time_zone``; otherwise the start of the next window there, as an aware datetime in
    ``now``'s time zone. An unknown time zone counts as UTC."""
    start, end = window
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    local = now.astimezone(zone)
    if start <= local.hour < end:
        return now
    day = local.date() if local.hour < start else local.date() + datetime.timedelta(days=1)
    opens = datetime.datetime.combine(day, datetime.time(start), tzinfo=zone)
    return opens.astimezone(now.tzinfo)
