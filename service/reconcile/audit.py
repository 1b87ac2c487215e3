"""Every change is audited (DECISIONS.md #11, #12): each edit of an operator or Walidata cell of a known
row is a value-change event (column, from, to, when, who), whether or not the state moves, and
every state-change event names who caused it and how that is known.

Kept apart from tab.py so the reconcile rules and the audit can change independently: tab.py
calls ``record_row`` once per decided row and ``finish`` once per tab."""
from __future__ import annotations

from typing import Any

from dataclasses import replace
from datetime import datetime

from rules import fields as f
from rules.keys import text
from rules.sop import DIARSIP, DICEK, DIISI, DISEPAKATI, DISETUJUI, DRAF, PERBAIKAN, REVISI, TERVERIFIKASI
from rules.workflow import box_labels, parse_box
from service.reconcile import who as w
from service.reconcile.changes import changed_fields
from service.reconcile.plan import Event, Plan, RowMemory
from sheets.base import TabSnapshot
from sheets.layout import BY_KEY

VALUE = "nilai"  # Event.kind of a value change; state changes are "status"
# The column whose edit moves a row into a state (step 5 needs both sides).
CAUSE = {DICEK: (f.DICEK,), DISEPAKATI: (f.SEPAKAT_OPD, f.SEPAKAT_WALIDATA), DISETUJUI: (f.SETUJU_KA,),
         DIISI: (f.SELESAI_ISI,), PERBAIKAN: (f.SELESAI_ISI,), TERVERIFIKASI: (f.VERIFIKASI,),
         REVISI: (f.CATATAN,)}
# A step back is caused by clearing the box of the state left.
BACK = {DICEK: (f.DICEK,), DISEPAKATI: (f.SEPAKAT_OPD, f.SEPAKAT_WALIDATA), DISETUJUI: (f.SETUJU_KA,),
        DIISI: (f.SELESAI_ISI,), PERBAIKAN: (f.SELESAI_ISI,), REVISI: (f.SELESAI_ISI,),
        TERVERIFIKASI: (f.VERIFIKASI,), DIARSIP: (f.VERIFIKASI,)}
_ORDER = {DRAF: 0, DICEK: 1, DISEPAKATI: 2, DISETUJUI: 3, REVISI: 4, PERBAIKAN: 4, DIISI: 5,
          TERVERIFIKASI: 6, DIARSIP: 7}


def _box_text(value: object) -> str:
    parsed = parse_box(value)
    return "dicentang" if parsed else "kosong" if parsed is False else text(value)[:200]


