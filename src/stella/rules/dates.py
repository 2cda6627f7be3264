"""Date arithmetic for legal periods (§§187, 188 BGB) and German date formatting."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """`day` plus whole months; a missing day number falls to the month's last day (§188 Abs. 3 BGB)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: date, months: int) -> date:
    """Last day of a period of `months` that begins with the event on `start`.

    The event day itself is not counted (§187 Abs. 1 BGB), so the period ends with the day that
    carries the event's number (§188 Abs. 2 BGB): a stay since 03.09.2015 has lasted three months at
    the end of 03.12.2015; the new rule applies from 04.12.2015.
    """
    return add_months(start, months)


def served(start: date, months: int, on: date) -> bool:
    """Whether a period of `months` beginning on `start` has fully elapsed before `on`."""
    return on > period_end(start, months)


def first_day_after(start: date, months: int) -> date:
    return period_end(start, months) + timedelta(days=1)


def end_of_month(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def first_of_next_month(day: date) -> date:
    return end_of_month(day) + timedelta(days=1)


def de(day: date) -> str:
    """German date format used in explanations (01.03.2016)."""
    return day.strftime("%d.%m.%Y")
