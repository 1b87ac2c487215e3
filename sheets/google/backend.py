"""GoogleBackend: one tab per OPD (named ``<KODE>``) in one spreadsheet shared with a service account,
or in an OPD's own spreadsheet. DECISIONS.md #5 and #15 are the budget:

* an idle cycle costs one Drive call (Drive quota) and no Sheets request: ``files.get?fields=version``
  with one spreadsheet, Drive's change feed for all of them with several (google_changes.py); a
  spreadsheet whose version is the token of the last processed read is skipped;
* a busy cycle costs one ``spreadsheets.get`` (every OPD tab, with a lean ``fields`` mask: values,
  formulas without a value, notes, number formats), one ``values.batchGet`` confirming the rows
  about to be written (rows.py) when the write comes later than FRESH_SECONDS after the read, and
  at most one ``spreadsheets.batchUpdate`` for cells and notes
  (``updateCells`` per block of written system cells, google_requests) plus one for comments, per
  spreadsheet, whatever the number of tabs, rows or edits. A body is kept below MAX_REQUEST_BYTES
  (Google advises 2 MB): the first write of a large workspace takes a few; a refused body is
  sent again per tab, so one tab's fault never blocks another's;
* before writing, the Drive version is asked again (Drive quota): Google has no lock file, so a
  spreadsheet edited after it was read is not written; the next cycle reads it again and writes
  then. Drive's version can lag, so row identity is confirmed as well (google_rows);
* a write returns no token: an operator's edit landing between our write and a Drive call made after
  it would share its version and be skipped until the next edit, so the cycle after a write reads
  once more (one Sheets read) and then stays idle;
* the cycle serves the changed spreadsheets one round each, longest-waiting first, within Google's
  per-minute quotas (budget.py); what does not fit is deferred to the next cycle, never refused.

Only ``sheets/`` imports gspread and google-auth; nothing is built at import.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from ..base import OWNED_NOTE_PREFIX, Backend, BackendError, TabResult, TabSnapshot, TabWrites, WriteResult
from .bodies import (
    MAX_REQUEST_BYTES, TITLE_FIELDS, a1_of, a1_title, append_request, body_size, new_sheet_id, note_updates, owned,
    parse_sheet, template_requests, value_updates,
)
from . import comments, rows as row_identity
from .budget import COST, STATE_NAME, Budget, Ledger, Quota
from .selftest import RESULT_NAME, Assumptions
from .people import name_authors
from .changes import ChangeFeed, version_of
from .protect import Sync, fingerprint
from .auth import credentials_path, load_service_account
from .retry import GoogleError, RetryPolicy

log = logging.getLogger(__name__)

SHEETS_URL = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE_URL = "https://www.googleapis.com/drive/v3/files"
# (connect, read) seconds; gspread sets none by default. Google stops a request after 180 s, so a
# shorter read timeout would retry a request the server is still running.
TIMEOUT = (10.0, 185.0)
_NEXT_CYCLE = "; akan ditulis pada siklus berikutnya"
# A write that starts this soon after its spreadsheet was read needs no identity re-read: the
# values.batchGet it would send leaves a window of the same length (its own answer, then the write)
# in which a sort is not seen either. Cycles read, decide and write one spreadsheet at a time
# (GoogleBackend.rounds), so the usual gap is the reconcile and one Drive call (DECISIONS.md #91).
FRESH_SECONDS = 2.0
# A spreadsheet's tab list is asked again at most this often, on a busy read: a Metadata tab a person
# adds is found within it, and its cells then ride on the read's own spreadsheets.get (DECISIONS.md #74).
LIST_EVERY = 3600.0


def _same(known: Any, version: Any) -> bool:
    """Both name the same Drive version (a token also carries a feed position: google_changes)."""
    return known is not None and version_of(known) == version_of(version)


def _chunks(per_tab: dict[str, list[dict[str, Any]]]) -> list[dict[str, list[dict[str, Any]]]]:
    """Tabs packed into request bodies of at most MAX_REQUEST_BYTES (Google advises 2 MB); a tab
    too big for one body is split over several (each part still lands on its own cells)."""
    chunks: list[dict[str, list[dict[str, Any]]]] = [{}]
    used = 0
    for opd, requests in per_tab.items():
        for request in requests:
            size = body_size(request)
            if used + size > MAX_REQUEST_BYTES and chunks[-1]:
                chunks.append({})
                used = 0
            chunks[-1].setdefault(opd, []).append(request)
            used += size
    return [c for c in chunks if c]


def _find_tab(titles: Mapping[str, int], kode: str) -> str | None:
    """The tab named ``kode``, exactly or ignoring case (Sheets keeps names unique without case)."""
    if kode in titles:
        return kode
    return next((t for t in titles if t.casefold() == kode.casefold()), None)


def _metadata_tab(titles: Sequence[str], kode: str, own: bool) -> str | None:
    """The OPD's Metadata tab (rules/metadata.py): ``Metadata <KODE>`` in any spreadsheet, or ``Metadata``
    in a spreadsheet that holds no other OPD's tab; names compared ignoring case, as Sheets does."""
    from rules.metadata import SHEET
    wanted = [f"{SHEET} {kode}".casefold()] + ([SHEET.casefold()] if own else [])
    for name in wanted:
        found = next((t for t in titles if t.casefold() == name), None)
        if found is not None:
            return found
    return None