def value_changes(mem: RowMemory, data: dict[str, str], cells: dict[str, Any], catatan: str,
                  pending: bool, changed: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(column key, from, to) of every cell a person changed since the poller last saw the row.
    Boxes are compared with how the poller left them; while our last write is unconfirmed a box
    the poller itself cleared is not a person's edit. ``changed``: the data fields that differ
    (changes.changed_fields), when the caller already knows them."""
    if changed is None:
        changed = changed_fields(data, mem, f.DATA_FIELDS)
    out = [(k, mem.data.get(k, ""), data.get(k, "")) for k in changed]
    for key in box_labels():
        if key not in cells:
            continue
        now, before = parse_box(cells.get(key)), bool(mem.boxes.get(key))
        if now is not None and bool(now) == before:
            continue
        if pending and key in mem.box_notes:
            continue
        out.append((key, "dicentang" if before else "kosong", _box_text(cells.get(key))))
    if catatan.strip() != mem.catatan.strip() and f.CATATAN in cells:
        out.append((f.CATATAN, mem.catatan, catatan))
    return out


class Witness:
    """Who edited each column of one tab this cycle: the evidence is the tab's, so each column is
    looked up once per cycle, however many rows it changed on."""

    def __init__(self, snapshot: TabSnapshot | None, people: w.People) -> None:
        self.snapshot, self.people = snapshot, people
        self._edited: dict[str, w.Who] = {}

    def edited(self, key: str) -> w.Who:
        who = self._edited.get(key)
        if who is None:
            who = self._edited[key] = w.edited(key, self.snapshot, self.people)
        return who


def _cause(prev: str | None, to: str, changed: list[str]) -> list[str]:
    """The columns whose edit made this transition; empty when the poller made it alone."""
    if prev is None or to in ("dihapus",) or prev == "dihapus":
        return [f.URAIAN]
    forward = _ORDER.get(to, 0) > _ORDER.get(prev, 0) or to in (PERBAIKAN, REVISI)
    wanted = CAUSE.get(to, ()) if forward else BACK.get(prev, ())
    hits = [k for k in wanted if k in changed]
    if hits:
        return hits
    data = [k for k in changed if k in f.DATA_FIELDS]  # a list or value edit that reopened the row
    return data[:1]


_AUTOMATIC = w.poller("langkah otomatis oleh poller (aturan SOP), tanpa suntingan sel")
_ARCHIVED = w.Who(w.POLLER, "disimpan otomatis oleh poller ke basis data arsip")


def _who(prev: str | None, to: str, changed: list[str], witness: Witness, author: w.Who | None,
         handed: w.Who | None = None) -> w.Who:
    """Who caused one state change, as far as the evidence goes."""
    if prev is None and handed is not None:
        return handed
    if to == DIARSIP:
        return _ARCHIVED
    if to == REVISI and author is not None:
        return author
    keys = _cause(prev, to, changed)
    if not keys:
        return _AUTOMATIC
    if to == DISETUJUI and keys == [f.SETUJU_KA]:
        return w.kepala(witness.edited(f.SETUJU_KA), witness.people)
    if len(keys) > 1:
        return w.together([(box_labels().get(k, k), witness.edited(k)) for k in keys])
    return witness.edited(keys[0])


def record_row(plan: Plan, witness: Witness, row_id: str, transitions: list[tuple[str | None, str, str]],
               values: dict[str, Any], mem: RowMemory | None, data: dict[str, str], cells: dict[str, Any], catatan: str, state: str,
               now: datetime, pending: bool, changed: list[str], author: w.Who | None = None,
               handed: w.Who | None = None) -> None:
    """The row's audit events: one value-change event per edited cell, then its state changes
    (``transitions``, each carrying ``values``: the cells as people left them), each naming who
    caused it. ``changed``: the data fields that differ from memory; ``author``: who asked for a
    revision where a comment did (DECISIONS.md #13); ``handed``: who handed a new row out (satudata distribute)."""
    changes = value_changes(mem, data, cells, catatan, pending, changed) if mem is not None and not mem.removed else []
    edited = [k for k, _, _ in changes]
    for key, old, new in changes:  # the edits come first: they caused the state changes after them
        who = witness.edited(key)
        header = BY_KEY[key].header if key in BY_KEY else key
        plan.events.append(Event(now, plan.opd, mem.row_id, mem.state, state,  # type: ignore[union-attr]
                                 f"{header} diubah: {_short(old)} → {_short(new)}", {}, oleh=who.oleh,
                                 bagaimana=who.bagaimana, kind=VALUE, column=key, old=old, new=new))
    for prev, to, reason in transitions:
        who = _who(prev, to, edited, witness, author, handed)
        plan.events.append(Event(now, plan.opd, row_id, prev, to, reason, values, oleh=who.oleh,
                                 bagaimana=who.bagaimana))


def _short(value: str) -> str:
    value = value.strip()
    return "(kosong)" if not value else f"'{value[:80]}…'" if len(value) > 80 else f"'{value}'"


def finish(plan: Plan, witness: Witness) -> None:
    """Events no row decided (a row vanished): who removed it, as far as the evidence goes."""
    for i, event in enumerate(plan.events):
        if not event.oleh:
            who = witness.edited(f.URAIAN)
            plan.events[i] = replace(event, oleh=who.oleh, bagaimana=who.bagaimana)
