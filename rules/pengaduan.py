"""What a complaint or data request from the public may hold, and how late its handling is.

Pure: the web layer passes the submitted fields, the clock's moment and the working calendar.
Text is kept as the reporter typed it (HTML, right-to-left text and emoji are just text); only
what no database or page can carry is dropped: NUL and other control characters.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from rules.calendar import WorkCalendar

# field -> (label shown, the most characters kept, required)
FIELDS = {
    "koreksi": {"baris": ("Baris atau rincian", 200, False), "isi": ("Apa yang salah", 2000, True),
                "kontak": ("Kontak", 200, False)},
    "usulan": {"isi": ("Data yang diusulkan", 2000, True), "opd": ("OPD", 64, False),
               "alasan": ("Alasan", 1000, False), "kontak": ("Kontak", 200, False)},
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: object) -> str:
    """The text as typed, minus control characters (a NUL breaks PostgreSQL), line ends unified."""
    text = "" if value is None else str(value)
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def check_form(jenis: str, raw: Mapping[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    """(cleaned values, field -> Indonesian message) for one submitted form."""
    values, errors = {}, {}
    for name, (label, limit, required) in FIELDS[jenis].items():
        text = clean(raw.get(name))
        if required and not text:
            errors[name] = f"{label} wajib diisi."
        elif len(text) > limit:
            errors[name] = f"{label} terlalu panjang: {_thousands(len(text))} karakter, paling banyak {_thousands(limit)}."
        values[name] = text
    return values, errors


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@dataclass(frozen=True)
class Age:
    hari_kerja: float  # working days since the ticket came in (until answered, if it was)
    tenggat: datetime  # end of service of the deadline's working day
    terlambat: bool  # past the deadline (when answered: answered after it)


def ticket_age(created: datetime, now: datetime, calendar: WorkCalendar, days: int,
               answered: datetime | None = None) -> Age:
    """The ticket's age in working days against a deadline of ``days`` working days."""
    until = answered or now
    deadline = calendar.add_working_days(created, days)
    return Age(round(calendar.working_days_between(created, until), 1), deadline, until > deadline)
