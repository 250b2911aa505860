"""Deadlines of data-subject requests, with a holiday calendar (节假日与调休).

* Account cancellation (注销): at most **15 working days** (GB/T 35273-2020 8.5; 认定方法 6.3).
* Every other request: reply **within 30 days** (GB/T 35273-2020 8.7). PIPL Art. 50 sets no
  number; these are the engineering defaults (cn_standards.md). piguard counts from the day
  the request is received, which is never later than the day identity is verified.

Working days are Monday to Friday, minus public holidays, plus make-up workdays (调休) on
weekends. The day of receipt does not count.

>>> cal = HolidayCalendar(
...     holidays={dt.date(2026, 10, 1), dt.date(2026, 10, 2)}, workdays={dt.date(2026, 10, 10)}
... )
>>> due_date("cancellation", dt.date(2026, 9, 30), cal)
datetime.date(2026, 10, 22)
>>> due_date("access", dt.date(2026, 9, 30), cal)
datetime.date(2026, 10, 30)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from piguard.errors import ConfigError

__all__ = [
    "CALENDAR_DAYS",
    "CANCELLATION_WORKING_DAYS",
    "HolidayCalendar",
    "add_working_days",
    "due_date",
    "load_calendar",
]

#: GB/T 35273-2020 8.7: reply within 30 days after identity verification.
CALENDAR_DAYS = 30
#: GB/T 35273-2020 8.5 and 认定方法 6.3: cancellation done within 15 working days.
CANCELLATION_WORKING_DAYS = 15


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Public holidays and make-up workdays (调休)."""

    holidays: frozenset[dt.date] | set[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] | set[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day."""
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def add_working_days(start: dt.date, days: int, calendar: HolidayCalendar) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return day


def due_date(
    request_type: str, received: dt.date, calendar: HolidayCalendar | None = None
) -> dt.date:
    """The last day to answer a request of ``request_type`` received on ``received``."""
    if request_type == "cancellation":
        return add_working_days(received, CANCELLATION_WORKING_DAYS, calendar or HolidayCalendar())
    return received + dt.timedelta(days=CALENDAR_DAYS)


def _dates(value: object, what: str, source: str) -> Iterable[dt.date]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{source}: {what} must be a list of dates")
    out = []
    for item in value:
        if isinstance(item, dt.date):
            out.append(item)
            continue
        try:
            out.append(dt.date.fromisoformat(str(item)))
        except ValueError:
            raise ConfigError(f"{source}: {what}: {item!r} is not a date (YYYY-MM-DD)") from None
    return out


def load_calendar(path: str | Path) -> HolidayCalendar:
    """A calendar file: ``holidays: [YYYY-MM-DD, ...]`` and ``workdays: [...]`` (调休)."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8-sig")) or {}
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read ({exc.strerror})") from None
    except (yaml.YAMLError, ValueError):  # PyYAML raises ValueError for 2026-13-01
        raise ConfigError(f"{p}: not valid YAML or a date is not a date (YYYY-MM-DD)") from None
    if not isinstance(data, dict) or set(data) - {"holidays", "workdays"}:
        raise ConfigError(f"{p}: a calendar has only 'holidays' and 'workdays' (lists of dates)")
    return HolidayCalendar(
        frozenset(_dates(data.get("holidays"), "holidays", str(p))),
        frozenset(_dates(data.get("workdays"), "workdays", str(p))),
    )
