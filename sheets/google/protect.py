"""Protected ranges of each OPD tab, kept in step with satudata.toml (DECISIONS.md #17).

Every OPD tab carries three kinds of protected range, told apart by their description: the system
columns (the poller alone), the Walidata columns (``[walidata] emails`` and the poller) and the whole
tab (``[[opd]] operators``, the Walidata and the poller). New ranges and every range updated set
``warningOnly: false`` and ``domainUsersCanEdit: false`` explicitly.

Each tab a cycle reads is compared with the config from the protectedRanges that read already
returned (google_comments.read_params asks for them), so a tab in step costs no request. What
differs becomes ``updateProtectedRange`` (or ``addProtectedRange`` for a kind that is gone), sent
in one spreadsheets.batchUpdate per spreadsheet after the cycle's writes: sent before them, it
would move the Drive version the write guard compares and hold every write of the spreadsheet.
`satudata doctor` names the same differences and ``--fix`` sends the same requests.

The spreadsheet's owner can always edit every range, whatever its editors say: a person owns the
file, because a service account cannot own files. Google lists the owner among the editors, so
the owner counts as allowed here, and `satudata doctor` names them.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .changes import people_of, version_of
from .retry import GoogleError
from ..layout import COLUMNS, OPTIONAL_COLUMNS, match_headers

log = logging.getLogger(__name__)

SHEETS_URL = "https://sheets.googleapis.com/v4/spreadsheets"
SYSTEM = "Kolom sistem: hanya diisi poller Satu Data"
WALIDATA = "Kolom Walidata"
_TAB_SUFFIX = ": operator OPD, Walidata dan poller"
# what a read and doctor ask of every protected range
RANGE_FIELDS = ("protectedRanges(protectedRangeId,range,description,warningOnly,requestingUserCanEdit,"
                "editors(users,groups,domainUsersCanEdit))")


def tab_description(kode: str) -> str:
    return f"Tab {kode}{_TAB_SUFFIX}"


def _people(*groups: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for email in group:
            if email and email.strip():
                seen.setdefault(email.strip(), None)
    return tuple(seen)


@dataclass(frozen=True)
class Wanted:
    """One kind of protected range as the config wants it."""

    kind: str  # "system", "walidata" or "tab"
    description: str
    users: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]  # [start, end) columns; () is the whole tab


def _spans(columns: Iterable[int]) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for col in sorted(set(columns)):
        if spans and spans[-1][1] == col:
            spans[-1] = (spans[-1][0], col + 1)
        else:
            spans.append((col, col + 1))
    return tuple(spans)


def wanted(kode: str, operators: Sequence[str], walidata: Sequence[str], service_account: str | None,
           header: Sequence[Any] | None = None) -> list[Wanted]:
    """The three kinds for one tab; column spans from the tab's own header when given (operators may
    move columns), else from the template's order."""
    sa = [service_account] if service_account else []
    where = match_headers(list(header)).columns if header else {c.key: i for i, c in enumerate(COLUMNS)}

    def columns(owner: str) -> tuple[tuple[int, int], ...]:
        # every column the tab has, optional ones (Bidang) included, by the owner sheets/layout.py names
        return _spans(where[c.key] for c in COLUMNS + OPTIONAL_COLUMNS if c.owner == owner and c.key in where)

    return [Wanted("system", SYSTEM, _people(sa), columns("system")),
            Wanted("walidata", WALIDATA, _people(walidata, sa), columns("walidata")),
            Wanted("tab", tab_description(kode), _people(operators, walidata, sa), ())]


def fingerprint(kode: str, operators: Sequence[str], walidata: Sequence[str], service_account: str | None) -> str:
    """Who may edit the tab, as a short digest: carried in the tab's token (google_changes), so a
    changed list of people makes the next cycle read the tab and compare its protections."""
    text = "|".join(",".join(sorted(e.casefold() for e in w.users)) for w in wanted(kode, operators, walidata,
                                                                                  service_account))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _editors(users: Sequence[str], groups: Sequence[str] = ()) -> dict[str, Any]:
    editors: dict[str, Any] = {"users": list(users), "domainUsersCanEdit": False}
    if groups:
        editors["groups"] = list(groups)
    return editors


