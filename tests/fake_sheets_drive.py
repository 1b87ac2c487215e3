"""Drive v3 files and the change feed for tests/fake_sheets_api.py (DECISIONS.md #15).

Modelled after the Drive v3 discovery document shipped with google-api-python-client:
``files.get`` answers a File (id, name, mimeType, version, capabilities.canEdit, owners[]),
``permissions.list`` a PermissionList (who the file is shared with, list_permissions below),
``changes.getStartPageToken`` a StartPageToken, ``changes.list`` a ChangeList (changes[],
nextPageToken while more pages follow, else newStartPageToken). Query parameters and ``fields``
masks are checked against that document by the fake's discovery check.

What it assumes where the documents are silent: one change log for the whole fake, in which a
user sees the entries of the files they can read now (Drive keeps a log per user; a file that
became unreadable is left out here instead of listed as ``removed``); an entry is added each time
a file's version moves, whoever moved it (a request, ``api.touch`` or a test editing the model),
noticed when a feed is next asked; a change carries the file's current state, as Drive documents
("the updated state of the file"); page tokens are positions in the log (Drive's are opaque).
Drive documents that page tokens do not expire; ``expire_tokens`` makes every token issued so far
answer 400 as an invalid one does, so a backend's fall-back can be tested.
"""
from __future__ import annotations

import zlib
from datetime import datetime, timezone
from typing import Any

from tests.fake_sheets_grid import ApiError, Spreadsheet

MIME = "application/vnd.google-apps.spreadsheet"


class DriveError(ApiError):
    """Drive v3 answers errors with ``errors[]`` (domain, reason, location), not Sheets' status."""

    def __init__(self, code: int, message: str, reason: str, location: str | None = None) -> None:
        super().__init__(code, message, "INVALID_ARGUMENT" if code == 400 else "NOT_FOUND")
        self.reason, self.location = reason, location

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"domain": "global", "reason": self.reason, "message": self.message}
        if self.location:
            error.update(locationType="parameter", location=self.location)
        return {"error": {"code": self.code, "message": self.message, "errors": [error]}}


def file_resource(api: Any, book: Spreadsheet, user: str) -> dict[str, Any]:
    """A File as files.get (and a change) carries it; the owner is a person (a service account cannot own)."""
    owner = {"kind": "drive#user", "emailAddress": book.owner, "displayName": book.owner.split("@")[0],
             "me": user == book.owner}
    return {"kind": "drive#file", "id": book.spreadsheet_id, "name": book.title, "mimeType": MIME,
            "version": str(api.drive_version(book, answer=False)), "capabilities": {"canEdit": book.can_edit(user)}, "owners": [owner],
            "parents": list(parents_of(book))}


def _state(api: Any) -> dict[str, Any]:
    return api.__dict__.setdefault("_drive_changes", {"log": [], "seen": {}, "expired_below": 0})


def _sync(api: Any) -> list[dict[str, Any]]:
    """Add an entry for every file whose version moved since the log last looked."""
    state = _state(api)
    stamp = datetime.fromtimestamp(api.clock.now, timezone.utc).isoformat(timespec="milliseconds")
    for sid, book in api.spreadsheets.items():  # Drive's feed lags as its version does
        shown = api.drive_version(book, answer=False)
        if state["seen"].get(sid) != shown:
            state["seen"][sid] = shown
            state["log"].append({"fileId": sid, "time": stamp.replace("+00:00", "Z")})
    return state["log"]


def expire_tokens(api: Any) -> None:
    """Every page token issued so far answers 400 from now on."""
    state = _state(api)
    log = _sync(api)
    log.append({"fileId": None, "time": ""})  # a position no one sees, so the next token is a new one
    state["expired_below"] = len(log) + 1


def changes_of(api: Any, sid: str) -> int:
    """How many change entries the log holds for a file (for tests)."""
    return sum(1 for e in _sync(api) if e["fileId"] == sid)


def start_page_token(api: Any) -> dict[str, Any]:
    return {"kind": "drive#startPageToken", "startPageToken": str(len(_sync(api)) + 1)}


