"""The rows of one tab as the poller last saw them (or as they were before a moment), rebuilt from
what the archive already keeps: each row's remembered cells, and the value changes since."""
from __future__ import annotations

from datetime import datetime

from rules import fields as f
from service.archive.queries import Queries

BOX = {"dicentang": True, "kosong": False}


def rows_as_seen(reads: Queries, opd: str, before: datetime | None = None) -> list[dict]:
    """[{id, state, data, boxes, catatan, position}] in sheet order: every row the poller last read
    (a held tab's rows as they were before the save it holds). With ``before``, every value change
    recorded at or after that moment is undone, rows first seen since are left out, and rows
    removed since are back."""
    rows = [r for r in reads.tab_rows(opd) if before is not None or not r["removed"]]
    out = {r["row_id"]: {"id": r["row_id"], "state": r["state"], "data": dict(r["data"]), "boxes": dict(r["boxes"]),
                         "catatan": r["catatan"], "position": r["position"]} for r in rows}
    if before is None:
        return sorted(out.values(), key=lambda r: (r["position"], r["id"]))
    later = [e for e in reads.events(limit=1_000_000, opd=opd, kind=None) if e["at"] >= before]
    touched = {e["row_id"] for e in later}
    for r in rows:  # a row removed before the moment stays removed
        if r["removed"] and r["row_id"] not in touched:
            out.pop(r["row_id"])
    for event in later:  # newest first: each undone in turn
        row = out.get(event["row_id"])
        if row is None:
            continue
        if event.get("kind") == "status":
            if event["from_state"] is None:
                out.pop(event["row_id"])  # first seen after the moment
            else:
                row["state"] = event["from_state"]
            continue
        key, old = event.get("column_key"), event.get("old_value")
        if key in f.STEP_BOXES:
            row["boxes"][key] = BOX.get(old or "", False)
        elif key == f.CATATAN:
            row["catatan"] = old or ""
        elif key:
            row["data"][key] = old or ""
    return sorted(out.values(), key=lambda r: (r["position"], r["id"]))
