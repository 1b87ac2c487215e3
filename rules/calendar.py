"""Working days and service hours of the SOP (Asia/Jakarta, WIB).

Service hours: Mon–Thu 08.00–12.00 and 13.00–15.00 (6 h); Fri 08.00–11.30 and
13.30–14.00 (4 h). Saturdays, Sundays, national holidays and cuti bersama (the
``holidays`` package, country ID, categories public and government) and any
``extra_holidays`` are days off. Holiday years are loaded lazily, as dates in them
are asked for.

Counting convention:

- Naive datetimes are taken as WIB; aware ones are converted to WIB. A bare
  ``date`` stands for 00.00 WIB of that day. Results are aware, in WIB.
- Service periods are half-open ``[start, end)``: 15.00 on a Thursday is outside.
- ``working_seconds_between`` counts only the seconds inside service periods.
- ``working_days_between`` gives each working day weight 1 whatever its length, so
  a whole Friday (4 h) is 1 day like a whole Monday (6 h); a partial day counts as
  the fraction of that day's service seconds that falls in the span.
- ``add_working_days(start, n)`` ignores start's time of day: the deadline is the
  end of service (15.00, or 14.00 on Fridays) of the n-th working day after
  start's date; n = 0 means the end of service on start's date, or on the next
  working day if start's date is a day off.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

# weekday() -> service periods as (start, end) local wall-clock times
_MON_THU = ((time(8, 0), time(12, 0)), (time(13, 0), time(15, 0)))
_FRI = ((time(8, 0), time(11, 30)), (time(13, 30), time(14, 0)))
SERVICE_HOURS: dict[int, tuple[tuple[time, time], ...]] = {
    0: _MON_THU,
    1: _MON_THU,
    2: _MON_THU,
    3: _MON_THU,
    4: _FRI,
}
EXTRA_HOLIDAY_NAME = "Libur tambahan"
_SEARCH_LIMIT_DAYS = 3660  # a working day is never this far away; guards bad extra_holidays


class WorkCalendar:
    """The SOP's working calendar; pure apart from its lazily filled holiday and day caches."""

    def __init__(self, extra_holidays: Iterable[date] | Mapping[date, str] = (), tz: str = "Asia/Jakarta") -> None:
        """``extra_holidays``: local days off (``[kalender] libur_tambahan``), as dates or as
        date -> name (e.g. "Hari Jadi Kabupaten")."""
        self.tz = ZoneInfo(tz)
        names = extra_holidays if isinstance(extra_holidays, Mapping) else dict.fromkeys(extra_holidays, "")
        self.extra_names = {d: n or EXTRA_HOLIDAY_NAME for d, n in names.items()}
        self.extra_holidays = frozenset(self.extra_names)
        self._days: dict[date, tuple[tuple[tuple[datetime, datetime], ...], float]] = {}
        self._deadlines: dict[tuple[date, int], datetime] = {}  # (local start day, days) -> add_working_days
        self._spans: dict[tuple[datetime, datetime], float] = {}  # (start, end) -> working_days_between

    @cached_property
    def _holidays(self) -> Any:
        """National holidays and cuti bersama; the package is loaded when a date is first asked
        about (an idle poll never does). expand=True: a date in a year not yet loaded loads that year."""
        import holidays

        return holidays.country_holidays("ID", categories=("public", "government"), language="id", expand=True)

    # --- days -------------------------------------------------------------------------

    def holiday_name(self, d: date) -> str | None:
        """The Indonesian name of the holiday on ``d`` (an extra holiday by its own name, else
        ``EXTRA_HOLIDAY_NAME``), or None; weekends alone have no name."""
        d = self._as_date(d)
        name: str | None = self._holidays.get(d)
        if name is None and d in self.extra_holidays:
            return self.extra_names[d]
        return name

    def is_working_day(self, d: date) -> bool:
        d = self._as_date(d)
        return d.weekday() in SERVICE_HOURS and d not in self.extra_holidays and d not in self._holidays

    def service_periods(self, d: date) -> list[tuple[datetime, datetime]]:
        """The day's service periods as aware datetimes; [] on a day off."""
        d = self._as_date(d)
        if not self.is_working_day(d):
            return []
        return [
            (datetime.combine(d, a, self.tz), datetime.combine(d, b, self.tz))
            for a, b in SERVICE_HOURS[d.weekday()]
        ]

    def next_working_day(self, d: date, *, include: bool = False) -> date:
        """The first working day after ``d`` (or ``d`` itself when ``include``)."""
        d = self._as_date(d)
        if not include:
            d += timedelta(days=1)
        for _ in range(_SEARCH_LIMIT_DAYS):
            if self.is_working_day(d):
                return d
            d += timedelta(days=1)
        raise ValueError(f"tidak ada hari kerja dalam {_SEARCH_LIMIT_DAYS} hari setelah {d}")

    # --- spans ------------------------------------------------------------------------

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Seconds of service hours in ``[start, end)``; 0 if end <= start."""
        return sum(seconds for seconds, _ in self._per_day(start, end))

    def working_days_between(self, start: datetime, end: datetime) -> float:
        """Service time in ``[start, end)`` in working days (see module docstring); kept, since the
        dashboard measures every OPD's finished steps again on each request (a running clock's end
        moves, so the kept spans are bounded)."""
        spent = self._spans.get((start, end))
        if spent is None:
            if len(self._spans) >= 4096:
                self._spans.clear()
            spent = self._spans[(start, end)] = sum(seconds / day_total for seconds, day_total
                                                    in self._per_day(start, end))
        return spent

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The deadline: end of service on the ``days``-th working day after start's date."""
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        day = self._local(start).date()
        deadline = self._deadlines.get((day, days))  # the dashboard asks every OPD's steps per request
        if deadline is None:
            d = self.next_working_day(day, include=days == 0)
            for _ in range(days - 1):
                d = self.next_working_day(d)
            deadline = self._deadlines[(day, days)] = self.service_periods(d)[-1][1]
        return deadline

    def next_working_moment(self, t: datetime) -> datetime:
        """``t`` (in WIB) if within service hours, else the start of the next service period."""
        t = self._local(t)
        d = t.date()
        for period_start, period_end in self.service_periods(d):
            if t < period_end:
                return max(t, period_start)
        return self.service_periods(self.next_working_day(d))[0][0]

    # --- helpers ----------------------------------------------------------------------

    def _per_day(self, start: datetime, end: datetime) -> Iterable[tuple[float, float]]:
        """(service seconds inside the span, the day's service seconds) per working day."""
        start, end = self._local(start), self._local(end)
        if end <= start:
            return
        first, last = start.date(), end.date()
        d = first
        while d <= last:
            periods, total = self._day(d)
            if periods and first < d < last:
                yield total, total  # a whole day inside the span
            elif periods:
                inside = sum(max(0.0, (min(b, end) - max(a, start)).total_seconds()) for a, b in periods)
                if inside:
                    yield inside, total
            d += timedelta(days=1)

    def _day(self, d: date) -> tuple[tuple[tuple[datetime, datetime], ...], float]:
        """A day's service periods and their seconds, worked out once per date: the dashboard
        asks about the same days for every OPD on every page."""
        known = self._days.get(d)
        if known is None:
            periods = tuple(self.service_periods(d))
            known = self._days[d] = (periods, sum((b - a).total_seconds() for a, b in periods))
        return known

    def _local(self, t: date | datetime) -> datetime:
        if not isinstance(t, datetime):
            return datetime.combine(t, time(0, 0), self.tz)
        if t.tzinfo is None or t.utcoffset() is None:
            return t.replace(tzinfo=self.tz)
        return t.astimezone(self.tz)

    def _as_date(self, d: date | datetime) -> date:
        return self._local(d).date() if isinstance(d, datetime) else d
