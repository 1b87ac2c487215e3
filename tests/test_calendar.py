"""The SOP working calendar: service hours, days off, deadlines."""
from __future__ import annotations

import csv
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from rules.calendar import EXTRA_HOLIDAY_NAME, WorkCalendar

WIB = ZoneInfo("Asia/Jakarta")
HOUR = 3600.0
REFERENCE = Path(__file__).parent / "data" / "id_hari_libur_2025_2027.csv"


def wib(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=WIB)


def reference_rows():
    with REFERENCE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar()


# --- days off against the reference list ------------------------------------------------


def test_every_date_in_the_reference_list_is_a_day_off(cal):
    rows = reference_rows()
    assert len(rows) > 70
    working = [r["tanggal"] for r in rows if cal.is_working_day(date.fromisoformat(r["tanggal"]))]
    assert working == []


def test_holiday_names_match_the_reference_list_in_bahasa_indonesia(cal):
    mismatched = [
        (r["tanggal"], r["nama"], cal.holiday_name(date.fromisoformat(r["tanggal"])))
        for r in reference_rows()
        if not (cal.holiday_name(date.fromisoformat(r["tanggal"])) or "").startswith(r["nama"])
    ]
    assert mismatched == []


def test_weekdays_not_in_the_reference_list_are_working_days(cal):
    listed = {r["tanggal"] for r in reference_rows()}
    d, weekdays = date(2025, 1, 1), []
    while d <= date(2027, 12, 31):
        if d.weekday() < 5 and d.isoformat() not in listed:
            weekdays.append(d)
        d += timedelta(days=1)
    assert len(weekdays) > 600
    assert [d for d in weekdays if not cal.is_working_day(d)] == []


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 3, 28), "Cuti Bersama Hari Suci Nyepi"),
        (date(2025, 3, 31), "Hari Raya Idul Fitri"),
        (date(2025, 8, 17), "Hari Kemerdekaan Republik Indonesia"),
        (date(2025, 3, 27), None),
        (date(2025, 3, 22), None),  # a plain Saturday
    ],
)
def test_holiday_name_is_indonesian_or_none(cal, day, name):
    assert cal.holiday_name(day) == name


def test_weekends_are_days_off_with_no_service_periods(cal):
    assert not cal.is_working_day(date(2025, 3, 22))
    assert not cal.is_working_day(date(2025, 3, 23))
    assert cal.service_periods(date(2025, 3, 22)) == []


def test_extra_holidays_are_days_off():
    cal = WorkCalendar(extra_holidays=[date(2025, 10, 20)])
    assert not cal.is_working_day(date(2025, 10, 20))
    assert cal.holiday_name(date(2025, 10, 20)) == EXTRA_HOLIDAY_NAME
    assert WorkCalendar().is_working_day(date(2025, 10, 20))


def test_holiday_years_load_lazily_as_dates_are_asked_for():
    cal = WorkCalendar()
    assert cal.is_working_day(date(2031, 1, 2))  # loads 2031
    assert not cal.is_working_day(date(2031, 1, 1))  # a Wednesday
    assert cal.holiday_name(date(2031, 1, 1)) == "Tahun Baru Masehi"


# --- service hours ------------------------------------------------------------------------


def test_monday_to_thursday_service_is_8_to_15_with_a_noon_break(cal):
    assert cal.service_periods(date(2025, 3, 27)) == [
        (wib(2025, 3, 27, 8), wib(2025, 3, 27, 12)),
        (wib(2025, 3, 27, 13), wib(2025, 3, 27, 15)),
    ]


def test_friday_service_is_8_to_14_with_a_break_from_1130_to_1330(cal):
    assert cal.service_periods(date(2025, 3, 21)) == [
        (wib(2025, 3, 21, 8), wib(2025, 3, 21, 11, 30)),
        (wib(2025, 3, 21, 13, 30), wib(2025, 3, 21, 14)),
    ]


