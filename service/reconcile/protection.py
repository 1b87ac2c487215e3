"""Excel sheet protection as evidence (DECISIONS.md #10). What the product knows is who last saved the
file (the name their program was set to, unverified) and whether the sheet was protected by the
Walidata's password then; it states that and flags what does not fit, never a conclusion:

* a Walidata tick saved while the sheet was unprotected, by anyone the ``[walidata]`` section does
  not name, is accepted and its events say "tanpa proteksi" (A1 carries the alarm);
* the Walidata's own unprotected save is protected again quietly (her events say so);
* a Walidata tick saved under protection by someone ``[walidata]`` does not name (a tool that ignores
  protection, or a program set to another name) is flagged "bukan Walidata" and raised on A1.

Why re-protect-on-save and not an edit range: DECISIONS.md #31."""
from __future__ import annotations

from service.reconcile.who import People, is_excel, saved_by_walidata
from sheets.base import TabSnapshot
from sheets.layout import BY_KEY

UNPROTECTED = "tanpa proteksi"
FOREIGN = "bukan Walidata"


def _new_walidata_ticks(boxes: dict[str, bool], before: dict[str, bool]) -> list[str]:
    return [BY_KEY[k].header for k, ticked in boxes.items()
            if ticked and not before.get(k) and BY_KEY[k].owner == "walidata"]


def unprotected_walidata_ticks(snapshot: TabSnapshot, boxes: dict[str, bool], before: dict[str, bool],
                               people: People | None = None) -> list[str]:
    """Headers of Walidata boxes newly ticked on a sheet read without the poller's protection,
    unless the Walidata herself saved it."""
    if snapshot.protected is not False or (people is not None and saved_by_walidata(snapshot, people)):
        return []
    return _new_walidata_ticks(boxes, before)


def foreign_walidata_ticks(snapshot: TabSnapshot, boxes: dict[str, bool], before: dict[str, bool],
                           people: People) -> list[str]:
    """Headers of Walidata boxes newly ticked on a protected Excel sheet saved by someone
    ``[walidata]`` does not name."""
    if snapshot.protected is not True or not is_excel(snapshot) or saved_by_walidata(snapshot, people):
        return []
    return _new_walidata_ticks(boxes, before)


def quiet_reprotect(snapshot: TabSnapshot, people: People) -> bool:
    """The sheet was saved unprotected by the Walidata: protected again without the alarm."""
    return snapshot.protected is False and is_excel(snapshot) and saved_by_walidata(snapshot, people)


def protected_walidata_save(snapshot: TabSnapshot, people: People) -> bool:
    """The Walidata saved the Excel sheet protected, as her procedure says: an earlier "TANPA
    proteksi" note on A1 has reached her and may go (DECISIONS.md #130)."""
    return snapshot.protected is True and is_excel(snapshot) and saved_by_walidata(snapshot, people)


def mark(reason: str, headers: list[str]) -> str:
    return f"{reason} ({UNPROTECTED}: {', '.join(headers)} dicentang saat lembar tidak diproteksi)"


def mark_foreign(reason: str, headers: list[str], saved: str | None) -> str:
    return (f"{reason} ({FOREIGN}: {', '.join(headers)} dicentang; berkas disimpan oleh "
            f"{saved or 'penyimpan yang tidak tercatat'} ketika lembar terproteksi, dan nama itu tidak tercantum "
            "di [walidata])")


def alarm(row_id: str, headers: list[str], saved: str | None) -> str:
    """The A1 alarm for a Walidata tick saved under protection by someone else."""
    return (f"Baris {row_id}: {', '.join(headers)} dicentang dan berkas disimpan oleh "
            f"{saved or 'penyimpan yang tidak tercatat'}, yang tidak tercantum di [walidata], ketika lembar "
            "terproteksi. Walidata diminta memeriksa centang ini (riwayat baris mencatatnya 'bukan Walidata').")