def add_requests(sheet_id: int, want: Wanted) -> list[dict[str, Any]]:
    ranges = [{"sheetId": sheet_id, "startColumnIndex": a, "endColumnIndex": b} for a, b in want.spans] \
        if want.spans else [{"sheetId": sheet_id}]
    return [{"addProtectedRange": {"protectedRange": {
        "range": rng, "description": want.description, "warningOnly": False, "editors": _editors(want.users),
    }}} for rng in ranges]


def template(kode: str, sheet_id: int, operators: Sequence[str], walidata: Sequence[str],
             service_account: str | None) -> list[dict[str, Any]]:
    """The protected ranges of a new tab (google_requests.template_requests)."""
    return [r for w in wanted(kode, operators, walidata, service_account) for r in add_requests(sheet_id, w)]


def _kind(pr: dict[str, Any]) -> str | None:
    description = pr.get("description") or ""
    if description == SYSTEM:
        return "system"
    if description == WALIDATA:
        return "walidata"
    return "tab" if description.startswith("Tab ") and description.endswith(_TAB_SUFFIX) else None


@dataclass(frozen=True)
class Finding:
    """A protected range out of step with the config: what is wrong (Bahasa Indonesia) and the request that repairs it."""

    text: str
    request: dict[str, Any]


def findings(sheet: dict[str, Any], kode: str, operators: Sequence[str], walidata: Sequence[str],
             service_account: str | None, owners: Callable[[], Sequence[str]],
             header: Sequence[Any] | None = None) -> list[Finding]:
    """Every difference between the tab's protected ranges and the config. ``owners`` is asked only
    when a range lists someone the config does not (Google lists the owner among the editors)."""
    sheet_id = (sheet.get("properties") or {}).get("sheetId", 0)
    title = (sheet.get("properties") or {}).get("title", kode)
    ranges = sheet.get("protectedRanges") or []
    out: list[Finding] = []
    for want in wanted(kode, operators, walidata, service_account, header):
        mine = [pr for pr in ranges if _kind(pr) == want.kind]
        if not mine:
            out += [Finding(f"Tab {title}: rentang terlindungi '{want.description}' tidak ada; dibuat lagi", r)
                    for r in add_requests(sheet_id, want)]
            continue
        for pr in mine:
            finding = _compare(pr, want, title, owners)
            if finding is not None:
                out.append(finding)
        if header and want.spans:
            out += _columns(mine, want, sheet_id, title, header)
    return out


def _span_of(pr: dict[str, Any]) -> tuple[int, int] | None:
    rng = pr.get("range") or {}
    if "startColumnIndex" not in rng and "endColumnIndex" not in rng:
        return None  # the whole tab
    return rng.get("startColumnIndex", 0), rng.get("endColumnIndex", 1 << 30)


def _columns(mine: list[dict[str, Any]], want: Wanted, sheet_id: int, title: str,
             header: Sequence[Any]) -> list[Finding]:
    """The columns a kind of range covers, against the owners of the tab's columns: Google grows a
    range around a column inserted inside it, so an operator's column (Bidang) put between two
    system columns would otherwise stay locked to the poller. Ranges the poller may not change are
    left to `satudata doctor`."""
    ours = sorted((pr for pr in mine if pr.get("requestingUserCanEdit") is not False and "protectedRangeId" in pr
                   and _span_of(pr) is not None), key=lambda pr: _span_of(pr) or (0, 0))
    theirs = {_span_of(pr) for pr in mine if pr not in ours}
    spans = [s for s in want.spans if s not in theirs]
    if [_span_of(pr) for pr in ours] == spans:
        return []
    names = ", ".join(str(header[a]) if a < len(header) else str(a) for s in spans for a in range(*s))
    text = f"Tab {title}: rentang terlindungi '{want.description}' tidak tepat di kolomnya ({names})"
    out = []
    for pr, (a, b) in zip(ours, spans):
        if _span_of(pr) != (a, b):
            rng = {"sheetId": sheet_id, "startColumnIndex": a, "endColumnIndex": b}
            out.append(Finding(text, {"updateProtectedRange": {"protectedRange": {
                "protectedRangeId": pr["protectedRangeId"], "range": rng}, "fields": "range"}}))
    for pr in ours[len(spans):]:
        out.append(Finding(text, {"deleteProtectedRange": {"protectedRangeId": pr["protectedRangeId"]}}))
    extra = Wanted(want.kind, want.description, want.users, tuple(spans[len(ours):]))
    if extra.spans:
        out += [Finding(text, r) for r in add_requests(sheet_id, extra)]
    return out


