"""Comment threads and Drive revisions for tests/fake_sheets_api.py (DECISIONS.md #11, #13).

Modelled after the Sheets v4 discovery document shipped with google-api-python-client
(revision 20261019: InsertCommentRequest, AddCommentReplyRequest, UpdateCommentPostRequest,
DeleteCommentRequest, DeleteCommentReplyRequest, CommentThread, CommentAnchor, Post, PostAuthor,
BatchUpdateSpreadsheetResponse.commentUpdateState, spreadsheets.get?commentsViewMode) and Drive v3
``revisions.list``. Request bodies are validated against those schemas by the fake's discovery
check; this module adds the rules the schema descriptions state (content non-empty and at most
2048 UTF-8 code units, only a post's author may update or delete it, no assignee on a reply to an
unassigned thread or with RESOLVE/REOPEN).

What it assumes where the documents are silent: a comment bumps the Drive ``version`` (Drive
documents ``version`` as reflecting every change to the file) but creates no revision; each edit
of cells by a person is one revision (Google merges nearby edits; tests see no merging); an
assignee must be able to open the spreadsheet; a post's ``author.displayName`` is the person's
name (``Spreadsheet.names``, else the e-mail's local part) and PostAuthor carries no e-mail.
"""
from __future__ import annotations

import copy
import zlib
from datetime import datetime, timezone
from typing import Any

from tests.fake_sheets_grid import ApiError, Spreadsheet, bad

MAX_UNITS = 2048


def _threads(book: Spreadsheet) -> list[dict[str, Any]]:
    if "threads" not in book.__dict__:
        book.__dict__["threads"] = []
    return book.__dict__["threads"]


def revisions(book: Spreadsheet) -> list[dict[str, Any]]:
    if "revisions" not in book.__dict__:
        book.__dict__["revisions"] = []
    return book.__dict__["revisions"]


def display_name(book: Spreadsheet, email: str) -> str:
    return book.__dict__.get("names", {}).get(email) or email.split("@")[0]