def test_span_of_one_whole_monday_to_thursday_day_counts_6_hours(cal):
    assert cal.working_seconds_between(wib(2025, 3, 27), wib(2025, 3, 28)) == 6 * HOUR
    assert cal.working_days_between(wib(2025, 3, 27), wib(2025, 3, 28)) == 1.0


def test_span_of_one_whole_friday_counts_4_hours_and_one_working_day(cal):
    assert cal.working_seconds_between(wib(2025, 3, 21), wib(2025, 3, 22)) == 4 * HOUR
    assert cal.working_days_between(wib(2025, 3, 21), wib(2025, 3, 22)) == 1.0


def test_friday_prayer_break_counts_nothing(cal):
    assert cal.working_seconds_between(wib(2025, 3, 21, 11, 30), wib(2025, 3, 21, 13, 30)) == 0
    assert cal.working_seconds_between(wib(2025, 3, 21, 11), wib(2025, 3, 21, 14)) == 1 * HOUR


def test_weekend_span_counts_nothing(cal):
    assert cal.working_seconds_between(wib(2025, 3, 22), wib(2025, 3, 24)) == 0
    assert cal.working_days_between(wib(2025, 3, 22), wib(2025, 3, 24)) == 0


def test_span_ending_before_it_starts_counts_nothing(cal):
    assert cal.working_seconds_between(wib(2025, 3, 27, 10), wib(2025, 3, 27, 9)) == 0
    assert cal.working_days_between(wib(2025, 3, 27, 10), wib(2025, 3, 27, 10)) == 0


def test_partial_days_count_as_a_fraction_of_that_days_service(cal):
    # Thu 12.00–15.00 = 2 of 6 h; Fri 08.00–10.00 = 2 of 4 h
    days = cal.working_days_between(wib(2025, 3, 20, 12), wib(2025, 3, 21, 10))
    assert days == pytest.approx(2 / 6 + 2 / 4)


def test_lebaran_block_counts_no_working_time(cal):
    assert cal.working_seconds_between(wib(2025, 3, 27, 15), wib(2025, 4, 8, 8)) == 0


# --- time zones -----------------------------------------------------------------------------


def test_naive_datetimes_are_taken_as_wib(cal):
    assert cal.working_seconds_between(datetime(2025, 3, 27, 8), datetime(2025, 3, 27, 9)) == HOUR
    assert cal.next_working_moment(datetime(2025, 3, 27, 9)) == wib(2025, 3, 27, 9)


def test_utc_datetimes_are_converted_to_wib(cal):
    # 01.00–02.00 UTC is 08.00–09.00 WIB
    start = datetime(2025, 3, 27, 1, tzinfo=timezone.utc)
    assert cal.working_seconds_between(start, start + timedelta(hours=1)) == HOUR
    # 20.00 UTC on Wednesday is 03.00 WIB on Thursday: before service opens
    assert cal.next_working_moment(datetime(2025, 3, 26, 20, tzinfo=timezone.utc)) == wib(
        2025, 3, 27, 8
    )
    # 23.00 UTC on Thursday is 06.00 WIB on Friday (cuti bersama): the deadline counts from Friday
    assert cal.add_working_days(datetime(2025, 3, 27, 23, tzinfo=timezone.utc), 0) == wib(
        2025, 4, 8, 15
    )


# --- deadlines --------------------------------------------------------------------------------


def test_lebaran_block_pushes_deadline_to_8_april_2025(cal):
    assert cal.add_working_days(wib(2025, 3, 27, 10), 1) == wib(2025, 4, 8, 15)


def test_deadline_ignores_time_of_day_and_ends_at_close_of_service(cal):
    assert cal.add_working_days(wib(2025, 3, 17, 8), 3) == wib(2025, 3, 20, 15)
    assert cal.add_working_days(wib(2025, 3, 17, 23, 59), 3) == wib(2025, 3, 20, 15)


def test_deadline_on_a_friday_ends_at_14(cal):
    assert cal.add_working_days(wib(2025, 3, 20, 10), 1) == wib(2025, 3, 21, 14)