def list_changes(api: Any, query: dict[str, list[str]], user: str) -> dict[str, Any]:
    log = _sync(api)
    token = query["pageToken"][0]
    if not token.isdigit() or not _state(api)["expired_below"] <= int(token) <= len(log) + 1 or int(token) < 1:
        raise DriveError(400, "Invalid Value", "invalid", "pageToken")
    size = int(query.get("pageSize", ["100"])[0])
    if not 1 <= size <= 1000:
        raise DriveError(400, f"Invalid value '{size}'. Values must be within the range: [1, 1000]", "invalidParameter",
                         "pageSize")
    changes: list[dict[str, Any]] = []
    position = int(token)
    while position <= len(log) and len(changes) < size:
        entry = log[position - 1]
        book = api.spreadsheets.get(entry["fileId"])
        # feed_lists_shared False: the feed of a service account lists only files it owns (none)
        if book is not None and book.can_read(user) and (getattr(api, "feed_lists_shared", True) or book.owner == user):
            changes.append({"kind": "drive#change", "changeType": "file", "type": "file", "time": entry["time"],
                            "removed": False, "fileId": book.spreadsheet_id, "file": file_resource(api, book, user)})
        position += 1
    page: dict[str, Any] = {"kind": "drive#changeList", "changes": changes}
    if position <= len(log):
        page["nextPageToken"] = str(position)
    else:
        page["newStartPageToken"] = str(len(log) + 1)
    return page


# --- permissions.list: who the file is shared with ------------------------------------------------


def list_permissions(api: Any, params: dict[str, str], query: dict[str, list[str]], user: str) -> dict[str, Any]:
    """Drive v3 ``permissions.list`` of a spreadsheet: one ``user`` permission per person it is
    shared with (owner, editors as ``writer``, viewers as ``reader`` unless ``book.roles`` names
    another role such as ``commenter``), ``displayName`` as the person is named now
    (``book.names``, else the e-mail's local part), ``deleted`` for the accounts in
    ``book.deleted_accounts``. Without ``pageSize`` a My Drive file answers the whole list (as
    documented); page tokens are offsets here (Drive's are opaque)."""
    from tests.fake_sheets_comments import display_name

    book = api.spreadsheets.get(params["fileId"])
    if book is None or not book.can_read(user):
        raise DriveError(404, f"File not found: {params['fileId']}.", "notFound", "fileId")
    people = [(book.owner, "owner")] + [(e, "writer") for e in sorted(book.editors - {book.owner})]
    people += [(e, "reader") for e in sorted(book.viewers - book.editors - {book.owner})]
    roles, deleted = book.__dict__.get("roles", {}), book.__dict__.get("deleted_accounts", set())
    permissions = [{"kind": "drive#permission", "id": str(zlib.crc32(email.encode())), "type": "user",
                    "emailAddress": email, "displayName": display_name(book, email),
                    "role": roles.get(email, role), "deleted": email in deleted} for email, role in people]
    size = len(permissions) or 1
    if "pageSize" in query:
        size = int(query["pageSize"][0])
        if size < 1:
            raise DriveError(400, f"Invalid value '{size}'. Values must be within the range: [1, 100]",
                             "invalidParameter", "pageSize")
        size = min(size, 100)
    start = query.get("pageToken", ["0"])[0]
    if not start.isdigit() or int(start) > len(permissions):
        raise DriveError(400, "Invalid Value", "invalid", "pageToken")
    page = permissions[int(start):int(start) + size]
    answer: dict[str, Any] = {"kind": "drive#permissionList", "permissions": page}
    if int(start) + size < len(permissions):
        answer["nextPageToken"] = str(int(start) + size)
    return answer


# --- what `satudata doctor --uji-langsung` uses: a scratch file, its sharing, Drive comments --------


def parents_of(book: Spreadsheet) -> list[str]:
    return book.__dict__.setdefault("parents", ["1FolderSatuData"])


