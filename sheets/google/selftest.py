"""`satudata doctor --uji-langsung`: what only the user's own Google account can settle, measured.

In a scratch spreadsheet made in the folder of the first configured spreadsheet (Drive
``files.create``) and trashed afterwards, with the real credentials: how long Drive's ``version``
and change feed take to show an edit (several samples), whether a comment (the service account's,
and a second account's when given) moves ``version`` and reaches the feed, whether the service
account may ``insertComment``, whether the feed lists the file, how Google words the refusal of a
protected cell, whether the owner is listed among a range's editors, and whether an editor may
insert rows through a protected column. The answers are saved in the workspace (``uji-google.json``,
``RESULT_NAME``); ``Assumptions`` is how the poller reads them back and adapts.

Each result is a value or None ("tidak diukur": no scratch file, no second account, or the wait ran
out); nothing here decides for the poller what was not measured.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .changes import LIST_FIELDS
from .comments import SHEETS_URL
from .retry import GoogleError

log = logging.getLogger(__name__)

RESULT_NAME = "uji-google.json"
MIME = "application/vnd.google-apps.spreadsheet"
STEP = 5.0  # seconds between two looks at Drive while waiting for an edit to show


@dataclass(frozen=True)
class Assumptions:
    """What the poller takes as given unless ``uji-google.json`` measured otherwise."""

    comments_move_version: bool = True
    service_account_may_comment: bool = True
    feed_lists_shared: bool = True
    lag_seconds: float | None = None  # the slowest edit Drive's version took to show, when measured

    @classmethod
    def load(cls, path: Path | None) -> "Assumptions":
        if path is None or not path.is_file():
            return cls()
        try:
            found = json.loads(path.read_text(encoding="utf-8")).get("asumsi", {})
        except (OSError, ValueError, AttributeError) as exc:
            log.warning("%s tidak terbaca (%s); anggapan bawaan dipakai", path, exc)
            return cls()

        def said(key: str) -> bool | None:
            value = (found.get(key) or {}).get("hasil") if isinstance(found.get(key), dict) else None
            return value if isinstance(value, bool) else None

        moves = [v for v in (said("komentar_menggeser_versi"), said("komentar_akun_kedua_menggeser_versi"))
                 if v is not None]
        lag = (found.get("versi_setelah_suntingan") or {}).get("maks_detik")
        return cls(comments_move_version=all(moves) if moves else True,
                   service_account_may_comment=said("akun_layanan_boleh_berkomentar") is not False,
                   feed_lists_shared=said("umpan_mencantumkan_berkas") is not False,
                   lag_seconds=float(lag) if isinstance(lag, int | float) else None)


class SelfTest:
    def __init__(self, backend: Any, second: Any = None, sleep: Callable[[float], Any] | None = None,
                 clock: Callable[[], float] | None = None, wait: float = 300.0, samples: int = 3) -> None:
        import time

        self.backend, self.second = backend, second
        self.sleep, self.clock = sleep or time.sleep, clock or time.time
        self.wait, self.samples = wait, samples
        self.results: dict[str, dict[str, Any]] = {}
        self.sid = ""  # the scratch spreadsheet run() makes

    # --- requests -------------------------------------------------------------------------------

    def _drive(self, who: Any, method: str, path: str, what: str, params: Any = None, body: Any = None) -> dict:
        kind = "drive"
        return who.call(kind, method, f"https://www.googleapis.com/drive/v3/{path}", what, params=params, body=body,
                         idempotent=method == "GET")

    def _sheets(self, who: Any, method: str, path: str, what: str, params: Any = None, body: Any = None) -> dict:
        return who.call("read" if method == "GET" else "write", method, f"{SHEETS_URL}/{quote(self.sid, safe='')}{path}",
                         what, params=params, body=body, idempotent=method == "GET")

    def _batch(self, who: Any, requests: list[dict[str, Any]]) -> dict:
        return self._sheets(who, "POST", ":batchUpdate", "uji batchUpdate", body={"requests": requests})

    def _version(self) -> str:
        return str(self.backend.drive_file(self.sid, "version")["version"])

    def _put(self, who: Any, a1: str, text: str) -> None:
        self._sheets(who, "PUT", f"/values/{quote(a1, safe='')}", "uji values.update",
                     params={"valueInputOption": "RAW"}, body={"values": [[text]]})

    def _feed_lists(self, page: str) -> bool:
        answer = self._drive(self.backend, "GET", "changes", "uji changes.list", params={
            "pageToken": page, "pageSize": "1000", "fields": LIST_FIELDS, "includeItemsFromAllDrives": "true",
            "supportsAllDrives": "true", "restrictToMyDrive": "false"})
        return any(c.get("fileId") == self.sid for c in answer.get("changes", []))

    def _shows(self, before: str, page: str | None) -> tuple[float | None, float | None]:
        """Seconds until Drive's version moved past ``before`` and until the feed (from ``page``)
        listed the file; None for what did not show within the wait."""
        start, moved, listed = self.clock(), None, None
        while True:
            elapsed = self.clock() - start
            if moved is None and self._version() != before:
                moved = round(elapsed, 1)
            if listed is None and page is not None and self._feed_lists(page):
                listed = round(elapsed, 1)
            if (moved is not None and (listed is not None or page is None)) or elapsed >= self.wait:
                return moved, listed
            self.sleep(STEP)

    def _start(self) -> str | None:
        try:
            return self._drive(self.backend, "GET", "changes/startPageToken", "uji getStartPageToken",
                               params={"supportsAllDrives": "true"}).get("startPageToken")
        except GoogleError:
            return None

    def _note(self, key: str, result: Any, **extra: Any) -> None:
        self.results[key] = {"hasil": result, **extra}

    # --- the run --------------------------------------------------------------------------------

    def run(self, first_sid: str) -> dict[str, Any]:
        """Every measurement, the scratch file trashed whatever happens; the results as saved."""
        try:
            folder = (self.backend.drive_file(first_sid, "parents").get("parents") or [None])[0]
            made = self._drive(self.backend, "POST", "files", "uji files.create", params={"supportsAllDrives": "true"},
                               body={"name": "satudata-uji-langsung (boleh dihapus)", "mimeType": MIME,
                                     **({"parents": [folder]} if folder else {})})
            self.sid = made["id"]
            self._note("akun_layanan_boleh_membuat_berkas", True, folder=folder)
        except GoogleError as exc:
            self._note("akun_layanan_boleh_membuat_berkas", False, galat=str(exc)[:300])
            return self._saved()
        try:
            self._measure()
        except GoogleError as exc:  # what was measured stays; the rest is "tidak diukur"
            self.results["terhenti"] = {"hasil": None, "galat": str(exc)[:300]}
        finally:
            try:
                self._drive(self.backend, "PATCH", f"files/{quote(self.sid, safe='')}", "uji files.update (sampah)",
                            params={"supportsAllDrives": "true"}, body={"trashed": True})
                self._note("berkas_uji_dibuang", True)
            except GoogleError as exc:
                self._note("berkas_uji_dibuang", False, galat=str(exc)[:300], berkas=self.sid)
        return self._saved()

    def _measure(self) -> None:
        versions, feeds = [], []
        for n in range(self.samples):
            page, before = self._start(), self._version()
            self._put(self.backend, "A1", f"uji {n + 1}")
            moved, listed = self._shows(before, page)
            versions.append(moved)
            feeds.append(listed)
        shown = [v for v in versions if v is not None]
        self._note("versi_setelah_suntingan", len(shown) == len(versions), detik=versions,
                   maks_detik=max(shown) if shown else None)
        in_feed = [v for v in feeds if v is not None]
        self._note("umpan_mencantumkan_berkas", bool(in_feed), detik=feeds)
        self._comment_by(self.backend, "komentar_menggeser_versi", "akun_layanan_boleh_berkomentar")
        owner = tuple(o.get("emailAddress", "") for o in
                      self.backend.drive_file(self.sid, "owners(emailAddress)").get("owners", []))
        sa = self.backend.service_account or ""
        self._batch(self.backend, [{"addProtectedRange": {"protectedRange": {
            "range": {"sheetId": 0, "startColumnIndex": 1, "endColumnIndex": 2}, "description": "uji satudata",
            "warningOnly": False, "editors": {"users": [sa], "domainUsersCanEdit": False}}}}])
        ranges = self._sheets(self.backend, "GET", "", "uji spreadsheets.get",
                              params={"fields": "sheets(protectedRanges(editors))"})
        editors = {u.casefold() for s in ranges.get("sheets", []) for p in s.get("protectedRanges", [])
                   for u in (p.get("editors") or {}).get("users", [])}
        self._note("pemilik_di_antara_editor_rentang", bool(owner) and all(o.casefold() in editors for o in owner),
                   pemilik=list(owner))
        if self.second is None:
            for key in ("komentar_akun_kedua_menggeser_versi", "bunyi_galat_sel_terlindungi",
                        "editor_dapat_menyisipkan_baris_di_kolom_terlindungi"):
                self._note(key, None, alasan="tanpa --akun-kedua")
            return
        self._drive(self.backend, "POST", f"files/{quote(self.sid, safe='')}/permissions", "uji permissions.create",
                    params={"sendNotificationEmail": "false", "supportsAllDrives": "true"},
                    body={"type": "user", "role": "writer", "emailAddress": self.second.service_account})
        self._comment_by(self.second, "komentar_akun_kedua_menggeser_versi", None)
        try:
            self._put(self.second, "B2", "uji sel terlindungi")
            self._note("bunyi_galat_sel_terlindungi", None, alasan="akun kedua boleh menulis sel terlindungi")
        except GoogleError as exc:
            self._note("bunyi_galat_sel_terlindungi", str(exc)[:300], status=exc.status)
        try:
            self._batch(self.second, [{"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS",
                                                                      "startIndex": 2, "endIndex": 3},
                                                           "inheritFromBefore": True}}])
            self._note("editor_dapat_menyisipkan_baris_di_kolom_terlindungi", True)
        except GoogleError as exc:
            self._note("editor_dapat_menyisipkan_baris_di_kolom_terlindungi", False, galat=str(exc)[:300])

    def _settle(self) -> None:
        """Wait until earlier changes have shown (the version still for the slowest edit's lag and a
        step), so a version that moves next is the comment's, not a late edit's."""
        quiet = (self.results.get("versi_setelah_suntingan", {}).get("maks_detik") or 0.0) + STEP
        start, last = self.clock(), self._version()
        still = self.clock()
        while self.clock() - still < quiet and self.clock() - start < self.wait:
            self.sleep(STEP)
            now = self._version()
            if now != last:
                last, still = now, self.clock()

    def _comment_by(self, who: Any, moves_key: str, may_key: str | None) -> None:
        self._settle()
        page, before = self._start(), self._version()
        try:
            answer = self._batch(who, [{"insertComment": {"coordinate": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
                                                          "content": "uji satudata: komentar"}}])
            saved = answer.get("commentUpdateState") == "ALL_SAVED"
        except GoogleError as exc:
            saved, why = False, str(exc)[:300]
        else:
            why = f"commentUpdateState {answer.get('commentUpdateState')}"
        if may_key:
            self._note(may_key, saved, **({} if saved else {"galat": why}))
        if not saved:
            self._note(moves_key, None, alasan="komentar tidak tersimpan")
            return
        moved, listed = self._shows(before, page)
        self._note(moves_key, moved is not None, detik=moved, umpan_detik=listed)

    def _saved(self) -> dict[str, Any]:
        return {"waktu": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "akun_layanan": self.backend.service_account,
                "akun_kedua": getattr(self.second, "service_account", None), "asumsi": self.results}


def save(path: Path, result: dict[str, Any]) -> None:
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


# --- what each result means, in Bahasa Indonesia --------------------------------------------------


def explain(result: dict[str, Any]) -> list[tuple[bool, str]]:
    """Each assumption as a line (ok, what was measured and what the poller does about it)."""
    found = result.get("asumsi", {})

    def get(key: str) -> dict[str, Any]:
        return found.get(key) or {"hasil": None, "alasan": "tidak diukur"}

    out: list[tuple[bool, str]] = []
    made = get("akun_layanan_boleh_membuat_berkas")
    if not made["hasil"]:
        return [(False, f"Akun layanan tidak dapat membuat spreadsheet uji di folder spreadsheet pertama "
                        f"({made.get('galat', 'tidak diketahui')}): uji langsung tidak berjalan; poller memakai anggapan "
                        "bawaan. Pakai folder di drive bersama, atau bagikan folder yang boleh diisi akun layanan")]
    v = get("versi_setelah_suntingan")
    out.append((bool(v["hasil"]), f"Versi Drive setelah suntingan: {_seconds(v.get('detik'))}. "
                + ("Poller melihat suntingan paling lambat selama itu ditambah satu siklus." if v["hasil"] else
                   "Sebagian suntingan tidak terlihat dalam batas tunggu: poller tetap membaca ulang setiap kali versi "
                   "berubah; naikkan batas tunggu (--batas-detik) untuk mengukur ulang.")))
    f = get("umpan_mencantumkan_berkas")
    out.append((bool(f["hasil"]), "Umpan perubahan Drive (changes.list) mencantumkan berkas: "
                + (f"ya, setelah {_seconds(f.get('detik'))}. Siklus tanpa perubahan tetap 1 permintaan Drive."
                   if f["hasil"] else "tidak. Poller bertanya versi setiap spreadsheet (files.get) setiap siklus.")))
    c = get("akun_layanan_boleh_berkomentar")
    out.append((c["hasil"] is not False, "Akun layanan boleh menulis komentar (insertComment): "
                + ("ya; galat pemblokir diberi utas komentar yang ditugaskan." if c["hasil"] else
                   f"tidak ({c.get('galat', c.get('alasan', ''))}). Poller tidak menulis komentar; temuan tetap "
                   "ditulis sebagai catatan sel dan Hasil Pemeriksaan.")))
    for key, who in (("komentar_menggeser_versi", "akun layanan"), ("komentar_akun_kedua_menggeser_versi", "akun kedua")):
        m = get(key)
        if m["hasil"] is None:
            out.append((True, f"Komentar {who} menggeser versi Drive: tidak diukur ({m.get('alasan', '')})."))
        else:
            out.append((bool(m["hasil"]), f"Komentar {who} menggeser versi Drive: "
                        + (f"ya, setelah {_seconds([m.get('detik')])}." if m["hasil"] else
                           "tidak. Poller memeriksa komentar baru setiap spreadsheet dengan Drive comments.list "
                           "(startModifiedTime) setiap siklus: 1 permintaan Drive per spreadsheet.")))
    o = get("pemilik_di_antara_editor_rentang")
    out.append((True, "Pemilik berkas tercantum di antara editor rentang terlindungi: "
                + ("ya." if o["hasil"] else "tidak, tetapi pemilik selalu dapat menyunting semua kolom; doctor "
                   "menyebut pemiliknya.") if o["hasil"] is not None else "Pemilik di antara editor rentang: tidak diukur."))
    p = get("bunyi_galat_sel_terlindungi")
    out.append((True, f"Bunyi galat Google untuk sel terlindungi: {p['hasil']!r}. Poller mengenalinya dari kata "
                      "'protected cell'." if p["hasil"] else
                f"Bunyi galat sel terlindungi: tidak diukur ({p.get('alasan', '')})."))
    r = get("editor_dapat_menyisipkan_baris_di_kolom_terlindungi")
    out.append((True, "Editor dapat menyisipkan baris melewati kolom terlindungi: "
                + ("ya; baris baru diberi ID oleh poller." if r["hasil"] else "tidak; operator menambah baris di "
                   "bawah baris terakhir.") if r["hasil"] is not None else
                f"Editor menyisipkan baris melewati kolom terlindungi: tidak diukur ({r.get('alasan', '')})."))
    t = get("berkas_uji_dibuang")
    out.append((bool(t["hasil"]), "Spreadsheet uji dipindah ke sampah." if t["hasil"] else
                f"Spreadsheet uji {t.get('berkas', '')} tidak dapat dibuang ({t.get('galat', '')}): hapus manual."))
    if found.get("terhenti"):
        out.append((False, f"Uji terhenti: {found['terhenti'].get('galat')}; sisanya tidak diukur."))
    return out


def _seconds(values: Any) -> str:
    shown = [v for v in values or [] if v is not None]
    missing = len(values or []) - len(shown)
    text = ", ".join(f"{v:g} detik" for v in shown) or "tidak terlihat"
    return text + (f" ({missing} tidak terlihat dalam batas tunggu)" if missing and shown else "")
