"""When a published item is next expected: its release calendar, derived from its Frekuensi.

Pure. The next release is the last verified release plus one period of the item's Frekuensi
(tahunan 12 months, semesteran 6, triwulanan 3, bulanan 1), moved to the next working day of the
SOP calendar; an item without a known Frekuensi is taken as yearly and marked as an estimate.
"""
from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date

from rules.calendar import WorkCalendar

MONTHS = {"tahunan": 12, "semesteran": 6, "triwulanan": 3, "bulanan": 1}


@dataclass(frozen=True)
class Release:
    berikutnya: date  # the next expected release, a working day
    perkiraan: bool  # no known Frekuensi: taken as yearly
    terlambat: bool  # the date has passed and no newer release came


def add_months(d: date, months: int) -> date:
    year, month = divmod(d.month - 1 + months, 12)
    year, month = d.year + year, month + 1
    return date(year, month, min(d.day, month_calendar.monthrange(year, month)[1]))


def next_release(last: date, frekuensi: str, today: date, calendar: WorkCalendar) -> Release:
    """``last``: the day (WIB) of the newest verified release of the item; ``today``: the day it is now."""
    months = MONTHS.get(frekuensi.strip().casefold())
    due = calendar.next_working_day(add_months(last, months or 12), include=True)
    return Release(due, months is None, today > due)