class _Tab:
    """What a read learnt about a tab that the write needs: its sheetId, current notes, and the
    protected ranges the service account may not edit (to name them when Google refuses a write)."""

    def __init__(self, sheet_id: int, title: str, notes: dict[tuple[int, int], str], token: str,
                 locked: Sequence[dict[str, Any]] = (), read_at: float = 0.0) -> None:
        self.sheet_id, self.title, self.notes, self.token = sheet_id, title, notes, token
        self.read_at = read_at  # the budget clock when the read answered
        self.locked = [p for p in locked if p.get("requestingUserCanEdit") is False]

    def refused(self, requests: list[dict[str, Any]]) -> str:
        """The locked ranges these updateCells reach, in A1 words ("" when the read saw none)."""
        def meets(a: dict[str, int], b: dict[str, int]) -> bool:
            return all(a.get(f"start{k}Index", 0) < b.get(f"end{k}Index", 10**9)
                       and b.get(f"start{k}Index", 0) < a.get(f"end{k}Index", 10**9) for k in ("Row", "Column"))

        targets = [r["updateCells"]["range"] for r in requests if "updateCells" in r]
        hit = [p for p in self.locked if any(meets(p.get("range", {}), t) for t in targets)]
        return "; ".join(a1_of(self.title, p.get("range", {})) + (f" ({p['description']})" if p.get("description") else "")
                         for p in hit)


