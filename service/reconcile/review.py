"""Verified stays verified (DECISIONS.md #7): what a verified row shows when the checks change under it.

A rule file edit, a new workspace year or an edit of another row of the item may give a
verified row new errors. The row keeps its state and the Walidata's tick; its errors are
shown as warnings that name the cause ("Perlu ditinjau Walidata"), and the Walidata decides
(clearing Terverifikasi reopens the row).
"""
from __future__ import annotations

from typing import Any

from rules.findings import GALAT, PERINGATAN, Finding

REVIEW_PREFIX = "tinjau_"  # finding code of an error demoted on a verified row
REVIEW_ADVICE = "baris tetap terverifikasi; Walidata dapat membukanya kembali dengan mengosongkan Terverifikasi"


def cause_of(previous: Any, salt: str) -> str:
    """Why checks changed since the last processed cycle: the salt is '<rules>~<code list>-<year>'."""
    before = previous.get("aturan") if isinstance(previous, dict) else None
    if not isinstance(before, str) or before == salt or "-" not in before or "-" not in salt:
        return "data lain pada item ini berubah"
    old_rules, old_year = before.rsplit("-", 1)
    new_rules, new_year = salt.rsplit("-", 1)
    if old_year != new_year:
        return f"tahun kerja berubah dari {old_year} menjadi {new_year} (satudata.toml)"
    (old_rules, _, old_list), (new_rules, _, new_list) = old_rules.partition("~"), new_rules.partition("~")
    if old_rules != new_rules:
        return "berkas aturan pemeriksaan berubah"
    if old_list != new_list:
        return "daftar kode wilayah Kemendagri atau kode_wilayah berubah"
    return "data lain pada item ini berubah"


def for_review(findings: list[Finding], remembered: list[dict[str, Any]], cause: str) -> list[Finding]:
    """Errors on a verified row become warnings naming their cause; a cause once shown is kept
    (the next cycle does not know it any more), warnings pass as they are."""
    known = {(x.get("kode"), x.get("kolom")): x.get("pesan", "") for x in remembered
             if str(x.get("kode", "")).startswith(REVIEW_PREFIX)}
    out = []
    for x in findings:
        if x.level != GALAT:
            out.append(x)
            continue
        code = REVIEW_PREFIX + x.code
        message = known.get((code, x.column), "")
        if not message.startswith(x.message + " ("):
            message = f"{x.message} (temuan baru setelah diverifikasi: {cause}; {REVIEW_ADVICE})"
        out.append(Finding(x.row_id, x.column, PERINGATAN, code, message, x.step, x.blocks_from))
    return out


def needs_review(findings: list[dict[str, Any]]) -> bool:
    """A row the dashboard lists under "Perlu ditinjau Walidata"."""
    return any(str(x.get("kode", "")).startswith(REVIEW_PREFIX) for x in findings)