def create_file(api: Any, body: dict[str, Any], user: str) -> dict[str, Any]:
    """Drive v3 ``files.create`` of an empty Google Sheets file (metadata only). A service account has no
    Drive storage of its own: with ``api.service_account_may_create`` False it is refused as Drive does
    (403 storageQuotaExceeded); else the file is made in the folder named, the folder's owner owning it."""
    if body.get("mimeType") != MIME:
        raise DriveError(400, "fake Drive: only Google Sheets files are modelled", "invalid", "mimeType")
    if user == api.service_account and not getattr(api, "service_account_may_create", True):
        raise DriveError(403, "Service Accounts do not have storage quota. Leverage shared drives, or use OAuth "
                              "delegation instead.", "storageQuotaExceeded")
    sid = f"1Uji{len(api.spreadsheets) + len(api.__dict__.get('trashed', {})) + 1:04d}"
    book = api.create_spreadsheet(sid, title=body.get("name", "Untitled spreadsheet"), editors={user})
    book.__dict__["parents"] = list(body.get("parents") or ["root"])
    api.touch(sid)
    return {"kind": "drive#file", "id": sid, "name": book.title, "mimeType": MIME}


def update_file(api: Any, params: dict[str, str], body: dict[str, Any], user: str) -> dict[str, Any]:
    """``files.update`` with ``{"trashed": true}`` moves the file to the trash (it leaves the fake)."""
    book = api.spreadsheets.get(params["fileId"])
    if book is None or not book.can_edit(user):
        raise DriveError(404, f"File not found: {params['fileId']}.", "notFound", "fileId")
    if body.get("trashed"):
        api.__dict__.setdefault("trashed", {})[book.spreadsheet_id] = api.spreadsheets.pop(book.spreadsheet_id)
    return {"kind": "drive#file", "id": book.spreadsheet_id, "name": book.title, "mimeType": MIME,
            "trashed": bool(body.get("trashed"))}


def create_permission(api: Any, params: dict[str, str], body: dict[str, Any], user: str) -> dict[str, Any]:
    book = api.spreadsheets.get(params["fileId"])
    if book is None or not book.can_edit(user):
        raise DriveError(404, f"File not found: {params['fileId']}.", "notFound", "fileId")
    email = body.get("emailAddress", "")
    if body.get("type") != "user" or "@" not in email:
        raise DriveError(400, "fake Drive: only user permissions are modelled", "invalid", "type")
    (book.editors if body.get("role") == "writer" else book.viewers).add(email)
    return {"kind": "drive#permission", "id": str(zlib.crc32(email.encode())), "type": "user", "role": body["role"]}


def list_comments(api: Any, params: dict[str, str], query: dict[str, list[str]], user: str) -> dict[str, Any]:
    """Drive v3 ``comments.list``: the file's comment threads (the Sheets threads, as Drive shows them),
    those modified since ``startModifiedTime``; Drive requires a ``fields`` mask here."""
    from tests.fake_sheets_comments import threads_of

    book = api.spreadsheets.get(params["fileId"])
    if book is None or not book.can_read(user):
        raise DriveError(404, f"File not found: {params['fileId']}.", "notFound", "fileId")
    if "fields" not in query:
        raise DriveError(400, "The 'fields' parameter is required for this method.", "required", "fields")
    since = query.get("startModifiedTime", [""])[0]
    out = []
    for thread in threads_of(book):
        posts = [thread["headPost"], *thread["replies"]]
        modified = max(p["updateTime"] for p in posts)
        if since and modified <= since:
            continue
        out.append({"kind": "drive#comment", "id": thread["commentId"], "createdTime": thread["headPost"]["createTime"],
                    "modifiedTime": modified, "resolved": thread["status"] == "RESOLVED",
                    "content": thread["headPost"]["content"],
                    "author": {"kind": "drive#user", "displayName": thread["headPost"]["author"]["displayName"],
                               "me": thread["headPost"]["authorEmail"] == user}})
    return {"kind": "drive#commentList", "comments": out}
