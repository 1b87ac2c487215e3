"""One row's whole history (DECISIONS.md #12): every value change (column, from → to) and every state
change, each with when, who and how that is known. Shared by the dashboard page, its JSON API
and `satudata riwayat`."""
from __future__ import annotations

from service.archive.queries import Queries
from service.web.views import state_label
from sheets.layout import BY_KEY

KIND_LABEL = {"status": "Perubahan status", "nilai": "Perubahan nilai", "komentar": "Komentar (status tetap)"}


def _state_label(code: str | None) -> str | None:
    return state_label(code) if code else None


def _entry(e: dict) -> dict:
    kind = e.get("kind") or "status"
    column = e.get("column_key")
    return {
        "waktu": e["at"], "jenis": kind, "jenis_label": KIND_LABEL.get(kind, kind),
        "kolom": BY_KEY[column].header if column in BY_KEY else column,
        "dari": e["old_value"] if kind == "nilai" else e["from_state"],
        "ke": e["new_value"] if kind == "nilai" else e["to_state"],
        "dari_label": None if kind == "nilai" else _state_label(e["from_state"]),
        "ke_label": None if kind == "nilai" else _state_label(e["to_state"]),
        "status_saat_itu": e["to_state"], "alasan": e["reason"],
        "oleh": e.get("oleh") or "tidak tercatat (peristiwa sebelum pencatatan pelaku)",
        "bagaimana": e.get("bagaimana") or "", "siklus": e["cycle_id"],
    }


def row_history(reads: Queries, opd: str, row_id: str) -> dict | None:
    """None when the archive knows no such row."""
    row = reads.tab_row(opd, row_id)  # that row alone: a 2,000-row tab was most of the page
    events = reads.row_history(opd, row_id)
    if row is None and not events:
        return None
    row = row or reads.closed_tab_row(opd, row_id)  # its tab closed by rollover: kept under its year
    data = row["data"] if row else _closed_row(reads, opd, row_id)
    status = row["state"] if row else _last_state(events)
    return {
        "opd": opd, "id": row_id, "uraian_data": data.get("uraian_data", ""), "rincian": data.get("rincian", ""),
        "tahun": data.get("tahun", ""), "nilai": data.get("nilai", ""),
        "status": status, "status_label": _state_label(status),
        "dihapus": bool(row and row["removed"]),
        "versi_arsip": row["archived_version"] if row else int(data.get("versi") or 0),
        "peristiwa": [_entry(e) for e in events],
        "jumlah_perubahan_nilai": sum((e.get("kind") or "status") == "nilai" for e in events),
        "jumlah_perubahan_status": sum((e.get("kind") or "status") == "status" for e in events),
    }


def _closed_row(reads: Queries, opd: str, row_id: str) -> dict:
    """A row the sheet no longer holds (its tab closed by rollover): named by its archived values."""
    from service.publish.formats import number_text

    record = reads.archived_row(opd, row_id) or {}
    out = {k: "" if record.get(k) is None else str(record.get(k)) for k in ("uraian_data", "rincian", "tahun", "versi")}
    return out | {"nilai": number_text(record.get("nilai"))}  # the archive's 1702.0 is the sheet's 1702


def _last_state(events: list[dict]) -> str | None:
    """The state the row's last state change left it in."""
    moved = [e for e in events if (e.get("kind") or "status") == "status" and e.get("to_state")]
    return moved[-1]["to_state"] if moved else None
