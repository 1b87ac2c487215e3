"""Which rows a cycle decides again (service/reconcile/rowskip.py)."""
from __future__ import annotations

from rules.findings import GALAT, Finding
from service.reconcile.plan import RowMemory
from service.reconcile.rowskip import same_findings


def _unread_boxes(findings: str) -> RowMemory:
    """A remembered row whose boxes fail when read, with its stored findings."""
    def boxes(_: object) -> dict[str, bool]:
        raise AssertionError("boxes read")

    class Stored:
        pass

    stored = Stored()
    stored.findings = findings  # type: ignore[attr-defined]
    import json
    return RowMemory.lazy(stored, {"boxes": (boxes, "boxes"), "findings": (json.loads, "findings")},
                          row_id="R-1", state="10")


def test_a_row_without_findings_is_compared_without_reading_its_boxes():
    """An item's other row that checks clean and showed nothing needs no decision; telling so must
    not decode its remembered boxes (DECISIONS.md #156: an edit's item rows are many)."""
    assert same_findings([], _unread_boxes("[]"))
    assert not same_findings([], _unread_boxes('[{"kolom": "nilai", "level": "galat", "kode": "x", "pesan": "y"}]'))


def test_a_row_with_findings_is_compared_by_what_its_state_shows():
    row = RowMemory("R-1", "10", boxes={"selesai_diisi": True}, findings=[])
    finding = Finding("R-1", "nilai", GALAT, "nilai_wajib", "Nilai wajib diisi")
    assert not same_findings([finding], row)
