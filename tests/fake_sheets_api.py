"""An in-process fake of the Google Sheets v4 REST API (and Drive v3 ``files.get``, revisions and the
change feed: tests/fake_sheets_drive.py), mounted as a
``requests`` transport adapter on a gspread client's session. Every other host is refused.

    api = FakeSheetsApi()
    api.create_spreadsheet("sheet-1", editors={api.service_account})
    gc = api.client()                      # the service account; api.client("op@x") is a person
    ...
    api.count("read", user=api.service_account)

Each request is checked against the discovery documents (tests/fake_sheets_discovery.py) and
answered with Google's error body when malformed. Modelled: values as stored, id_ID rendering,
RAW vs USER_ENTERED, notes, protected ranges per user, trailing-empty trimming, sheetId 0 left out,
Google's per-minute quotas on a fake clock (60 reads and 60 writes per user, 300 of each per project,
counted over any 60 seconds, answered with Google's 429 body; ``retry_after`` adds the header), a
per-request ``latency`` that moves the clock, injected failures, whole-row
operations (tests/fake_sheets_rows.py), a Drive ``version`` that can lag behind the content
(``lag_drive``), and the bytes of every request and answer (``Logged.request_bytes``/``response_bytes``;
a body above Google's 10 MiB limit is answered 400 as Google does).
"""
from __future__ import annotations

import copy
import json
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from google.oauth2.credentials import Credentials
from requests.adapters import BaseAdapter

from tests import fake_sheets_comments as comments
from tests import fake_sheets_discovery as discovery
from tests import fake_sheets_drive as drive
from tests import fake_sheets_edits as edits
from tests.fake_sheets_grid import (
    PROTECTED, ApiError, Sheet, Spreadsheet, bad, cell_data, effective, formatted,
)

HOSTS = {"sheets.googleapis.com", "www.googleapis.com"}
# Google's answer to a larger body: 400 INVALID_ARGUMENT "Request payload size exceeds the limit:
# 10485760 bytes." (reported for Sheets v4 batchUpdate and values.update; 413 was the old v3 feeds)
MAX_PAYLOAD = 10_485_760
SERVICE_ACCOUNT = "poller@satudata-magetan.iam.gserviceaccount.com"
OWNER = "pemilik@magetan.go.id"  # made the spreadsheet; owners edit everything


class FakeClock:
    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    sleep = advance  # hand it to RetryPolicy(sleep=...) so waiting moves the quota window


@dataclass
class Logged:
    user: str
    kind: str  # "drive", "read" or "write"
    method: str  # discovery id, e.g. "sheets.spreadsheets.batchUpdate"
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    timeout: Any
    status: int = 0
    request_bytes: int = 0  # the body as sent (0 for a GET)
    response_bytes: int = 0  # the JSON answered: indented unless prettyPrint=false, as Google does


@dataclass
class Failure:
    kind: str | None
    status: int | None  # an HTTP status to answer, or None with ``error``
    error: str | None  # "timeout", "connect-timeout" or "reset"
    times: int
    applied: bool  # the request runs before the failure (a lost answer)
    user: str | None = None