def _compare(pr: dict[str, Any], want: Wanted, title: str, owners: Callable[[], Sequence[str]]) -> Finding | None:
    if pr.get("requestingUserCanEdit") is False or "protectedRangeId" not in pr:
        return None  # the poller may not change it; `satudata doctor` says to add the service account
    editors = pr.get("editors") or {}
    have = {u.casefold(): u for u in editors.get("users", [])}
    need = {u.casefold(): u for u in want.users}
    missing = [u for k, u in need.items() if k not in have]
    extra = [u for k, u in have.items() if k not in need]
    if extra:
        allowed = {o.casefold() for o in owners()}
        extra = [u for u in extra if u.casefold() not in allowed]
    wrong = []
    if missing:
        wrong.append("belum mengizinkan " + ", ".join(missing))
    if extra:
        wrong.append("masih mengizinkan " + ", ".join(extra) + " (tidak ada di satudata.toml)")
    if editors.get("domainUsersCanEdit"):
        wrong.append("mengizinkan semua pengguna domain menyunting")
    if pr.get("warningOnly"):
        wrong.append("hanya memberi peringatan, tidak melindungi")
    if not wrong:
        return None
    text = f"Tab {title}: rentang terlindungi '{want.description}' " + "; ".join(wrong)
    return Finding(text, {"updateProtectedRange": {"protectedRange": {
        "protectedRangeId": pr["protectedRangeId"], "warningOnly": False,
        "editors": _editors(want.users, editors.get("groups", [])),
    }, "fields": "warningOnly,editors"}})


def send(backend: Any, sid: str, requests: list[dict[str, Any]]) -> None:
    """One spreadsheets.batchUpdate with the repairs of one spreadsheet (raises GoogleError)."""
    adds = any("addProtectedRange" in r or "deleteProtectedRange" in r for r in requests)
    backend.call("write", "POST", f"{SHEETS_URL}/{quote(sid, safe='')}:batchUpdate",
                  f"memperbarui rentang terlindungi di {sid}", body={"requests": requests},
                  idempotent=not adds)  # an update sent twice is the same; an added range would be doubled,
    # a deleted one refused


SENT = "dikirim:"  # a token's people marker: repairs for these people were sent, to be confirmed by the next read


class Sync:
    """The repairs the reads of one cycle found, sent after its writes (GoogleBackend.after_cycle)."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.pending: dict[str, dict[str, list[dict[str, Any]]]] = {}  # spreadsheet -> OPD -> requests

    def check(self, sid: str, kode: str, sheet: dict[str, Any], header: Sequence[Any], before: Any,
              version: str) -> str | None:
        """What the tab's token says of its protections: the people fingerprint when they are in step
        with the config; ``SENT + fingerprint`` when repairs are queued (``send``), so the next cycle
        reads the tab again to confirm them; None when they could not be compared. ``before`` is the
        last token: repairs that landed (the version moved since) for the same people are not sent
        again, so a range Google keeps otherwise (e.g. it drops an e-mail) never costs a write every
        cycle; repairs that did not land (same version) are sent again."""
        b = self.backend
        operators = b.operators.get(kode, ())
        people = fingerprint(kode, operators, b.walidata, b.service_account)
        try:
            found = findings(sheet, kode, operators, b.walidata, b.service_account, lambda: b.feed.owners_of(sid), header)
        except GoogleError as exc:  # the owner could not be asked: compared again next cycle
            log.warning("pemilik spreadsheet %s tidak dapat ditanyakan: %s", sid, exc)
            return None
        if not found:
            return people
        if people_of(before) == SENT + people and version_of(before) != version:
            log.warning("Rentang terlindungi tab %s tetap berbeda setelah diperbarui (%s); periksa dengan "
                        "satudata doctor", kode, "; ".join(f.text for f in found))
            return people
        self.pending.setdefault(sid, {})[kode] = [f.request for f in found]
        return SENT + people

    def send(self) -> list[str]:
        """Send what the reads found; what failed, in Bahasa Indonesia (tried again next cycle)."""
        pending, self.pending = self.pending, {}
        problems = []
        for sid, per_tab in pending.items():
            try:
                send(self.backend, sid, [r for requests in per_tab.values() for r in requests])
            except GoogleError as exc:
                problems.append(f"{', '.join(per_tab)}: rentang terlindungi belum dapat diperbarui: "
                                f"{self.backend.explain(exc, sid)}; dicoba lagi pada siklus berikutnya")
        return problems