def test_deadline_skips_weekends(cal):
    assert cal.add_working_days(wib(2025, 3, 21, 10), 2) == wib(2025, 3, 25, 15)


def test_zero_days_is_close_of_service_today_or_next_working_day(cal):
    assert cal.add_working_days(wib(2025, 3, 27, 10), 0) == wib(2025, 3, 27, 15)
    assert cal.add_working_days(wib(2025, 3, 22, 10), 0) == wib(2025, 3, 24, 15)


def test_deadline_accepts_a_date(cal):
    assert cal.add_working_days(date(2025, 3, 27), 1) == wib(2025, 4, 8, 15)


def test_negative_days_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(wib(2025, 3, 27), -1)


# --- next working moment ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (wib(2025, 3, 27, 10), wib(2025, 3, 27, 10)),  # within service
        (wib(2025, 3, 27, 7), wib(2025, 3, 27, 8)),  # before opening
        (wib(2025, 3, 27, 12, 15), wib(2025, 3, 27, 13)),  # noon break
        (wib(2025, 3, 21, 12), wib(2025, 3, 21, 13, 30)),  # Friday prayer break
        (wib(2025, 3, 20, 15), wib(2025, 3, 21, 8)),  # closing time is outside
        (wib(2025, 3, 27, 16), wib(2025, 4, 8, 8)),  # after closing, before Lebaran
        (wib(2025, 3, 22, 9), wib(2025, 3, 24, 8)),  # Saturday
    ],
)
def test_next_working_moment(cal, t, expected):
    assert cal.next_working_moment(t) == expected


def _seconds_by_every_period(cal, start, end):
    """Reference: the overlap of [start, end) with each day's service periods, day by day."""
    total, d = 0.0, start.date()
    while d <= end.date():
        total += sum(max(0.0, (min(b, end) - max(a, start)).total_seconds()) for a, b in cal.service_periods(d))
        d += timedelta(days=1)
    return total


def test_spans_over_whole_days_match_the_period_by_period_sum_and_repeat_from_the_day_cache():
    from hypothesis import given, strategies as st

    cal = WorkCalendar()
    base = datetime(2025, 3, 20, tzinfo=ZoneInfo("Asia/Jakarta"))

    @given(st.integers(0, 60 * 24 * 40), st.integers(0, 60 * 24 * 40))
    def check(a, b):
        start, end = base + timedelta(minutes=a), base + timedelta(minutes=a + b)
        expected = _seconds_by_every_period(cal, start, end) if end > start else 0.0
        assert cal.working_seconds_between(start, end) == expected
        assert cal.working_seconds_between(start, end) == expected  # again, from the cache

    check()


def test_a_deadline_asked_again_is_the_same_as_one_computed_afresh_at_any_hour_of_its_start_day():
    kept = WorkCalendar(extra_holidays=[date(2025, 6, 2)])
    start = datetime(2025, 5, 26, 1, 0, tzinfo=kept.tz)
    for hours in range(0, 24 * 21, 5):
        moment = start + timedelta(hours=hours)
        for days in (0, 1, 5, 10):
            first = kept.add_working_days(moment, days)
            assert kept.add_working_days(moment, days) == first
            assert first == WorkCalendar(extra_holidays=[date(2025, 6, 2)]).add_working_days(moment, days)


def test_a_span_asked_again_is_the_same_as_one_measured_afresh_and_the_kept_spans_stay_bounded():
    kept = WorkCalendar(extra_holidays=[date(2025, 6, 2)])
    start = datetime(2025, 5, 26, 7, 30, tzinfo=kept.tz)
    for hours in range(0, 24 * 21, 7):
        end = start + timedelta(hours=hours, minutes=13)
        first = kept.working_days_between(start, end)
        assert kept.working_days_between(start, end) == first
        assert first == WorkCalendar(extra_holidays=[date(2025, 6, 2)]).working_days_between(start, end)
    for minutes in range(5000):  # a running clock's end moves every request
        kept.working_days_between(start, start + timedelta(minutes=minutes))
    assert len(kept._spans) <= 4096
