"""``updateProtectedRange`` and ``deleteProtectedRange`` for tests/fake_sheets_api.py (DECISIONS.md #17), after the Sheets v4
discovery document shipped with google-api-python-client (UpdateProtectedRangeRequest:
protectedRange with its protectedRangeId, and a ``fields`` FieldMask naming what to replace).

What it assumes where the documents are silent: only someone who may edit the range (an editor
of it, or the file's owner) may change it, answered 400 with the protected-cell message; as with
addProtectedRange, the requesting user and the owner stay editors whatever list is sent.
"""
from __future__ import annotations

import copy
from typing import Any

from tests.fake_sheets_grid import PROTECTED, ApiError, Spreadsheet, bad

FIELDS = {"range", "description", "warningOnly", "editors", "editors.users", "editors.groups",
          "editors.domainUsersCanEdit", "unprotectedRanges", "namedRangeId"}


def _find(book: Spreadsheet, pid: Any, where: str) -> dict[str, Any]:
    for sheet in book.sheets:
        for pr in sheet.protected:
            if pr.get("protectedRangeId") == pid:
                return pr
    raise bad(f"Invalid {where}: No protected range with id: {pid}")


def update_protected_range(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    new = args.get("protectedRange") or {}
    fields = [f.strip() for f in (args.get("fields") or "").split(",") if f.strip()]
    if not fields:
        raise bad(f"Invalid {where}: fields is required")
    pr = _find(book, new.get("protectedRangeId"), where)
    if user != book.owner and user not in pr.get("editors", {}).get("users", []):
        raise ApiError(400, PROTECTED, "INVALID_ARGUMENT")
    for path in (sorted(FIELDS - {"editors"}) if fields == ["*"] else fields):
        if path not in FIELDS:
            raise bad(f"Invalid {where}: Invalid field mask path: {path}")
        head, _, tail = path.partition(".")
        source = new.get(head, {}) if tail else new
        target = pr.setdefault(head, {}) if tail else pr
        key = tail or head
        if key in source:
            target[key] = copy.deepcopy(source[key])
        else:
            target.pop(key, None)
    if pr.get("range", {}).get("sheetId", 0) not in {s.sheet_id for s in book.sheets}:
        raise bad(f"Invalid {where}: No grid with id: {pr['range'].get('sheetId', 0)}")
    users = pr.setdefault("editors", {}).setdefault("users", [])
    for editor in (user, book.owner):
        if editor not in users:
            users.append(editor)


def delete_protected_range(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    """DeleteProtectedRangeRequest: ``protectedRangeId``; only an editor of the range or the owner."""
    pid = args.get("protectedRangeId")
    pr = _find(book, pid, where)
    if user != book.owner and user not in pr.get("editors", {}).get("users", []):
        raise ApiError(400, PROTECTED, "INVALID_ARGUMENT")
    for sheet in book.sheets:
        if pr in sheet.protected:
            sheet.protected.remove(pr)


HANDLERS = {"updateProtectedRange": update_protected_range, "deleteProtectedRange": delete_protected_range}
