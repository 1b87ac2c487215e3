"""Comment threads and revision editors for GoogleBackend (DECISIONS.md #11, #13).

The schemas come from the Sheets v4 discovery document shipped with google-api-python-client
(revision 20261019): ``spreadsheets.get?commentsViewMode=COMMENTS_VIEW_MODE_INCLUDED`` answers
``comments[]`` (CommentThread: commentId, anchorId, status, headPost, replies; a Post's author is a
PostAuthor with displayName and ``me``, no e-mail) and ``sheets[].commentAnchors[]`` (anchorId, range);
``spreadsheets.batchUpdate`` takes insertComment / addCommentReply and answers ``commentUpdateState``.
Drive v3 ``revisions.list`` names the editors of each revision (Drive quota, not Sheets').

Comment writes go in their own ``spreadsheets.batchUpdate`` (the second write of a cycle), so a
comment that cannot be saved never blocks the cell writes. A spreadsheet whose comment write failed
is not read again for it at once: the next try comes after 1, 2, 4 ... cycles (at most an hour),
when the spreadsheet is read and its comments planned again; meanwhile cycles stay idle. The
failure is kept in the workspace (status-google.json, ``komentar``) for /kesehatan and doctor.

Revision editors are listed from the page holding the last revision seen (kept in the same file),
so a busy read costs one revisions.list however long the file's history grows.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from ..base import CellComment, CommentWrite, GoogleTrail, TabSnapshot
from .protect import RANGE_FIELDS
from .bodies import READ_FIELDS
from .retry import GoogleError

log = logging.getLogger(__name__)

DRIVE_URL = "https://www.googleapis.com/drive/v3/files"
SHEETS_URL = "https://sheets.googleapis.com/v4/spreadsheets"
_POST = "postId,content,commentAction,assigneeEmail,deleted,author(displayName,me)"
COMMENT_FIELDS = f"comments(commentId,anchorId,status,headPost({_POST}),replies({_POST}))"
REVISION_FIELDS = "nextPageToken,revisions(id,modifiedTime,lastModifyingUser(displayName,emailAddress))"
MAX_TEXT = 2000  # Google allows 2048 UTF-8 code units per post


def read_params() -> list[tuple[str, str]]:
    """The one spreadsheets.get of a busy cycle, with comments, their anchors and protected ranges."""
    # the protected ranges whole, so google_protect compares them with the config at no extra request
    fields = READ_FIELDS.replace("sheets(", f"sheets(commentAnchors(anchorId,range),{RANGE_FIELDS},", 1)
    # no includeGridData: Google ignores it when a fields mask is given
    return [("fields", f"{fields},{COMMENT_FIELDS}"),
            ("commentsViewMode", "COMMENTS_VIEW_MODE_INCLUDED")]


def _post(post: dict[str, Any]) -> tuple[str, str, bool]:
    author = post.get("author") or {}
    return author.get("displayName", ""), "" if post.get("deleted") else post.get("content", ""), bool(author.get("me"))


def threads(sheet: dict[str, Any], comments: list[dict[str, Any]]) -> tuple[CellComment, ...]:
    """The threads anchored on this tab, each on the top-left cell of its anchor range."""
    anchors = {a.get("anchorId"): a.get("range", {}) for a in sheet.get("commentAnchors", [])}
    out = []
    for thread in comments:
        rng = anchors.get(thread.get("anchorId"))
        if rng is None:
            continue
        author, text, mine = _post(thread.get("headPost") or {})
        out.append(CellComment(
            comment_id=thread.get("commentId", ""), row=rng.get("startRowIndex", 0), col=rng.get("startColumnIndex", 0),
            text=text, author=author, status=thread.get("status", "OPEN"), mine=mine,
            replies=tuple(_post(p) for p in thread.get("replies", [])),
            assignee=(thread.get("headPost") or {}).get("assigneeEmail", "")))
    return tuple(out)


def walidata_guarded(sheet: dict[str, Any], operators: tuple[str, ...]) -> bool:
    """A protected range the OPD's operators cannot edit exists (the template protects the
    Walidata and system columns so), so a Walidata column edit came from the Walidata."""
    ops = {o.casefold() for o in operators}
    ranges = sheet.get("protectedRanges", [])
    return bool(ops) and any(not ops & {u.casefold() for u in (p.get("editors") or {}).get("users", [])}
                             for p in ranges)


def attach(snapshot: TabSnapshot, sheet: dict[str, Any], comments: list[dict[str, Any]],
           operators: tuple[str, ...], editors: tuple[tuple[str, ...], str]) -> None:
    snapshot.comments = threads(sheet, comments)
    snapshot.protected = walidata_guarded(sheet, operators)
    snapshot.trail = GoogleTrail(*editors)


# --- who edited: Drive revisions ----------------------------------------------------------------


def _revisions(backend: Any, sid: str, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """The revisions from the page ``token`` names on, and the token of the last page listed."""
    revisions: list[dict[str, Any]] = []
    last_page = token
    for _ in range(50):  # at most 50,000 revisions read per cycle
        params = {"fields": REVISION_FIELDS, "pageSize": "1000", **({"pageToken": token} if token else {})}
        page = backend.call("drive", "GET", f"{DRIVE_URL}/{quote(sid, safe='')}/revisions",
                             f"Drive revisions.list {sid}", params=params)
        revisions += page.get("revisions", [])
        last_page, token = token, page.get("nextPageToken")
        if not token:
            break
    return revisions, last_page


def revision_editors(backend: Any, sid: str) -> tuple[tuple[str, ...], str]:
    """Editors of the revisions since the last one this backend saw ("Name <e-mail>"), and how
    that is known. On a fresh start only the latest revision is known to be new."""
    seen = backend.ledger.section("revisi")
    mark = seen.get(sid) if isinstance(seen.get(sid), dict) else {}
    try:
        try:
            revisions, page = _revisions(backend, sid, mark.get("halaman"))
        except GoogleError as exc:
            if not mark.get("halaman") or exc.status not in (400, 404, 410):
                raise
            revisions, page = [], None  # the page token no longer holds: list from the start
        if mark.get("halaman") and mark.get("id") not in [r.get("id") for r in revisions]:
            revisions, page = _revisions(backend, sid, None)
    except GoogleError as exc:  # the audit then says it could not tell; the cycle goes on
        log.warning("riwayat revisi %s tidak dapat dibaca: %s", sid, exc)
        return (), "riwayat revisi Google Drive tidak dapat dibaca pada siklus ini"
    if not revisions:
        return (), "riwayat revisi Google Drive kosong"
    ids = [r.get("id") for r in revisions]
    last = mark.get("id")
    if last in ids:
        new, basis = revisions[ids.index(last) + 1:], "penyunting dalam riwayat revisi Google Drive sejak siklus lalu"
    else:
        new, basis = revisions[-1:], ("penyunting revisi terakhir di Google Drive (poller baru mulai; revisi "
                                      "sebelumnya tidak diperiksa)")
    seen[sid] = {"id": ids[-1], "halaman": page}
    mine = (backend.service_account or "").casefold()
    names = []
    for rev in new:
        user = rev.get("lastModifyingUser") or {}
        email = user.get("emailAddress", "")
        if email and email.casefold() == mine:
            continue
        name = user.get("displayName") or email or "pengguna tanpa nama"
        names.append(f"{name} <{email}>" if email and email != name else name)
    return tuple(dict.fromkeys(names)), basis


# --- writing: the poller's own threads ------------------------------------------------------------


def _clip(text: str) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= MAX_TEXT else data[:MAX_TEXT].decode("utf-8", "ignore") + "…"


def requests_for(sheet_id: int, writes: list[CommentWrite]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for w in writes:
        if w.action == "open":
            body: dict[str, Any] = {"coordinate": {"sheetId": sheet_id, "rowIndex": w.row, "columnIndex": w.col},
                                    "content": _clip(w.text)}
            if w.assignee:
                body["assigneeEmailAddress"] = w.assignee
            out.append({"insertComment": body})
        else:
            action = {"reply": "NO_COMMENT_ACTION_CHANGE", "resolve": "RESOLVE", "reopen": "REOPEN"}[w.action]
            post = {"content": _clip(w.text), "commentAction": action}
            out.append({"addCommentReply": {"commentId": w.comment_id, "post": post}})
    return out


def new_comments(backend: Any, sid: str) -> bool:
    """Where a comment does not move Drive's version (measured by `doctor --uji-langsung`): a comment
    changed since the last one seen (Drive comments.list from a ``modifiedTime`` watermark kept in
    status-google.json). The first look at a spreadsheet with comments counts as new."""
    marks = backend.ledger.section("komentar_tanda")
    since = marks.get(sid)
    params = {"fields": "nextPageToken,comments(id,modifiedTime)", "pageSize": "100", "includeDeleted": "true"}
    if since:
        params["startModifiedTime"] = since
    latest, token = since, None
    try:
        for _ in range(20):
            page = backend.call("drive", "GET", f"{DRIVE_URL}/{quote(sid, safe='')}/comments",
                                 f"Drive comments.list {sid}", params={**params, **({"pageToken": token} if token else {})})
            times = [c.get("modifiedTime", "") for c in page.get("comments", []) if c.get("modifiedTime", "") > (since or "")]
            latest = max([latest or "", *times]) or None
            token = page.get("nextPageToken")
            if not token:
                break
    except GoogleError as exc:  # unsure: read the spreadsheet (one Sheets read) rather than miss a comment
        log.warning("komentar %s tidak dapat didaftar: %s", sid, exc)
        return True
    marks[sid] = latest or "1970-01-01T00:00:00.000Z"
    return latest is not None and latest != since


def backing_off(backend: Any, sid: str) -> bool:
    """A comment write failed here and its next try is not due yet: comments are not sent."""
    state = backend.ledger.section("komentar").get(sid)
    return isinstance(state, dict) and backend.budget.clock() < state.get("coba_lagi", 0)


def retry_due(backend: Any, sid: str) -> bool:
    """The next try of a failed comment write is due: the spreadsheet is read to plan it again."""
    state = backend.ledger.section("komentar").get(sid)
    return isinstance(state, dict) and backend.budget.clock() >= state.get("coba_lagi", 0)


def _failed(backend: Any, sid: str, why: str) -> None:
    """1, 2, 4 ... cycles until the next try, at most an hour; logged at each try, not each cycle."""
    failures = backend.ledger.section("komentar")
    state = failures.get(sid) if isinstance(failures.get(sid), dict) else {}
    count = int(state.get("gagal", 0)) + 1
    interval = max(1, backend.interval_seconds)
    cycles = min(2 ** (count - 1), max(1, 3600 // interval))
    now = backend.budget.clock()
    failures[sid] = {"gagal": count, "alasan": why[:300], "jeda_siklus": cycles,
                     "sejak": state.get("sejak") or datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="seconds"),
                     "coba_lagi": now + cycles * interval - interval / 2}
    log.warning("Komentar di %s belum tersimpan (%s); dicoba lagi setelah %s siklus", sid, why, cycles)


def send(backend: Any, sid: str, batches: list[Any]) -> bool:
    """One spreadsheets.batchUpdate with every comment change of these tabs; True when Google
    saved them all (commentUpdateState ALL_SAVED). A failure backs off (``_failed``)."""
    requests = [r for b in batches for r in requests_for(backend.sheet_id(b.opd), b.comments)]
    if not requests:
        return True
    try:
        # a comment is not idempotent (a lost answer would post it twice): retried only when surely not run
        reply = backend.call("write", "POST", f"{SHEETS_URL}/{quote(sid, safe='')}:batchUpdate",
                              f"komentar di {sid}", body={"requests": requests}, idempotent=False)
    except GoogleError as exc:
        _failed(backend, sid, str(exc))
        return False
    state = reply.get("commentUpdateState")
    if state != "ALL_SAVED":
        _failed(backend, sid, f"commentUpdateState {state}")
        return False
    backend.ledger.section("komentar").pop(sid, None)
    return True
