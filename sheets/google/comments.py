"""Comment threads and revision editors for GoogleBackend (DECISIONS.md #11, #13).

The schemas come from the Sheets v4 discovery document shipped with google-api-python-client
(revision 20261019): ``spreadsheets.get?commentsViewMode=COMMENTS_VIEW_MODE_INCLUDED`` answers
``comments[]`` (CommentThread: commentId, anchorId, status, headPost, replies; a Post's author is a
PostAuthor with displayName and ``me``, no e-mail) and ``sheets[].commentAnchors[]`` (anchorId, range);
``spreadsheets.batchUpdate`` takes insertComment / addCommentReply and answers ``commentUpdateState``.
Drive v3 ``revisions.list`` names the editors of each revision (Drive quota, not Sheets').

Comment writes go in their own ``spreadsheets.batchUpdate`` (the second write of a cycle), so a
comment that cannot be saved never blocks the cell writes; it is planned again from the next read.
"""
from __future__ import annotations

import logging
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


def revision_editors(backend: Any, sid: str) -> tuple[tuple[str, ...], str]:
    """Editors of the revisions since the last one this backend saw ("Name <e-mail>"), and how
    that is known. On a fresh start only the latest revision is known to be new."""
    seen = backend.revision_seen
    revisions: list[dict[str, Any]] = []
    token = None
    try:
        for _ in range(50):  # at most 50,000 revisions read per cycle
            params = {"fields": REVISION_FIELDS, "pageSize": "1000", **({"pageToken": token} if token else {})}
            page = backend.call("drive", "GET", f"{DRIVE_URL}/{quote(sid, safe='')}/revisions",
                                 f"Drive revisions.list {sid}", params=params)
            revisions += page.get("revisions", [])
            token = page.get("nextPageToken")
            if not token:
                break
    except GoogleError as exc:  # the audit then says it could not tell; the cycle goes on
        log.warning("riwayat revisi %s tidak dapat dibaca: %s", sid, exc)
        return (), "riwayat revisi Google Drive tidak dapat dibaca pada siklus ini"
    if not revisions:
        return (), "riwayat revisi Google Drive kosong"
    ids = [r.get("id") for r in revisions]
    last = seen.get(sid)
    if last in ids:
        new, basis = revisions[ids.index(last) + 1:], "penyunting dalam riwayat revisi Google Drive sejak siklus lalu"
    else:
        new, basis = revisions[-1:], ("penyunting revisi terakhir di Google Drive (poller baru mulai; revisi "
                                      "sebelumnya tidak diperiksa)")
    seen[sid] = ids[-1]
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


def send(backend: Any, sid: str, batches: list[Any]) -> bool:
    """One spreadsheets.batchUpdate with every comment change of these tabs; True when Google
    saved them all (commentUpdateState ALL_SAVED). A failure is logged and planned again."""
    requests = [r for b in batches for r in requests_for(backend.sheet_id(b.opd), b.comments)]
    if not requests:
        return True
    try:
        # a comment is not idempotent (a lost answer would post it twice): retried only when surely not run
        reply = backend.call("write", "POST", f"{SHEETS_URL}/{quote(sid, safe='')}:batchUpdate",
                              f"komentar di {sid}", body={"requests": requests}, idempotent=False)
    except GoogleError as exc:
        log.warning("Komentar di %s belum tersimpan (%s); dicoba lagi pada siklus berikutnya", sid, exc)
        return False
    state = reply.get("commentUpdateState")
    if state != "ALL_SAVED":
        log.warning("Komentar di %s belum tersimpan (commentUpdateState %s); dicoba lagi pada siklus berikutnya",
                    sid, state)
        return False
    return True