def _stamp(api: Any) -> str:
    return datetime.fromtimestamp(api.clock.now, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- Drive revisions ------------------------------------------------------------------------------

COMMENT_KINDS = frozenset({"insertComment", "addCommentReply", "updateCommentPost", "deleteComment",
                           "deleteCommentReply"})


def versions(api: Any) -> dict[str, int]:
    return {sid: book.version for sid, book in api.spreadsheets.items()}


def after_request(api: Any, before: dict[str, int], user: str, body: Any) -> None:
    """A person's (or the poller's) edit of cells is a Drive revision by them."""
    kinds = {k for r in (body or {}).get("requests", []) if isinstance(r, dict) for k in r}
    if kinds and kinds <= COMMENT_KINDS:
        return
    for sid, book in api.spreadsheets.items():
        if book.version != before.get(sid, book.version):
            revs = revisions(book)
            revs.append({"kind": "drive#revision", "id": str(len(revs) + 1), "mimeType":
                         "application/vnd.google-apps.spreadsheet", "modifiedTime": _stamp(api),
                         "lastModifyingUser": {"kind": "drive#user", "displayName": display_name(book, user),
                                               "emailAddress": user, "me": False}})


def list_revisions(api: Any, params: dict[str, str], query: dict[str, list[str]], user: str) -> dict[str, Any]:
    book = api.spreadsheets.get(params["fileId"])
    if book is None or not book.can_read(user):
        raise ApiError(404, f"File not found: {params['fileId']}.", "NOT_FOUND")
    size = int(query.get("pageSize", ["200"])[0])
    if not 1 <= size <= 1000:
        raise bad("Invalid value for pageSize: must be between 1 and 1000")
    start = int(query.get("pageToken", ["0"])[0] or 0)
    revs = copy.deepcopy(revisions(book)[start:start + size])
    for rev in revs:
        rev["lastModifyingUser"]["me"] = rev["lastModifyingUser"]["emailAddress"] == user
    answer: dict[str, Any] = {"kind": "drive#revisionList", "revisions": revs}
    if start + size < len(revisions(book)):
        answer["nextPageToken"] = str(start + size)
    return answer


# --- reading comments -------------------------------------------------------------------------------


def _post_out(post: dict[str, Any], user: str) -> dict[str, Any]:
    out = {k: v for k, v in post.items() if k != "authorEmail"}
    out["author"] = {**post["author"], "me": post["authorEmail"] == user}
    return out


def include(book: Spreadsheet, query: dict[str, list[str]], answer: dict[str, Any], user: str) -> None:
    """spreadsheets.get with commentsViewMode=COMMENTS_VIEW_MODE_INCLUDED (the default omits them)."""
    mode = query.get("commentsViewMode", ["COMMENTS_VIEW_MODE_OMITTED"])[0]
    if mode not in ("COMMENTS_VIEW_MODE_INCLUDED", "COMMENTS_VIEW_MODE_DEFAULT_FOR_CURRENT_ACCESS"):
        return
    if mode == "COMMENTS_VIEW_MODE_DEFAULT_FOR_CURRENT_ACCESS" and not book.can_edit(user):
        return
    if not book.can_read(user):
        raise ApiError(403, "The caller does not have permission to view comments", "PERMISSION_DENIED")
    shown = {s["properties"].get("sheetId", 0) for s in answer.get("sheets", [])}
    threads = [t for t in _threads(book) if t["sheetId"] in shown]
    answer["comments"] = [{"commentId": t["commentId"], "anchorId": t["anchorId"], "status": t["status"],
                           "headPost": _post_out(t["headPost"], user),
                           "replies": [_post_out(p, user) for p in t["replies"]]} for t in threads]
    for sheet in answer.get("sheets", []):
        sid = sheet["properties"].get("sheetId", 0)
        anchors = [{"anchorId": t["anchorId"], "range": t["range"]} for t in threads if t["sheetId"] == sid]
        if anchors:
            sheet["commentAnchors"] = anchors


# --- batchUpdate: comment requests ------------------------------------------------------------------


def batch_update(api: Any, book: Spreadsheet, body: dict[str, Any], user: str, apply: Any) -> dict[str, Any]:
    """Run ``apply`` (tests.fake_sheets_edits.batch_update) with the comment handlers, and answer
    commentUpdateState; ``api.comment_failures`` > 0 makes that many batches' comments fail."""
    kinds = [k for r in body.get("requests", []) if isinstance(r, dict) for k in r]
    asked = any(k in COMMENT_KINDS for k in kinds)
    if "insertComment" in kinds and user == api.service_account and not getattr(api, "service_account_may_comment", True):
        # the wording is the fake's: what Google answers is what `doctor --uji-langsung` records
        raise ApiError(403, "The caller does not have permission to comment on this spreadsheet.", "PERMISSION_DENIED")
    failing = asked and getattr(api, "comment_failures", 0) > 0
    if failing:
        api.comment_failures -= 1
    book.__dict__["comment_clock"] = _stamp(api)
    book.__dict__["comments_fail"] = failing
    try:
        answer = apply(book, body, user)
    finally:
        book.__dict__.pop("comments_fail", None)
    answer["commentUpdateState"] = ("NO_UPDATES_REQUESTED" if not asked else
                                    "ALL_FAILED_UNKNOWN_REASON" if failing else "ALL_SAVED")
    if asked and not failing and getattr(api, "comments_move_version", True):
        book.version += 1
    return answer


def _units(text: str, where: str, required: bool = True) -> None:
    if required and not text:
        raise bad(f"Invalid {where}: content cannot be empty")
    if len(text.encode("utf-8")) > MAX_UNITS:
        raise bad(f"Invalid {where}: content must not exceed {MAX_UNITS} UTF-8 code units")


def _post(book: Spreadsheet, user: str, content: str, **extra: Any) -> dict[str, Any]:
    n = book.__dict__.get("next_post", 1)
    book.__dict__["next_post"] = n + 1
    stamp = book.__dict__.get("comment_clock", "2025-01-01T00:00:00.000Z")
    post = {"postId": f"post-{n}", "content": content, "contentHtml": content, "createTime": stamp,
            "updateTime": stamp, "author": {"displayName": display_name(book, user), "user": f"users/{zlib.crc32(user.encode())}",
                                            "anonymous": False}, "authorEmail": user}
    post.update({k: v for k, v in extra.items() if v})
    return post


def _thread(book: Spreadsheet, comment_id: str | None, where: str) -> dict[str, Any]:
    if not comment_id:
        raise bad(f"Invalid {where}: commentId is required")
    found = next((t for t in _threads(book) if t["commentId"] == comment_id), None)
    if found is None:
        raise bad(f"Invalid {where}: No comment with id: {comment_id}")
    return found


def _insert_comment(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> dict[str, Any] | None:
    coordinate = args.get("coordinate")
    if not coordinate:
        raise bad(f"Invalid {where}: coordinate is required")
    sheet = book.by_id(coordinate.get("sheetId", 0), where)
    row, col = coordinate.get("rowIndex", 0), coordinate.get("columnIndex", 0)
    if not (0 <= row < sheet.rows and 0 <= col < sheet.cols):
        raise bad(f"Invalid {where}: coordinate is outside the grid")
    content = args.get("content", "")
    _units(content, where)
    assignee = args.get("assigneeEmailAddress", "")
    if assignee:
        _units(assignee, f"{where}.assigneeEmailAddress")
        if "@" not in assignee or not book.can_read(assignee):
            raise bad(f"Invalid {where}: the assignee {assignee} cannot open this spreadsheet")
    if book.__dict__.get("comments_fail"):
        return {}
    n = len(_threads(book)) + 1
    thread = {"commentId": f"AAAA{n:04d}", "anchorId": f"anchor-{n}", "status": "OPEN", "sheetId": sheet.sheet_id,
              "range": {"sheetId": sheet.sheet_id, "startRowIndex": row, "endRowIndex": row + 1,
                        "startColumnIndex": col, "endColumnIndex": col + 1} if sheet.sheet_id else
              {"startRowIndex": row, "endRowIndex": row + 1, "startColumnIndex": col, "endColumnIndex": col + 1},
              "headPost": _post(book, user, content, assigneeEmail=assignee), "replies": []}
    _threads(book).append(thread)
    return {"insertComment": {"commentThread": {k: thread[k] for k in ("commentId", "anchorId", "status")}}}


def _add_reply(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> dict[str, Any] | None:
    thread = _thread(book, args.get("commentId"), where)
    post = args.get("post") or {}
    action = post.get("commentAction", "NO_COMMENT_ACTION_CHANGE")
    _units(post.get("content", ""), f"{where}.post", required=action not in ("RESOLVE", "REOPEN"))
    if post.get("assigneeEmail") and (action in ("RESOLVE", "REOPEN") or not thread["headPost"].get("assigneeEmail")):
        raise bad(f"Invalid {where}.post: assigneeEmail is not allowed here")
    for name in ("author", "postId", "createTime", "updateTime", "contentHtml", "deleted"):
        if name in post:
            raise bad(f"Invalid {where}.post: {name} is output only")
    if book.__dict__.get("comments_fail"):
        return {}
    reply = _post(book, user, post.get("content", ""), commentAction=action if action != "NO_COMMENT_ACTION_CHANGE"
                  else None, assigneeEmail=post.get("assigneeEmail"))
    thread["replies"].append(reply)
    if action == "RESOLVE":
        thread["status"] = "RESOLVED"
    elif action == "REOPEN":
        thread["status"] = "OPEN"
    return {"addCommentReply": {"post": {k: v for k, v in reply.items() if k != "authorEmail"}}}


def _own_post(book: Spreadsheet, thread: dict[str, Any], post_id: str | None, user: str, where: str) -> dict[str, Any]:
    posts = [thread["headPost"], *thread["replies"]]
    post = next((p for p in posts if p["postId"] == post_id), None)
    if post is None:
        raise bad(f"Invalid {where}: No post with id: {post_id}")
    if post["authorEmail"] != user:
        raise bad(f"Invalid {where}: The requesting user is not the author of the post.")
    return post


def _update_post(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    thread = _thread(book, args.get("commentId"), where)
    post = _own_post(book, thread, args.get("postId"), user, where)
    _units(args.get("content", ""), where)
    if not book.__dict__.get("comments_fail"):
        post["content"] = post["contentHtml"] = args["content"]


def _delete_comment(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    thread = _thread(book, args.get("commentId"), where)
    if thread["headPost"]["authorEmail"] != user:
        raise bad(f"Invalid {where}: The requesting user is not the author of the headPost.")
    if not book.__dict__.get("comments_fail"):
        _threads(book).remove(thread)


def _delete_reply(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    thread = _thread(book, args.get("commentId"), where)
    post = _own_post(book, thread, args.get("postId"), user, where)
    if post is thread["headPost"] or post.get("commentAction") or post.get("assigneeEmail"):
        raise bad(f"Invalid {where}: this post cannot be deleted")
    if not book.__dict__.get("comments_fail"):
        thread["replies"].remove(post)


HANDLERS = {"insertComment": _insert_comment, "addCommentReply": _add_reply, "updateCommentPost": _update_post,
            "deleteComment": _delete_comment, "deleteCommentReply": _delete_reply}


# --- acting as a person (tests) -----------------------------------------------------------------------


def comment_as(client: Any, sid: str, sheet_id: int, row: int, col: int, text: str, assignee: str = "") -> dict:
    """``client`` (a person's gspread client) comments on a cell (0-based) through the API."""
    request: dict[str, Any] = {"coordinate": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": col},
                               "content": text}
    if assignee:
        request["assigneeEmailAddress"] = assignee
    return client.http_client.batch_update(sid, {"requests": [{"insertComment": request}]})


def threads_of(book: Spreadsheet) -> list[dict[str, Any]]:
    """The threads as stored (tests inspect them without a request)."""
    return _threads(book)


def reply_as(client: Any, sid: str, comment_id: str, text: str) -> dict:
    """``client`` (a person's gspread client) replies in a thread through the API."""
    return client.http_client.batch_update(sid, {"requests": [
        {"addCommentReply": {"commentId": comment_id, "post": {"content": text}}}]})