class GoogleBackend(Backend):
    def __init__(self, client: Any, spreadsheets: Mapping[str, str], *, walidata: Sequence[str] = (),
                 operators: Mapping[str, Sequence[str]] | None = None, service_account: str | None = None,
                 retry: RetryPolicy | None = None, timeout: Any = TIMEOUT, quota: Quota | None = None,
                 clock: Callable[[], float] = time.time, ledger: Ledger | None = None,
                 interval_seconds: int = 60, assumptions: Assumptions | None = None) -> None:
        """``client`` is a gspread Client (its authorised requests session is used);
        ``spreadsheets`` maps each OPD code to the id of the spreadsheet holding its tab; ``ledger``
        what is remembered between processes (the workspace's status-google.json)."""
        self.client = client
        self.session = client.http_client.session
        client.http_client.set_timeout(timeout)
        # Google compresses an answer only when asked and when the User-Agent says "gzip"
        agent = self.session.headers.get("User-Agent", "satudata")
        self.session.headers.update({"Accept-Encoding": "gzip",
                                     "User-Agent": agent if "gzip" in agent else f"{agent} satudata (gzip)"})
        self.spreadsheets = dict(spreadsheets)
        self.walidata = tuple(walidata)
        self.operators = {k: tuple(v) for k, v in (operators or {}).items()}
        self.service_account = service_account
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.requests: dict[str, int] = {"drive": 0, "read": 0, "write": 0}
        self.ledger = ledger or Ledger(None)
        self.budget = Budget(quota, clock, self.ledger)  # Google's per-minute quotas, planned
        self.interval_seconds = interval_seconds
        self.fresh_seconds = FRESH_SECONDS  # a write this soon after its read needs no identity re-read
        # what `doctor --uji-langsung` measured on this account (uji-google.json), else Google's documented behaviour
        self.assumptions = assumptions or Assumptions()
        self._news: dict[str, bool] = {}  # spreadsheet -> a new comment found this cycle (comments.list)
        self._in_cycle = False  # rounds() asked the change feed for this cycle
        self._titles: dict[str, dict[str, int]] = {}  # spreadsheet -> {tab title: sheetId}
        self._tabs: dict[str, _Tab] = {}  # OPD -> what its last read learnt
        self._listed: dict[str, float] = {}  # spreadsheet -> when its tab list was last asked (budget clock)
        self.feed = ChangeFeed(self)  # which spreadsheets changed: Drive's change feed (DECISIONS.md #15)
        self.protections = Sync(self)  # protected ranges in step with the config (DECISIONS.md #17)

    @classmethod
    def from_config(cls, config: Any, client: Any = None, **kwargs: Any) -> "GoogleBackend":
        """Build from a workspace Config (service.config); the client from the service-account key
        (``sheets.credentials`` or GOOGLE_APPLICATION_CREDENTIALS) unless one is given."""
        layout = {o.kode: o.spreadsheet_id or config.spreadsheet_id for o in config.opds}
        if not all(layout.values()):
            raise BackendError("sheets.spreadsheet_id wajib diisi untuk backend google "
                               "(atau spreadsheet_id pada setiap [[opd]])")
        if client is None:
            import gspread

            credentials, email = load_service_account(credentials_path(config))
            client = gspread.Client(credentials)
            kwargs.setdefault("service_account", email)
        kwargs.setdefault("quota", Quota(**getattr(config, "google_quota", {})))
        kwargs.setdefault("ledger", Ledger(config.root / STATE_NAME))
        kwargs.setdefault("interval_seconds", config.interval_seconds)
        kwargs.setdefault("assumptions", Assumptions.load(config.root / RESULT_NAME))
        return cls(client, layout, walidata=config.walidata,
                   operators={o.kode: o.operators for o in config.opds}, **kwargs)

    # --- HTTP -----------------------------------------------------------------------------------

    def sheet_id(self, opd: str) -> int:
        """The sheetId of the OPD's tab as its last read found it."""
        return self._tabs[opd].sheet_id

    def call(self, kind: str, method: str, url: str, what: str, params: Any = None, body: Any = None,
              idempotent: bool = True) -> dict[str, Any]:
        # compact JSON (Google pretty-prints by default: about 2.5 times the bytes)
        lean = [*(params.items() if isinstance(params, Mapping) else params or []), ("prettyPrint", "false")]
        # and compact JSON out: the bytes body_size() counts against MAX_REQUEST_BYTES are the bytes sent
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
        headers = None if body is None else {"Content-Type": "application/json"}

        def send() -> Any:
            self.requests[kind] += 1
            self.budget.note(kind)
            return self.session.request(method, url, params=lean, data=data, headers=headers, timeout=self.timeout)

        return self.retry.run(send, what, idempotent, lambda wait, stated: self.budget.limited(kind, wait, stated)).json()

    def drive_file(self, sid: str, fields: str = "version") -> dict[str, Any]:
        return self.call("drive", "GET", f"{DRIVE_URL}/{quote(sid, safe='')}", f"Drive files.get {sid}",
                          params={"fields": fields, "supportsAllDrives": "true"})

    def version(self, sid: str) -> str:
        return str(self.drive_file(sid)["version"])

    def spreadsheet(self, sid: str, fields: str) -> dict[str, Any]:
        """spreadsheets.get without grid data, for `satudata doctor`."""
        return self.call("read", "GET", f"{SHEETS_URL}/{quote(sid, safe='')}", f"spreadsheets.get {sid}",
                          params={"fields": fields})

    def sheet_titles(self, sid: str, refresh: bool = False) -> dict[str, int]:
        """{tab title: sheetId} (an absent sheetId is 0), cached until a read finds a tab gone."""
        if refresh or sid not in self._titles:
            data = self.spreadsheet(sid, TITLE_FIELDS)
            props = [s.get("properties", {}) for s in data.get("sheets", [])]
            self._titles[sid] = {p.get("title", ""): p.get("sheetId", 0) for p in props}
            self._listed[sid] = now = self.budget.clock()
            # the Metadata tabs, for a `poll --once` process that starts without a listing
            self.ledger.section("tab_metadata")[sid] = {
                "pada": now, "judul": sorted(t for t in self._titles[sid] if t.casefold().startswith("metadata"))}
        return self._titles[sid]

    def own_spreadsheet(self, sid: str, kode: str) -> bool:
        """The spreadsheet holds no other configured OPD's tab."""
        return all(o == kode for o, s in self.spreadsheets.items() if s == sid)

    def metadata_tabs(self, sid: str, kodes: Sequence[str]) -> dict[str, str]:
        """OPD -> the title of its Metadata tab, from a tab list at most LIST_EVERY old: this process's,
        else the one another process saved in the ledger, else asked now (one light spreadsheets.get,
        only when the quota window has room for it besides the read it goes with)."""
        now = self.budget.clock()
        saved = self.ledger.section("tab_metadata").get(sid)
        titles: Sequence[str] = ()
        if sid in self._titles and now - self._listed.get(sid, -LIST_EVERY) < LIST_EVERY:
            titles = list(self._titles[sid])
        elif isinstance(saved, dict) and isinstance(saved.get("pada"), int | float) \
                and 0 <= now - saved["pada"] < LIST_EVERY:
            titles = [str(t) for t in saved.get("judul", [])]
        elif self.budget.room({**COST, "read": COST["read"] + 1}):
            titles = list(self.sheet_titles(sid, refresh=True))
        elif isinstance(saved, dict):  # no room this minute: the last list known, asked again later
            titles = [str(t) for t in saved.get("judul", [])]
        return {k: t for k in kodes if (t := _metadata_tab(titles, k, self.own_spreadsheet(sid, k))) is not None}

    def header_rows(self, sid: str, titles: Sequence[str]) -> dict[str, list[Any]]:
        """Row 1 of each tab, unformatted, in one values.batchGet (for `satudata doctor`)."""
        params = [("ranges", f"{a1_title(t)}!1:1") for t in titles]
        params += [("valueRenderOption", "UNFORMATTED_VALUE"), ("dateTimeRenderOption", "SERIAL_NUMBER")]
        data = self.call("read", "GET", f"{SHEETS_URL}/{quote(sid, safe='')}/values:batchGet",
                          f"values.batchGet {sid}", params=params)
        ranges = data.get("valueRanges", [])
        return {t: ((r.get("values") or [[]])[0]) for t, r in zip(titles, ranges)}

    def explain(self, exc: GoogleError, sid: str) -> str:
        """What went wrong with a spreadsheet, and what to do about it, in Bahasa Indonesia."""
        sa = self.service_account or "akun layanan"
        if exc.status == 404:
            return (f"Spreadsheet {sid} tidak ditemukan atau belum dibagikan: periksa spreadsheet_id dan "
                    f"bagikan spreadsheet ke {sa} sebagai Editor")
        if exc.status == 403 and exc.reason in ("SERVICE_DISABLED", "accessNotConfigured"):
            return ("Google Sheets API atau Google Drive API belum diaktifkan di proyek akun layanan: "
                    "aktifkan keduanya di Google Cloud Console (APIs & Services > Library)")
        if exc.status in (400, 403) and "protected cell" in str(exc).lower():
            return (f"{sa} tidak boleh menulis sel terlindungi di spreadsheet {sid}: tambahkan {sa} "
                    f"sebagai editor pada rentang terlindungi (Data > Lindungi sheet dan rentang)")
        if exc.status == 403:
            return f"{sa} tidak punya akses ke spreadsheet {sid}: bagikan spreadsheet ke {sa} sebagai Editor"
        if exc.status == 401:
            return "Kunci akun layanan ditolak Google (401): buat kunci JSON baru dan perbarui sheets.credentials"
        if exc.status == 429:
            return (f"Kuota Google Sheets habis (429) setelah {exc.attempts} percobaan; "
                    "dicoba lagi pada siklus berikutnya")
        if exc.status is None or exc.status >= 500:
            return f"Google sedang tidak dapat dihubungi ({exc}); dicoba lagi pada siklus berikutnya"
        return f"Permintaan ke Google ditolak: {exc}"

    # --- tabs -----------------------------------------------------------------------------------

    def ensure_tabs(self, opds: list[tuple[str, str]]) -> list[str]:
        """Create missing tabs, one spreadsheets.batchUpdate per spreadsheet. The tab list is cached,
        so a cycle with every tab present makes no request here."""
        created: list[str] = []
        for sid, kodes in self._group([kode for kode, _ in opds]).items():
            if sid not in self._titles and not self.budget.room():
                continue  # the quota is spent this minute: made when its read is served
            try:
                titles = self.sheet_titles(sid)
                missing = [k for k in kodes if _find_tab(titles, k) is None]
                if not missing:
                    continue
                requests: list[dict[str, Any]] = []
                taken = set(titles.values())
                for kode in missing:
                    sheet_id = new_sheet_id(kode, taken)
                    taken.add(sheet_id)
                    requests += template_requests(kode, sheet_id, self.operators.get(kode, ()), self.walidata,
                                                  self.service_account)
                # adding a tab is not idempotent: retried only when Google surely did not run it
                reply = self.call("write", "POST", f"{SHEETS_URL}/{quote(sid, safe='')}:batchUpdate",
                                   f"membuat tab di {sid}", body={"requests": requests}, idempotent=False)
            except GoogleError as exc:
                self._titles.pop(sid, None)
                log.warning("Tab belum dapat dibuat di %s: %s", sid, self.explain(exc, sid))
                continue
            for answer in reply.get("replies", []):
                props = (answer.get("addSheet") or {}).get("properties")
                if props:
                    titles[props.get("title", "")] = props.get("sheetId", 0)
            self.feed.forget(sid)
            created += missing
        return created

    def _group(self, opds: Sequence[str]) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for opd in opds:
            if self.spreadsheets.get(opd):
                groups.setdefault(self.spreadsheets[opd], []).append(opd)
        return groups

    # --- read -----------------------------------------------------------------------------------

    def rounds(self, opds: list[str], known: dict[str, Any]) -> list[list[str]]:
        """The OPDs in the order a cycle serves them, one list per round: first every spreadsheet
        that did not change (no Sheets request), then each changed spreadsheet alone, the one that
        waited longest first. The cycle reads, decides and writes a round before reading the next,
        so each write follows its read within seconds and the quota window is checked per round."""
        groups = self._group(opds)
        self.feed.look(groups, known)  # one Drive changes.list for every spreadsheet
        self._in_cycle, self._news = True, {}
        quiet = [o for o in opds if not self.spreadsheets.get(o)]
        busy: list[tuple[float, list[str]]] = []
        for sid, kodes in groups.items():
            try:
                version = self.feed.version(sid)
            except GoogleError:  # the read reports it
                busy.append((0.0, kodes))
                continue
            if self._stale(sid, kodes, known, version):
                busy.append((self.budget.waits(sid), kodes))
            else:
                self.budget.served(sid)
                quiet += kodes
        busy.sort(key=lambda item: item[0])
        return ([quiet] if quiet else []) + [kodes for _, kodes in busy]

    def _stale(self, sid: str, kodes: list[str], known: dict[str, Any], version: str) -> list[str]:
        """The tabs of a spreadsheet that must be read (all when a comment retry is due)."""
        if comments.retry_due(self, sid):
            return list(kodes)
        if not self.assumptions.comments_move_version:  # measured: a comment leaves Drive's version alone
            if sid not in self._news:
                self._news[sid] = comments.new_comments(self, sid)
            if self._news[sid]:
                return list(kodes)
        return [k for k in kodes if not self.feed.current(known.get(k), version, self._people_fingerprint(k))]

    def read(self, opds: list[str], known: dict[str, Any]) -> list[TabResult]:
        results = {o: TabResult(o, error=f"OPD {o} tidak punya spreadsheet_id di satudata.toml")
                   for o in opds if not self.spreadsheets.get(o)}
        groups = self._group(opds)
        if not self._in_cycle:
            self.feed.look(groups, known)  # one Drive changes.list for every spreadsheet
            self._news = {}
        for sid, kodes in groups.items():
            try:
                results.update(self._read_spreadsheet(sid, kodes, known))
            except GoogleError as exc:
                message = self.explain(exc, sid)
                results.update({k: TabResult(k, error=message) for k in kodes})
        return [results[o] for o in opds]

    def _read_spreadsheet(self, sid: str, kodes: list[str], known: dict[str, Any]) -> dict[str, TabResult]:
        version = self.feed.version(sid)
        stale = self._stale(sid, kodes, known, version)
        out = {k: TabResult(k, unchanged=True, token=self.feed.refreshed(sid, known.get(k))) for k in kodes if k not in stale}
        if not stale:
            return out
        if not self.budget.room():  # Google's per-minute quota is spent: this spreadsheet waits its turn
            waited = max(0, int(self.budget.clock() - self.budget.waits(sid)))
            why = (f"ditunda karena kuota Google per menit; dibaca pada siklus berikutnya (menunggu {waited} detik)")
            return out | {k: TabResult(k, deferred=why) for k in stale}
        self.budget.served(sid)
        try:
            sheets, found, metadata = self._grid(sid, stale, refresh=False)
        except GoogleError as exc:
            if exc.status != 400 or "range" not in str(exc).lower():
                raise  # only "Unable to parse range" (a tab renamed or deleted since listed) is retried
            sheets, found, metadata = self._grid(sid, stale, refresh=True)
        editors = comments.revision_editors(self, sid)  # who edited since the last read (Drive quota)
        for kode in stale:
            title = found.get(kode)
            sheet = sheets.get(title) if title else None
            if sheet is None:
                others = ", ".join(sorted(t for t in sheets if t)[:8]) or "tidak ada"
                out[kode] = TabResult(kode, error=f"Tab {kode} tidak ditemukan di spreadsheet {sid} (tab yang ada: "
                                                  f"{others}; diganti nama?); tab dibuat lagi pada siklus berikutnya")
                self._titles.pop(sid, None)
                continue
            snapshot = self._snapshot(kode, sheet, version)
            meta = sheets.get(metadata.get(kode, ""))
            if meta is not None:  # read with the tab, in the same spreadsheets.get
                snapshot.metadata, snapshot.metadata_title = parse_sheet(meta)[0], metadata[kode]
            # protections compared with the config; what differs is repaired after the writes
            people = self.protections.check(sid, kode, sheet, snapshot.header, known.get(kode), version)
            snapshot.token = self._tabs[kode].token = self.feed.token(version, people)
            out[kode] = TabResult(kode, snapshot=snapshot)
            comments.attach(out[kode].snapshot, sheet, self._comments_read, self.operators.get(kode, ()), editors)
            # comment authors named through the sharing list (people.py): only the Walidata asks for revision
            out[kode].snapshot.authors = name_authors(self, sid, version, out[kode].snapshot.comments or ())
        return out

    def _grid(self, sid: str, kodes: list[str], refresh: bool
              ) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
        if refresh:
            self.sheet_titles(sid, refresh=True)
        metadata = self.metadata_tabs(sid, kodes)  # a tab gone since listed answers 400: listed again
        if sid in self._titles:
            titles = self.sheet_titles(sid)
            found = {k: t for k in kodes if (t := _find_tab(titles, k)) is not None}
        else:  # tabs are named <KODE>: read them straight away; a tab renamed or gone answers 400
            found = {k: k for k in kodes}
        metadata = {k: t for k, t in metadata.items() if k in found}
        if not found:
            return {}, found, metadata
        params = [("ranges", a1_title(t)) for t in [*found.values(), *metadata.values()]]
        params += comments.read_params()  # READ_FIELDS plus comments and protected ranges (DECISIONS.md #13)
        data = self.call("read", "GET", f"{SHEETS_URL}/{quote(sid, safe='')}", f"spreadsheets.get {sid}",
                          params=params)
        self._comments_read = data.get("comments", [])
        sheets = {s.get("properties", {}).get("title", ""): s for s in data.get("sheets", [])}
        return sheets, found, metadata

    def _snapshot(self, opd: str, sheet: dict[str, Any], version: str) -> TabSnapshot:
        props = sheet.get("properties", {})
        title, sheet_id = props.get("title", opd), props.get("sheetId", 0)  # absent sheetId means 0
        grid, percent, problems, notes = parse_sheet(sheet)
        self._tabs[opd] = _Tab(sheet_id, title, notes, version, sheet.get("protectedRanges", []), self.budget.clock())
        header, rows = (grid[0], grid[1:]) if grid else ([], [])
        to_rows = {(r - 1, c) for r, c in percent if r >= 1}
        bad = {(r - 1, c): m for (r, c), m in problems.items() if r >= 1}
        last = max([i for i, row in enumerate(rows) if any(v is not None for v in row)] + [r for r, _ in bad],
                   default=-1)
        del rows[last + 1:]
        return TabSnapshot(opd=opd, title=title, header=header, rows=rows, percent=to_rows, problems=bad,
                           token=version)

    # --- write ----------------------------------------------------------------------------------

    def write(self, batches: list[TabWrites], snapshots: dict[str, TabSnapshot]) -> dict[str, WriteResult]:
        out: dict[str, WriteResult] = {}
        groups: dict[str, list[TabWrites]] = {}
        for batch in batches:
            sid = self.spreadsheets.get(batch.opd)
            if batch.comments and sid and (not self.assumptions.service_account_may_comment
                                           or comments.backing_off(self, sid)):
                batch = replace(batch, comments=[])  # a failed comment write waits its turn, the cells do not
                if not batch and batch.opd in snapshots:  # nothing else: the read's version still holds
                    out[batch.opd] = WriteResult(None, snapshots[batch.opd].token)
                    continue
            if not batch and not batch.comments:
                continue
            snapshot, tab = snapshots.get(batch.opd), self._tabs.get(batch.opd)
            if sid is None or snapshot is None or tab is None or not _same(snapshot.token, tab.token):
                out[batch.opd] = WriteResult(f"Tab {batch.opd} belum dibaca pada siklus ini{_NEXT_CYCLE}")
                continue
            groups.setdefault(sid, []).append(batch)
        for sid, group in groups.items():
            out.update(self._write_spreadsheet(sid, group, snapshots))
        return out

    def _write_spreadsheet(self, sid: str, group: list[TabWrites],
                           snapshots: dict[str, TabSnapshot]) -> dict[str, WriteResult]:
        try:
            version = self.version(sid)
        except GoogleError as exc:
            return {b.opd: WriteResult(self.explain(exc, sid) + _NEXT_CYCLE) for b in group}
        out: dict[str, WriteResult] = {}
        fresh = []
        for batch in group:
            if _same(snapshots[batch.opd].token, version):
                fresh.append(batch)
            else:
                out[batch.opd] = WriteResult(f"Spreadsheet tempat tab {batch.opd} berubah sejak dibaca{_NEXT_CYCLE}")
        placed, skipped = self._place(sid, fresh, snapshots, out)
        # its own batchUpdate: a comment failure never blocks cells
        saved = comments.send(self, sid, placed)
        per_tab = {b.opd: self._updates(b) for b in placed}
        for batch in placed:
            if not per_tab[batch.opd]:  # only human notes in the way: the read's version still holds
                # saved comments are confirmed by the next read; failed ones wait for their retry, idle
                out[batch.opd] = WriteResult(None, None if batch.comments and saved else snapshots[batch.opd].token)
        for chunk in _chunks({k: v for k, v in per_tab.items() if v}):
            for opd, result in self._send_chunk(sid, chunk).items():
                if opd not in out or out[opd].reason is None:  # a tab over several bodies: any refusal stays
                    out[opd] = result
        for opd, rows in skipped.items():  # written where confirmed; the rest waits for the next read
            if out[opd].reason is None:
                out[opd] = WriteResult(f"{len(rows)} baris di tab {opd} berpindah sejak dibaca (diurutkan, disisipkan "
                                       f"atau dihapus?){_NEXT_CYCLE}")
        return out

    def _place(self, sid: str, batches: list[TabWrites], snapshots: dict[str, TabSnapshot],
               out: dict[str, WriteResult]) -> tuple[list[TabWrites], dict[str, set[int]]]:
        """The batches moved onto the rows their cells stand on now (google_rows: one values.batchGet),
        rows that cannot be confirmed left out; a tab whose columns changed is not written."""
        if not batches:
            return [], {}
        now = self.budget.clock()
        unsure = [b for b in batches if now - self._tabs[b.opd].read_at > self.fresh_seconds]
        maps: dict[str, Any] = {b.opd: row_identity.SAME for b in batches}
        if unsure:
            maps.update(row_identity.confirm(self, sid, [(b.opd, self._tabs[b.opd].title, snapshots[b.opd])
                                                         for b in unsure]))
        placed, skipped = [], {}
        for batch in batches:
            where = maps[batch.opd]
            if where is None:
                out[batch.opd] = WriteResult(f"Kolom tab {batch.opd} berubah sejak dibaca{_NEXT_CYCLE}")
            elif isinstance(where, str):
                out[batch.opd] = WriteResult(f"Tab {batch.opd}: {where}{_NEXT_CYCLE}")
            else:
                placed.append(self._moved(batch, where.row))
                if where.skipped:
                    skipped[batch.opd] = where.skipped
        return placed, skipped

    def _moved(self, batch: TabWrites, row: Callable[[int], int | None]) -> TabWrites:
        """The writes at their rows now. Notes are weighed against the notes the read saw on the
        row (a person's note is never replaced), which moved with it."""
        tab = self._tabs[batch.opd]
        notes = []
        for note in batch.notes:
            if note.text is not None and not note.text.startswith(OWNED_NOTE_PREFIX):
                raise ValueError(f"Catatan milik sistem harus diawali {OWNED_NOTE_PREFIX!r}")
            current = tab.notes.get((note.row, note.col))
            if (current is not None and not owned(current)) or current == note.text:
                continue  # a person's note is never replaced or removed; an equal note needs no write
            notes.append(note)
        cells = [replace(w, row=r) for w in batch.cells if (r := row(w.row)) is not None]
        notes = [replace(n, row=r) for n in notes if (r := row(n.row)) is not None]
        comments = [c if c.action != "open" else replace(c, row=r) for c in batch.comments
                    if c.action != "open" or (r := row(c.row)) is not None]
        return replace(batch, cells=cells, notes=notes, comments=comments)

    def _send_chunk(self, sid: str, chunk: dict[str, list[dict[str, Any]]]) -> dict[str, WriteResult]:
        """One spreadsheets.batchUpdate for these tabs. When Google refuses it for good (a protected
        cell, a bad value), each tab is sent alone, so one tab's fault never blocks another's."""
        try:
            self.call("write", "POST", f"{SHEETS_URL}/{quote(sid, safe='')}:batchUpdate",
                       f"spreadsheets.batchUpdate {sid}", body={"requests": [r for v in chunk.values() for r in v]})
        except GoogleError as exc:
            if exc.status == 400 and len(chunk) > 1:
                out: dict[str, WriteResult] = {}
                for opd, requests in chunk.items():
                    out.update(self._send_chunk(sid, {opd: requests}))
                return out
            return {opd: WriteResult(self._refusal(exc, sid, chunk) + _NEXT_CYCLE) for opd in chunk}
        for opd in chunk:
            self._tabs.pop(opd, None)  # its notes are no longer known
        return {opd: WriteResult(None, None) for opd in chunk}

    def _refusal(self, exc: GoogleError, sid: str, chunk: dict[str, list[dict[str, Any]]]) -> str:
        """Why a write was refused; for one tab refused as protected, the tab and the ranges."""
        if len(chunk) != 1:
            return self.explain(exc, sid)
        opd, requests = next(iter(chunk.items()))
        tab = self._tabs.get(opd)
        ranges = tab.refused(requests) if tab and "protected cell" in str(exc).lower() else ""
        return f"Tab {opd}: " + self.explain(exc, sid) + (f"; rentang terlindungi: {ranges}" if ranges else "")

    # --- whole rows and tabs (distribute, rollover) -----------------------------------------------

    def _people_fingerprint(self, opd: str) -> str:
        return fingerprint(opd, self.operators.get(opd, ()), self.walidata, self.service_account)

    def after_cycle(self) -> list[str]:
        """After the cycle's writes: repair the protected ranges its reads found out of step with the
        config (one spreadsheets.batchUpdate per spreadsheet); what failed, in Bahasa Indonesia.
        Then remember the quota window and the waiting order for the next process."""
        try:
            return self.protections.send()
        finally:
            self._in_cycle = False
            self.budget.save()

    def busy(self, opd: str) -> str | None:
        return None  # Google has no lock file; the version check guards every write

    def append_rows(self, snapshot: TabSnapshot, rows: list[list[Any]]) -> WriteResult:
        """One appendCells after the last row with data (the grid grows as needed); values as
        userEnteredValue stringValue/numberValue, so text is never parsed (no USER_ENTERED)."""
        if not rows:
            tab = self._tabs.get(snapshot.opd)
            if snapshot.opd not in self.spreadsheets or tab is None or not _same(snapshot.token, tab.token):
                return WriteResult(f"Tab {snapshot.opd} belum dibaca; tidak ditulis")
            return WriteResult(None, snapshot.token)
        return self._grow(snapshot, lambda tab: [append_request(tab.sheet_id, rows)], "menambah baris")

    def add_column(self, snapshot: TabSnapshot, header: str) -> WriteResult:
        """One column appended to the grid and ``header`` typed into its row 1, at the first column
        after the headers, in one batchUpdate; refused when the spreadsheet changed since ``snapshot``."""
        return self._grow(snapshot, lambda tab: [
            {"appendDimension": {"sheetId": tab.sheet_id, "dimension": "COLUMNS", "length": 1}},
            *value_updates(tab.sheet_id, [(0, len(snapshot.header), header)])], f"menambah kolom {header}")

    def _grow(self, snapshot: TabSnapshot, requests: Callable[[_Tab], list[dict[str, Any]]],
              what: str) -> WriteResult:
        """One batchUpdate that adds rows or a column to a tab read as ``snapshot``, refused when the
        spreadsheet changed since. Growing twice adds twice: retried only when Google surely did
        not run it."""
        sid, tab = self.spreadsheets.get(snapshot.opd), self._tabs.get(snapshot.opd)
        if sid is None or tab is None or not _same(snapshot.token, tab.token):
            return WriteResult(f"Tab {snapshot.opd} belum dibaca; tidak ditulis")
        try:
            if not _same(snapshot.token, self.version(sid)):
                return WriteResult(f"Spreadsheet tempat tab {snapshot.opd} berubah sejak dibaca; tidak ditulis")
            self.call("write", "POST", f"{SHEETS_URL}/{quote(sid, safe='')}:batchUpdate",
                       f"{what} di {sid}", body={"requests": requests(tab)}, idempotent=False)
        except GoogleError as exc:
            return WriteResult(self.explain(exc, sid))
        self._tabs.pop(snapshot.opd, None)
        return WriteResult(None, None)

    def archive_tab(self, opd: str, nama: str, title: str) -> str | None:
        """Rename and create in one batchUpdate (atomic): the spreadsheet has both tabs or neither change."""
        sid = self.spreadsheets.get(opd)
        if sid is None:
            return f"OPD {opd} tidak punya spreadsheet_id di satudata.toml"
        try:
            titles = self.sheet_titles(sid, refresh=True)
            current = _find_tab(titles, opd)
            if title in titles:
                return None if current is not None else f"Tab {opd} tidak ditemukan di spreadsheet {sid}"
            if current is None:
                return f"Tab {opd} tidak ditemukan di spreadsheet {sid}"
            sheet_id = new_sheet_id(opd, titles.values())
            requests = [{"updateSheetProperties": {"properties": {"sheetId": titles[current], "title": title},
                                                   "fields": "title"}}]
            requests += template_requests(opd, sheet_id, self.operators.get(opd, ()), self.walidata,
                                          self.service_account)
            self.call("write", "POST", f"{SHEETS_URL}/{quote(sid, safe='')}:batchUpdate",
                       f"menyimpan tab {opd} sebagai {title}", body={"requests": requests}, idempotent=False)
        except GoogleError as exc:
            return self.explain(exc, sid)
        finally:
            self._titles.pop(sid, None)
            self._tabs.pop(opd, None)
        return None

    supports_metadata_tab = True

    def add_metadata_tab(self, opd: str, rows: list[list[str]]) -> str | None:
        """A Metadata tab holding ``rows`` (as text, never parsed), named as the read looks for it
        (``metadata_tabs``), in one batchUpdate; refused when the OPD already keeps one."""
        from rules.metadata import SHEET
        sid = self.spreadsheets.get(opd)
        if sid is None:
            return f"OPD {opd} tidak punya spreadsheet_id di satudata.toml"
        own = self.own_spreadsheet(sid, opd)
        title = SHEET if own else f"{SHEET} {opd}"
        try:
            titles = self.sheet_titles(sid, refresh=True)
            existing = _metadata_tab(list(titles), opd, own) or _find_tab(titles, title)
            if existing is not None:
                return f"tab {existing} sudah ada di spreadsheet {sid}"
            sheet_id = new_sheet_id(title, titles.values())
            width = max((len(r) for r in rows), default=1)
            requests = [{"addSheet": {"properties": {"sheetId": sheet_id, "title": title, "gridProperties": {
                            "rowCount": max(len(rows) + 20, 100), "columnCount": width, "frozenRowCount": 1}}}},
                        append_request(sheet_id, rows)]
            # adding a tab is not idempotent: retried only when Google surely did not run it
            self.call("write", "POST", f"{SHEETS_URL}/{quote(sid, safe='')}:batchUpdate",
                       f"membuat tab {title} di {sid}", body={"requests": requests}, idempotent=False)
        except GoogleError as exc:
            return self.explain(exc, sid)
        finally:  # this process lists again at its next read; a poller elsewhere within LIST_EVERY
            self._titles.pop(sid, None)
            self.ledger.section("tab_metadata").pop(sid, None)
        return None

    def _updates(self, batch: TabWrites) -> list[dict[str, Any]]:
        sheet_id = self._tabs[batch.opd].sheet_id
        return (value_updates(sheet_id, [(w.row, w.col, w.value) for w in batch.cells])
                + note_updates(sheet_id, [(n.row, n.col, n.text) for n in batch.notes]))
