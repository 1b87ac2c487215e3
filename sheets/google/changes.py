"""Which spreadsheets changed since the last cycle: Drive's change feed (DECISIONS.md #15).

Asking Drive ``files.get?fields=version`` of every spreadsheet costs one Drive call per spreadsheet
per cycle, 57 when every OPD has its own. ``changes.list?pageToken=P`` answers for all of them at
once: the files changed since P, each with its current version, and the token to ask from next
time. An idle workspace then costs ONE Drive call per cycle, whatever the number of spreadsheets.

The page token travels inside each OPD's token, which the poller already stores per tab (a tab
that did not change hands back a refreshed one, ``TabResult.token``), so it survives
``poll --once`` processes without a table of its own. A token is ``(version, page, people)``:

* ``version``: the Drive version the read saw; the write guard compares it with Drive's own;
* ``page``: a feed position taken *before* that version was observed, so every later change of the
  spreadsheet is listed from it (an older position is always safe, only longer to list);
* ``people``: a fingerprint of who satudata.toml says may edit the tab (sheets/google_protect.py),
  None while its protected ranges are not known to be in step, so the tab is read (and its
  protections compared) again.

A plain string is a version alone (a token stored before this module). On any doubt the version is
asked with files.get: no page token yet (first run: getStartPageToken is asked first), a page
token Drive refuses (400/404/410: a new one is started), a failed or overlong listing, a file the
feed lists as removed, tabs of one spreadsheet whose tokens disagree. With a single spreadsheet the
feed saves nothing, so files.get is used and no page token is kept.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from .retry import GoogleError

log = logging.getLogger(__name__)

CHANGES_URL = "https://www.googleapis.com/drive/v3/changes"
LIST_FIELDS = "nextPageToken,newStartPageToken,changes(fileId,removed,file(version,owners(emailAddress)))"
FILE_FIELDS = "version,owners(emailAddress)"
FEED_FROM = 2  # spreadsheets; with fewer, files.get costs the same one call
MAX_PAGES = 10  # of 1,000 changes; a longer backlog is cheaper to settle with files.get
# changes listed before the tokens of unchanged tabs move to the newest position: moving them costs an
# archive write per tab, not moving them makes each listing a little longer
REFRESH_AFTER = 100
ORDER_KEPT = 500  # feed positions remembered, in the order Drive handed them out


def _parts(token: Any) -> tuple[Any, Any, Any]:
    if isinstance(token, list | tuple):
        return (tuple(token) + (None, None, None))[:3]
    return token, None, None


def version_of(token: Any) -> str | None:
    """The Drive version a token (or a bare version) names."""
    version = _parts(token)[0]
    return None if version is None else str(version)


def page_of(token: Any) -> str | None:
    return _parts(token)[1]


def people_of(token: Any) -> str | None:
    return _parts(token)[2]


def same_token(a: Any, b: Any) -> bool:
    return _parts(a) == _parts(b)


class ChangeFeed:
    """One backend's view of the change feed: asked once per read, before any version is used."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.page: str | None = None  # the position this read's tokens carry
        self.owners: dict[str, tuple[str, ...]] = {}  # spreadsheet -> its owners' e-mails, as Drive said
        self._current: dict[str, str] = {}  # spreadsheet -> version the feed vouches for in this read
        self._asked: dict[str, str] = {}  # spreadsheet -> version files.get answered in this read
        self._listed = 0  # changes the feed listed in this read
        self._mixed = False  # tokens on positions of unknown order: move them all to this read's

    def look(self, groups: Mapping[str, Sequence[str]], known: Mapping[str, Any]) -> None:
        """Ask the feed (one changes.list) which spreadsheets changed since the tokens were handed out."""
        self._current, self.page, self._listed, self._asked = {}, None, 0, {}
        if len(groups) < FEED_FROM or not self.backend.assumptions.feed_lists_shared:
            return  # measured: this account's feed leaves out shared files, so files.get each
        pages = Counter(p for kodes in groups.values() for k in kodes if (p := page_of(known.get(k))))
        self._mixed = False
        if not pages:  # first run, or tokens from before the feed
            self.page = self._remember(self._start())
            return
        rank: dict[str | None, int] = {p: i for i, p in enumerate(self._order())}
        if all(p in rank for p in pages):  # list from the oldest: it vouches for every later position too
            page = min(pages, key=rank.__getitem__)
        else:  # positions this workspace did not record: the most common, and every token moves after
            page, self._mixed = pages.most_common(1)[0][0], len(pages) > 1
        try:
            latest, self.page, complete = self._list(page)
        except GoogleError as exc:
            if exc.status in (400, 404, 410):
                log.info("page token perubahan Drive ditolak (%s); mulai dari token baru", exc.status)
                self.page = self._remember(self._start())
            else:  # the old position still lists every change after it
                log.warning("daftar perubahan Drive tidak dapat dibaca (%s); versi ditanyakan per spreadsheet", exc)
                self.page = page
            return
        self._remember(self.page)
        self._listed = len(latest)
        if not complete:
            return
        for sid, kodes in groups.items():
            if sid in latest:
                if latest[sid] is not None:
                    self._current[sid] = latest[sid]
                continue
            # a token at the listed position or a later one: nothing listed since means nothing changed since
            carried = {version_of(known.get(k)) for k in kodes
                       if page_of(known.get(k)) == page or rank.get(page_of(known.get(k)), -1) > rank.get(page, 10**9)}
            if len(carried) == 1 and None not in carried:
                self._current[sid] = carried.pop()

    def version(self, sid: str) -> str:
        """The spreadsheet's current Drive version: as the feed vouched for it, else files.get."""
        if sid in self._current:
            return self._current[sid]
        if sid not in self._asked:
            info = self.backend.drive_file(sid, FILE_FIELDS)
            self._note_owners(sid, info)
            self._asked[sid] = str(info["version"])
        return self._asked[sid]

    def forget(self, sid: str) -> None:
        """Our own write moved the spreadsheet (a tab added): ask its version again before reading,
        or the read would carry the version before our write and its writes be refused."""
        self._current.pop(sid, None)
        self._asked.pop(sid, None)

    def token(self, version: str, people: str | None) -> tuple[str, str | None, str | None]:
        """The token of a tab read now at ``version``."""
        return version, self.page, people

    @staticmethod
    def current(known: Any, version: str, people: str) -> bool:
        """The tab is as its token says: the same version, its protections in step with these people."""
        return known is not None and version_of(known) == version and people_of(known) == people

    def refreshed(self, sid: str, known: Any) -> tuple[str | None, str | None, str | None] | None:
        """The token of a tab that did not change, moved to this read's feed position; None when the
        stored one still holds: it carries no position to move, or the feed answered for it from a
        short listing (so an idle or ordinary busy cycle writes nothing to the archive for it)."""
        if self.page is None or (sid in self._current and self._listed < REFRESH_AFTER and not self._mixed):
            return None
        fresh = (version_of(known), self.page, people_of(known))
        return None if same_token(known, fresh) else fresh

    def owners_of(self, sid: str) -> tuple[str, ...]:
        """The owners' e-mails (one Drive files.get the first time they are needed)."""
        if sid not in self.owners:
            self._note_owners(sid, self.backend.drive_file(sid, "owners(emailAddress)"))
        return self.owners.get(sid, ())

    # --- Drive calls ---------------------------------------------------------------------------

    def start(self) -> str | None:
        """A page token for changes from now on (changes.getStartPageToken; raises GoogleError)."""
        answer = self.backend.call("drive", "GET", f"{CHANGES_URL}/startPageToken", "Drive changes.getStartPageToken",
                                    params={"supportsAllDrives": "true"})
        return answer.get("startPageToken")

    def _start(self) -> str | None:
        try:
            return self.start()
        except GoogleError as exc:
            log.warning("token awal perubahan Drive tidak dapat diminta: %s", exc)
            return None

    def _list(self, page: str) -> tuple[dict[str, str | None], str, bool]:
        """({spreadsheet: current version, None when removed}, the next position, listed to the end)."""
        latest: dict[str, str | None] = {}
        for _ in range(MAX_PAGES):
            answer = self.backend.call("drive", "GET", CHANGES_URL, "Drive changes.list", params={
                "pageToken": page, "pageSize": "1000", "fields": LIST_FIELDS,
                "includeItemsFromAllDrives": "true", "supportsAllDrives": "true",
                # Drive documents that only restrictToMyDrive=true leaves out "shared files which have not
                # been added to My Drive": said explicitly, since every spreadsheet is shared with the poller
                "restrictToMyDrive": "false", "includeRemoved": "true"})
            for change in answer.get("changes", []):
                file = change.get("file") or {}
                version = file.get("version")
                latest[change.get("fileId", "")] = None if change.get("removed") or version is None else str(version)
                self._note_owners(change.get("fileId", ""), file)
            if answer.get("newStartPageToken"):
                return latest, answer["newStartPageToken"], True
            if not answer.get("nextPageToken"):
                raise GoogleError("changes.list tanpa nextPageToken maupun newStartPageToken", 500)
            page = answer["nextPageToken"]
        log.info("lebih dari %s halaman perubahan Drive; versi ditanyakan per spreadsheet", MAX_PAGES)
        return latest, page, False

    def _order(self) -> list[str]:
        """The feed positions this workspace was handed, oldest first (status-google.json)."""
        order = self.backend.ledger.section("umpan").get("urutan")
        return [str(p) for p in order] if isinstance(order, list) else []

    def _remember(self, page: str | None) -> str | None:
        """Positions are handed out in time order, so the order they arrive in is theirs."""
        if page is not None:
            order = [p for p in self._order() if p != page] + [page]
            self.backend.ledger.section("umpan")["urutan"] = order[-ORDER_KEPT:]
        return page

    def _note_owners(self, sid: str, file: Mapping[str, Any]) -> None:
        if "owners" in file:
            self.owners[sid] = tuple(o.get("emailAddress", "") for o in file["owners"] if o.get("emailAddress"))