@dataclass
class FakeSheetsApi:
    service_account: str = SERVICE_ACCOUNT
    owner: str = OWNER
    quota: int = 60  # requests per minute per user, for reads and for writes
    project_quota: int = 300  # requests per minute per project (every user of the fake), reads and writes
    quota_enabled: bool = True
    retry_after: float | None = None  # seconds sent in a 429's Retry-After header (Sheets documents none)
    latency: float = 0.0  # seconds each request takes on the fake clock
    # people act through the API here to meet protection as they would in the Sheets UI, which is not
    # the API and spends no quota: only the service account's requests are counted unless this is set
    people_use_quota: bool = False
    # what only a live account can settle (`satudata doctor --uji-langsung`), switchable here
    comments_move_version: bool = True  # a comment moves Drive's version (and so the change feed)
    service_account_may_comment: bool = True  # insertComment by the service account is allowed
    service_account_may_create: bool = True  # Drive files.create by the service account is allowed
    feed_lists_shared: bool = True  # the service account's changes.list lists files shared with it
    clock: FakeClock = field(default_factory=FakeClock)
    spreadsheets: dict[str, Spreadsheet] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    _used: dict = field(default_factory=lambda: defaultdict(deque))  # (user or "*", kind) -> times in the window
    comment_failures: int = 0  # the next n batches with comment requests answer ALL_FAILED_UNKNOWN_REASON
    drive_lag: int | None = 0  # files.get answers the old version for n calls after a change (None: until flushed)

    # --- set-up and inspection (no request, not counted) ---------------------------------------

    def create_spreadsheet(self, sid: str, title: str = "Satu Data Magetan", editors: set[str] | None = None,
                           first_tab: str = "Sheet1", first_id: int = 0) -> Spreadsheet:
        editors = {self.service_account} if editors is None else set(editors)
        book = Spreadsheet(sid, title, self.owner, editors, sheets=[Sheet(first_id, first_tab)])
        self.spreadsheets[sid] = book
        return book

    def sheet(self, sid: str, title: str) -> Sheet:
        return self.spreadsheets[sid].sheet(title)

    def touch(self, sid: str) -> None:
        """Count a change made directly on the model (Drive's version moves)."""
        self.spreadsheets[sid].version += 1

    def lag_drive(self, calls: int | None = None) -> None:
        """From now on Drive's ``version`` lags behind edits: files.get keeps answering the version it
        last showed for ``calls`` calls after each change, or until ``flush_drive()`` (None), while
        spreadsheets.get shows the new content at once (Drive metadata lagging ~3 min is reported)."""
        for book in self.spreadsheets.values():
            book.__dict__["drive_shown"], book.__dict__["drive_stale"] = book.version, 0
        self.drive_lag = calls

    def flush_drive(self) -> None:
        """Drive catches up: the next files.get shows every spreadsheet's current version."""
        for book in self.spreadsheets.values():
            book.__dict__["drive_shown"], book.__dict__["drive_stale"] = book.version, 0

    def drive_version(self, book: Spreadsheet, answer: bool = True) -> int:
        """The version Drive shows now; ``answer`` counts this as one of the lagging answers (a
        change feed that only looks passes False)."""
        shown = book.__dict__.get("drive_shown", book.version)
        stale = book.__dict__.get("drive_stale", 0)
        if shown != book.version and self.drive_lag is not None and stale >= self.drive_lag:
            shown = book.version
        if shown == book.version:
            stale = 0
        elif answer:
            stale += 1
        book.__dict__["drive_shown"], book.__dict__["drive_stale"] = shown, stale
        return shown

    def largest(self, field: str = "request_bytes", user: str | None = None) -> int:
        """The largest request (or answer, ``field="response_bytes"``) body in the log, in bytes."""
        return max((getattr(r, field) for r in self.log if user is None or r.user == user), default=0)

    def traffic(self, since: int = 0, user: str | None = None) -> dict[str, dict[str, int]]:
        """Per kind ("drive", "read", "write"): requests, request bytes and answer bytes of the log
        from index ``since`` on (``len(api.log)`` taken before a cycle gives that cycle's figures)."""
        user = user or self.service_account
        out = {k: {"requests": 0, "request_bytes": 0, "response_bytes": 0} for k in ("drive", "read", "write")}
        for r in self.log[since:]:
            if r.user == user:
                row = out[r.kind]
                row["requests"] += 1
                row["request_bytes"] += r.request_bytes
                row["response_bytes"] += r.response_bytes
        return out

    def client(self, user: str | None = None):
        """A gspread Client acting as ``user`` (the service account by default) through this fake."""
        import gspread

        client = gspread.Client(Credentials(token=f"fake:{user or self.service_account}"))
        adapter = FakeAdapter(self)
        client.http_client.session.mount("https://", adapter)
        client.http_client.session.mount("http://", adapter)
        return client

    def fail(self, kind: str | None = None, status: int | None = 503, times: int = 1, error: str | None = None,
             applied: bool = False, user: str | None = None) -> None:
        """The next ``times`` matching requests of ``user`` (the service account unless told; "*" for
        anyone) fail: with ``status``, or with ``error`` = "timeout", "connect-timeout" or "reset"
        (``applied``: Google ran it and the answer was lost), or with a body of Google's from ``BODIES``:
        "drive-rate-limit" (Drive's 403 userRateLimitExceeded), "drive-project-rate-limit" (403
        rateLimitExceeded), "protected" (Sheets' 400 for a protected cell)."""
        user = None if user == "*" else user or self.service_account
        self.failures.append(Failure(kind, None if error else status, error, times, applied, user))

    def count(self, kind: str | None = None, user: str | None = None, method: str | None = None) -> int:
        return sum(1 for r in self.log if (kind is None or r.kind == kind) and (user is None or r.user == user)
                   and (method is None or r.method.endswith(method)))

    def counts(self, user: str | None = None) -> dict[str, int]:
        user = user or self.service_account
        return {k: self.count(k, user) for k in ("drive", "read", "write")}

    def requests_of(self, user: str | None = None) -> list[Logged]:
        user = user or self.service_account
        return [r for r in self.log if r.user == user]

    # --- one HTTP request -----------------------------------------------------------------------

    def handle(self, request: requests.PreparedRequest, timeout: Any) -> requests.Response:
        url = urlsplit(request.url)
        if url.scheme != "https" or url.hostname not in HOSTS:
            raise requests.ConnectionError(f"fake Google API: refused {url.scheme}://{url.hostname}")
        user = self._user(request)
        kind = "drive" if url.hostname == "www.googleapis.com" else ("read" if request.method == "GET" else "write")
        query = parse_qs(url.query, keep_blank_values=True)
        raw = request.body.encode("utf-8") if isinstance(request.body, str) else (request.body or b"")
        entry = Logged(user or "?", kind, "", {}, query, None, timeout, request_bytes=len(raw))
        self.log.append(entry)
        try:
            method, params = discovery.match(request.method, url.hostname, url.path)
            entry.method, entry.params = method.id, params
            if len(raw) > MAX_PAYLOAD:
                raise ApiError(400, f"Request payload size exceeds the limit: {MAX_PAYLOAD} bytes.")
            body = entry.body = json.loads(raw) if raw else None
            if user is None:
                raise ApiError(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")
            failure = self._failure(kind, user)
            if failure is not None and not failure.applied:
                return self._fail(failure, request, entry)
            self.clock.advance(self.latency)
            self._charge(user, kind)
            discovery.check_query(method, query)
            discovery.check_body(method, body)
            mask = self._mask(method, query)
            before = comments.versions(self)
            answer = apply_and_trim(self._dispatch(method.id, params, query, body or {}, user), mask)
            comments.after_request(self, before, user, body)
            if failure is not None:
                return self._fail(failure, request, entry)
            return _response(request, 200, answer, entry)
        except ApiError as exc:
            body = exc.body()
            if kind == "drive":  # Drive v3 answers the legacy shape: code, message, errors[], no status
                body["error"].pop("status", None)
            response = _response(request, exc.code, body, entry)
            if exc.code == 429 and self.retry_after is not None:
                response.headers["Retry-After"] = str(int(self.retry_after))
            return response

    def _user(self, request: requests.PreparedRequest) -> str | None:
        auth = request.headers.get("Authorization", "")
        return auth[len("Bearer fake:"):] if auth.startswith("Bearer fake:") else None

    def _failure(self, kind: str, user: str) -> Failure | None:
        for failure in self.failures:
            if failure.times > 0 and failure.kind in (None, kind) and failure.user in (None, user):
                failure.times -= 1
                return failure
        return None

    def _fail(self, failure: Failure, request: requests.PreparedRequest, entry: Logged) -> requests.Response:
        if failure.error == "timeout":
            raise requests.ReadTimeout("fake: read timed out")
        if failure.error == "connect-timeout":
            raise requests.ConnectTimeout("fake: connect timed out")
        if failure.error == "reset":
            raise requests.ConnectionError(ConnectionResetError(104, "Connection reset by peer"))
        if failure.error in BODIES:
            status, body = BODIES[failure.error]
            return _response(request, status, copy.deepcopy(body), entry)
        status = failure.status or 503
        names = {500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
                 429: "RESOURCE_EXHAUSTED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
        return _response(request, status, ApiError(status, "The service is currently unavailable." if status >= 500
                                                   else "Injected failure.", names.get(status, "UNKNOWN")).body(),
                         entry)

    def _charge(self, user: str, kind: str) -> None:
        """Count the request in the last 60 seconds, per user and per project; a refused one counts too."""
        if kind == "drive" or not self.quota_enabled or (user != self.service_account and not self.people_use_quota):
            return
        over = None
        for who, limit, scope in ((user, self.quota, "PerMinutePerUser"), ("*", self.project_quota, "PerMinute")):
            window = self._used[who, kind]
            while window and window[0] <= self.clock.now - 60:
                window.popleft()
            window.append(self.clock.now)
            if len(window) > limit and over is None:
                over = (limit, scope)
        if over is not None:
            limit, scope = over
            metric = "Read" if kind == "read" else "Write"
            words = "per minute per user" if scope == "PerMinutePerUser" else "per minute"
            raise ApiError(429, (f"Quota exceeded for quota metric '{metric} requests' and limit '{metric} requests "
                                 f"{words}' of service 'sheets.googleapis.com' for consumer "
                                 f"'project_number:123456789'."), "RESOURCE_EXHAUSTED", [{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {"quota_metric": f"sheets.googleapis.com/{kind}_requests",
                             "quota_limit": f"{metric}Requests{scope}", "quota_limit_value": str(limit),
                             "service": "sheets.googleapis.com", "consumer": "projects/123456789",
                             "quota_location": "global"}},
                {"@type": "type.googleapis.com/google.rpc.Help", "links": [{
                    "description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]}])

    @staticmethod
    def _mask(method: discovery.Method, query: dict[str, list[str]]) -> discovery.Mask | None:
        if "fields" not in query:
            return None
        mask = discovery.parse_mask(query["fields"][0])
        response = method.description.get("response", {}).get("$ref")
        if response:
            discovery.check_mask(mask, response, method.schemas)
        return mask

    def _book(self, sid: str, user: str, edit: bool = False) -> Spreadsheet:
        book = self.spreadsheets.get(sid)
        if book is None:
            raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")
        if not book.can_read(user) or (edit and not book.can_edit(user)):
            raise ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")
        return book

    def _dispatch(self, name: str, params: dict[str, str], query: dict[str, list[str]], body: dict[str, Any],
                  user: str) -> Any:
        one = {k: v[0] for k, v in query.items()}
        if name == "drive.files.get":
            book = self.spreadsheets.get(params["fileId"])
            if book is None or not book.can_read(user):
                raise ApiError(404, f"File not found: {params['fileId']}.", "NOT_FOUND")
            file = {**drive.file_resource(self, book, user), "version": str(self.drive_version(book))}
            return file if "fields" in query else {k: file[k] for k in ("kind", "id", "name", "mimeType")}
        if name == "drive.changes.getStartPageToken":
            return drive.start_page_token(self)
        if name == "drive.changes.list":
            return drive.list_changes(self, query, user)
        if name == "drive.revisions.list":
            return comments.list_revisions(self, params, query, user)
        if name == "drive.files.create":
            return drive.create_file(self, body, user)
        if name == "drive.files.update":
            return drive.update_file(self, params, body, user)
        if name == "drive.permissions.create":
            return drive.create_permission(self, params, body, user)
        if name == "drive.comments.list":
            return drive.list_comments(self, params, query, user)
        if name == "drive.permissions.list":
            return drive.list_permissions(self, params, query, user)
        sid = params["spreadsheetId"]
        if name == "sheets.spreadsheets.get":
            return get_spreadsheet(self._book(sid, user), query, user)
        if name == "sheets.spreadsheets.values.get":
            return edits.read_values(self._book(sid, user), [params["range"]], one)[0]
        if name == "sheets.spreadsheets.values.batchGet":
            ranges = edits.read_values(self._book(sid, user), query.get("ranges", []), one)
            return {"spreadsheetId": sid, "valueRanges": ranges}
        if name in ("sheets.spreadsheets.values.update", "sheets.spreadsheets.values.batchUpdate",
                    "sheets.spreadsheets.batchUpdate"):
            book = self._book(sid, user, edit=True)
            if name == "sheets.spreadsheets.batchUpdate":
                sheets, backup = list(book.sheets), copy.deepcopy(book)  # applied whole or not at all
                try:
                    answer = comments.batch_update(self, book, body, user, edits.batch_update)
                except ApiError:  # roll back in place, so a test's references stay valid
                    for sheet, saved in zip(sheets, backup.sheets):
                        sheet.__dict__.update(saved.__dict__)
                    book.__dict__.update({**backup.__dict__, "sheets": sheets})
                    raise
                if _content(book) != _content(backup):
                    book.version += 1
                return answer
            # values edits are checked whole (ranges, protection) before any cell changes
            if name == "sheets.spreadsheets.values.update":
                answer = edits.update_values(book, [{**body, "range": params["range"]}], one.get("valueInputOption"),
                                             user, single=True)
                changed = answer["updatedCells"]
            else:
                answer = edits.update_values(book, body.get("data", []), body.get("valueInputOption"), user)
                changed = answer["totalUpdatedCells"]
            book.version += 1 if changed else 0
            return answer
        raise ApiError(501, f"fake Google API: {name} is not modelled", "UNIMPLEMENTED")


def _drive_limit(reason: str, message: str) -> tuple[int, dict[str, Any]]:
    """Drive v3's rate-limit answer: 403 with the legacy errors[] list (domain usageLimits), no status."""
    return 403, {"error": {"code": 403, "message": message, "errors": [
        {"message": message, "domain": "usageLimits", "reason": reason,
         "extendedHelp": "https://console.developers.google.com/apis/api/drive.googleapis.com/quotas?project=123456789"}]}}


_USER_LIMIT = ("User Rate Limit Exceeded. Rate of requests for user exceed configured project quota. You may consider "
               "re-evaluating expected per-user traffic to the API and adjust project quota limits accordingly. You "
               "may monitor aggregate quota usage and adjust limits in the API Console: "
               "https://console.developers.google.com/apis/api/drive.googleapis.com/quotas?project=123456789")
# answers for fail(error=...): the shapes Google documents and users report (DECISIONS.md #14)
BODIES: dict[str, tuple[int, dict[str, Any]]] = {
    "drive-rate-limit": _drive_limit("userRateLimitExceeded", _USER_LIMIT),
    "drive-project-rate-limit": _drive_limit("rateLimitExceeded", "Rate Limit Exceeded"),
    "protected": (400, ApiError(400, PROTECTED, "INVALID_ARGUMENT").body()),
}


def _content(book: Spreadsheet) -> Any:
    return [(s.sheet_id, s.title, s.frozen_rows, s.rows, s.cols, s.cells, s.validations, s.protected,
             s.conditional, s.widths) for s in book.sheets]


def get_spreadsheet(book: Spreadsheet, query: dict[str, list[str]], user: str) -> dict[str, Any]:
    grid = query.get("includeGridData", ["false"])[0].lower() == "true" or "fields" in query
    wanted: dict[int, list[tuple[int, int | None, int, int | None]]] = {}
    for text in query.get("ranges", []):
        sheet, r0, r1, c0, c1 = book.resolve(text)
        wanted.setdefault(sheet.sheet_id, []).append((r0, r1, c0, c1))
    sheets = []
    for sheet in book.sheets:
        if wanted and sheet.sheet_id not in wanted:
            continue
        out: dict[str, Any] = {"properties": sheet.properties()}
        if sheet.protected:
            out["protectedRanges"] = [_protection(p, user, book) for p in sheet.protected]
        if sheet.conditional:
            out["conditionalFormats"] = copy.deepcopy(sheet.conditional)
        if grid:
            out["data"] = [_grid_data(sheet, *bounds) for bounds in wanted.get(sheet.sheet_id, [(0, None, 0, None)])]
        sheets.append(out)
    return {"spreadsheetId": book.spreadsheet_id,
            "properties": {"title": book.title, "locale": book.locale, "timeZone": "Asia/Jakarta"},
            "sheets": sheets, "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit",
            **_with_comments(book, query, user, sheets)}


def _with_comments(book: Spreadsheet, query: dict[str, list[str]], user: str, sheets: list) -> dict[str, Any]:
    out: dict[str, Any] = {"sheets": sheets}
    comments.include(book, query, out, user)
    return {k: v for k, v in out.items() if k == "comments"}


def _protection(pr: dict[str, Any], user: str, book: Spreadsheet) -> dict[str, Any]:
    out = copy.deepcopy(pr)
    out["requestingUserCanEdit"] = user == book.owner or user in pr.get("editors", {}).get("users", [])
    return out


def _grid_data(sheet: Sheet, r0: int, r1: int | None, c0: int, c1: int | None) -> dict[str, Any]:
    last_row = max((r for r, _ in sheet.cells), default=-1)
    last_col = max((c for _, c in sheet.cells), default=-1)
    end_row = min(r1 if r1 is not None else sheet.rows, last_row + 1)
    end_col = min(c1 if c1 is not None else sheet.cols, max(last_col + 1, 0))
    rows = [{"values": [cell_data(sheet, r, c) for c in range(c0, end_col)]} for r in range(r0, end_row)]
    block: dict[str, Any] = {"startRow": r0, "startColumn": c0, "rowData": rows}
    return {k: v for k, v in block.items() if v != 0}


def apply_and_trim(answer: Any, mask: discovery.Mask | None) -> Any:
    """Apply a fields mask, then drop what Google leaves out: trailing empty cells and rows."""
    answer = discovery.apply_mask(answer, mask)
    for sheet in answer.get("sheets", []) if isinstance(answer, dict) else []:
        for block in sheet.get("data", []):
            rows = block.get("rowData")
            if rows is None:
                continue
            for row in rows:
                values = row.get("values", [])
                while values and not values[-1]:
                    values.pop()
                if not values:
                    row.pop("values", None)
            while rows and not rows[-1]:
                rows.pop()
            if not rows:
                block.pop("rowData")
    return answer


def _response(request: requests.PreparedRequest, status: int, body: Any, entry: Logged) -> requests.Response:
    entry.status = status
    response = requests.Response()
    response.status_code = status
    response.headers["Content-Type"] = "application/json; charset=UTF-8"
    pretty = entry.query.get("prettyPrint", ["true"])[0].lower() != "false"  # Google's default is pretty
    response._content = (json.dumps(body, indent=2) if pretty else json.dumps(body, separators=(",", ":"))).encode()
    entry.response_bytes = len(response._content)
    response.encoding = "utf-8"
    response.url = request.url
    response.request = request
    response.reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                       413: "Payload Too Large", 429: "Too Many Requests", 503: "Service Unavailable"}.get(status, "Error")
    return response


class FakeAdapter(BaseAdapter):
    def __init__(self, api: FakeSheetsApi) -> None:
        super().__init__()
        self.api = api

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        return self.api.handle(request, timeout)

    def close(self) -> None:
        pass


__all__ = ["FakeSheetsApi", "FakeClock", "ApiError", "bad", "effective", "formatted"]
