"""`satudata doctor`: is the workspace ready to poll? Each line is (ok, what was found or what to fix),
in Bahasa Indonesia. Nothing here writes to a sheet."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from service.config import Config
from service.config.people import without_operator_sk
from sheets.layout import match_headers

Line = tuple[bool | None, str]  # None: told, not a fault (a missing SK, SPM 3)

SETUP = ("buat akun layanan di Google Cloud Console (IAM & Admin > Service Accounts), aktifkan Google Sheets "
         "API dan Google Drive API, unduh kunci JSON-nya, lalu isi sheets.credentials di satudata.toml atau "
         "setel GOOGLE_APPLICATION_CREDENTIALS")


def doctor(config: Config, client: Any = None, service_account: str | None = None, fix: bool = False) -> list[Line]:
    """Check credentials, access to each spreadsheet, its owner, the tabs, their headers and their
    protected ranges against the config; ``fix`` repairs those ranges (one batchUpdate per
    spreadsheet). ``client`` is an already built gspread client (tests, with its ``service_account``
    e-mail); otherwise it is built from the service-account key."""
    lines = _people(config)
    if config.backend != "google":
        return _xlsx(config) + lines
    from sheets.google import GoogleBackend
    from sheets.google.auth import CredentialsError
    from sheets.google.retry import RetryPolicy

    try:
        extra = {"service_account": service_account} if client is not None else {}
        backend = GoogleBackend.from_config(config, client=client, retry=RetryPolicy(attempts=2), **extra)
    except CredentialsError as exc:
        return [(False, f"{exc}. Cara menyiapkan: {SETUP}")] + lines
    except Exception as exc:  # a config the backend cannot use
        return [(False, f"Backend google tidak dapat disiapkan: {exc}")] + lines
    sa = backend.service_account or "akun layanan"
    out: list[Line] = [(True, f"Kunci akun layanan terbaca: {sa}")] if client is None else []
    groups: dict[str, list[str]] = defaultdict(list)
    for opd in config.opds:
        groups[backend.spreadsheets[opd.kode]].append(opd.kode)
    for sid, kodes in groups.items():
        out += _spreadsheet(backend, sid, kodes, sa, fix)
    return out + _feed(backend, len(groups)) + remembered_google(config) + lines


def remembered_google(config: Config) -> list[Line]:
    """What the poller keeps in the workspace (status-google.json): a comment write that keeps
    failing, once per spreadsheet, and whether the live self-test ran."""
    from sheets.google.budget import STATE_NAME, Ledger

    from datetime import datetime

    from service.timefmt import format_tanggal

    ledger = Ledger(config.root / STATE_NAME)
    out: list[Line] = []
    for sid, state in sorted(ledger.section("komentar").items()):
        if isinstance(state, dict) and state.get("gagal"):
            try:
                since = format_tanggal(datetime.fromisoformat(str(state.get("sejak"))), with_time=True)
            except ValueError:
                since = "?"
            out.append((False, f"Komentar poller di spreadsheet {sid} belum tersimpan sejak {since} "
                               f"({state['gagal']} kali; {state.get('alasan', '')}); dicoba lagi setiap "
                               f"{state.get('jeda_siklus', 1)} siklus, siklus tanpa perubahan tetap 1 permintaan Drive"))
    return out


def _feed(backend: Any, spreadsheets: int) -> list[Line]:
    """With several spreadsheets an idle cycle rests on Drive's change feed (sheets/google_changes.py)."""
    from sheets.google.changes import FEED_FROM
    from sheets.google.retry import GoogleError

    if spreadsheets < FEED_FROM:
        return []
    try:
        backend.feed.start()
    except GoogleError as exc:
        disabled = exc.reason in ("SERVICE_DISABLED", "accessNotConfigured")
        return [(False, f"Umpan perubahan Drive (changes.getStartPageToken) tidak dapat dibaca: "
                        f"{backend.explain(exc, '') if disabled else exc}; poller akan bertanya versi setiap spreadsheet "
                        f"({spreadsheets} permintaan Drive per siklus)")]
    return [(True, f"Umpan perubahan Drive terbaca: siklus tanpa perubahan memakai 1 permintaan Drive untuk "
                   f"{spreadsheets} spreadsheet")]


def _spreadsheet(backend: Any, sid: str, kodes: list[str], sa: str, fix: bool) -> list[Line]:
    from sheets.google.protect import RANGE_FIELDS
    from sheets.google.retry import GoogleError

    try:
        info = backend.drive_file(sid, "name,capabilities(canEdit),owners(emailAddress)")
    except GoogleError as exc:
        return [(False, backend.explain(exc, sid))]
    name = info.get("name", sid)
    if not info.get("capabilities", {}).get("canEdit"):
        return [(False, f"{sa} hanya dapat melihat spreadsheet '{name}': bagikan spreadsheet ke {sa} sebagai Editor")]
    owners = tuple(o.get("emailAddress", "") for o in info.get("owners", []) if o.get("emailAddress"))
    out: list[Line] = [(True, f"Spreadsheet '{name}' ({sid}) dapat disunting oleh {sa}"), _owner_line(name, owners)]
    try:
        meta = backend.spreadsheet(sid, f"sheets(properties(sheetId,title),{RANGE_FIELDS})")
        sheets = {s["properties"].get("title", ""): s for s in meta.get("sheets", [])}
        present = {k: t for k in kodes if (t := _tab(sheets, k))}
        headers = backend.header_rows(sid, list(present.values())) if present else {}
    except GoogleError as exc:
        return out + [(False, backend.explain(exc, sid))]
    repairs: list[dict[str, Any]] = []
    for kode in kodes:
        title = present.get(kode)
        if title is None:
            out.append((True, f"Tab {kode} belum ada di '{name}'; dibuat otomatis dari templat pada poll berikutnya"))
            continue
        header = match_headers(headers.get(title, []))
        if header.missing:
            out.append((False, f"Tab {title}: kolom wajib tidak ditemukan di baris 1: {', '.join(header.missing)}. "
                               "Perbaiki judul kolomnya (urutan bebas)"))
        else:
            note = f" (kolom ganda, yang pertama dipakai: {', '.join(header.duplicated)})" if header.duplicated else ""
            out.append((True, f"Tab {title}: judul kolom lengkap{note}"))
        for pr in sheets[title].get("protectedRanges", []):
            if not pr.get("requestingUserCanEdit", True):
                what = pr.get("description") or "tanpa nama"
                out.append((False, f"Tab {title}: rentang terlindungi '{what}' tidak mengizinkan {sa}; tambahkan "
                                   f"{sa} sebagai editornya (Data > Lindungi sheet dan rentang)"))
        repairs += _protections(backend, sheets[title], kode, headers.get(title, []), owners, out)
    return out + (_fix(backend, sid, name, repairs) if fix and repairs else [])


def _owner_line(name: str, owners: tuple[str, ...]) -> Line:
    """The owner's edit right cannot be taken away: a person owns the file (a service account cannot)."""
    if not owners:
        return False, (f"Pemilik spreadsheet '{name}' tidak terlihat oleh akun layanan (spreadsheet di drive bersama?); "
                       "pemilik dan pengelola drive selalu dapat menyunting semua kolom, termasuk yang terlindungi")
    return True, (f"Pemilik spreadsheet '{name}': {', '.join(owners)}. Pemilik selalu dapat menyunting semua kolom, "
                  "termasuk rentang terlindungi (akun layanan tidak dapat menjadi pemilik berkas); pastikan pemiliknya "
                  "akun dinas Walidata, bukan akun pribadi")


def _protections(backend: Any, sheet: dict[str, Any], kode: str, header: list[Any], owners: tuple[str, ...],
                 out: list[Line]) -> list[dict[str, Any]]:
    """Each protected range out of step with the config, as a line; the requests that repair them."""
    from sheets.google.protect import findings

    found = findings(sheet, kode, backend.operators.get(kode, ()), backend.walidata, backend.service_account,
                     lambda: owners, header)
    title = sheet["properties"].get("title", kode)
    if not found:
        out.append((True, f"Tab {title}: rentang terlindungi sesuai satudata.toml"))
    out += [(False, f"{finding.text}; perbaiki dengan: satudata doctor --fix") for finding in found]
    return [f.request for f in found]


def _fix(backend: Any, sid: str, name: str, requests: list[dict[str, Any]]) -> list[Line]:
    from sheets.google.protect import send
    from sheets.google.retry import GoogleError

    try:
        send(backend, sid, requests)
    except GoogleError as exc:
        return [(False, f"Rentang terlindungi di '{name}' tidak dapat diperbaiki: {backend.explain(exc, sid)}")]
    return [(True, f"Rentang terlindungi di '{name}' diperbaiki ({len(requests)} perubahan); jalankan doctor "
                   "sekali lagi untuk memeriksa")]


def _tab(sheets: dict[str, Any], kode: str) -> str | None:
    if kode in sheets:
        return kode
    return next((t for t in sheets if t.casefold() == kode.casefold()), None)


def papers(config: Config) -> list[Line]:
    """SPM 3's papers: an OPD whose operators have no SK of appointment is told (None), not a fault."""
    missing = without_operator_sk(config.opds)
    if missing:
        names = ", ".join(o.kode for o in missing[:10]) + (f" dan {len(missing) - 10} OPD lain" if len(missing) > 10 else "")
        return [(None, f"SPM 3: {len(missing)} OPD belum punya Surat penunjukan operator data "
                       f"(sk_nomor dan sk_tanggal di [[opd]] operators): {names}")]
    return [(True, "SPM 3: setiap OPD punya operator dengan Surat penunjukan (SK)")] if config.opds else []


def _people(config: Config) -> list[Line]:
    out: list[Line] = []
    if not config.walidata:
        out.append((False, "walidata.emails kosong: isi email Walidata agar mereka dapat menyunting kolom Walidata"))
    if config.backend == "google":
        for opd in config.opds:
            if not opd.operators:
                out.append((False, f"OPD {opd.kode} belum punya email operator ([[opd]] operators): operatornya "
                                   "tidak dapat menyunting tab yang dibuat"))
    return out


def _xlsx(config: Config) -> list[Line]:
    from sheets.xlsx import XlsxBackend

    if not config.folder.is_dir():
        return [(True, f"Folder {config.folder} belum ada; dibuat pada poll berikutnya beserta buku kerja tiap OPD")]
    out: list[Line] = [(True, f"Backend xlsx: buku kerja di {config.folder}")]
    backend = XlsxBackend(config.folder)
    kodes = [o.kode for o in config.opds]
    for result in backend.read(kodes, {}):
        path = config.folder / f"{result.opd}.xlsx"
        if result.error and not path.exists():
            out.append((True, f"{path.name} belum ada; dibuat otomatis dari templat pada poll berikutnya"))
        elif result.error:
            out.append((False, result.error))
        elif (header := match_headers(result.snapshot.header)).missing:
            out.append((False, f"{path.name}: kolom wajib tidak ditemukan di baris 1: {', '.join(header.missing)}"))
        else:
            out.append((True, f"{path.name}: judul kolom lengkap"))
    return out


def live_test(config: Config, client: Any = None, service_account: str | None = None, second: Any = None,
              second_path: Any = None, sleep: Any = None, clock: Any = None, wait: float = 300.0) -> list[Line]:
    """`doctor --uji-langsung`: measure on the user's own account what the poller assumes
    (sheets/google/selftest.py), save it as uji-google.json in the workspace, and say per
    assumption what the poller will do. ``second`` a backend acting as a second account (tests),
    else one from the key at ``second_path`` (``--akun-kedua``)."""
    if config.backend != "google":
        return [(False, "--uji-langsung hanya untuk backend google")]
    from sheets.google import GoogleBackend
    from sheets.google.auth import CredentialsError, load_service_account
    from sheets.google.retry import RetryPolicy
    from sheets.google.selftest import RESULT_NAME, SelfTest, explain, save

    try:
        extra = {"service_account": service_account} if client is not None else {}
        backend = GoogleBackend.from_config(config, client=client, retry=RetryPolicy(attempts=3), **extra)
        if second is None and second_path is not None:
            import gspread

            credentials, email = load_service_account(second_path)
            second = GoogleBackend(gspread.Client(credentials), {}, service_account=email)
    except CredentialsError as exc:
        return [(False, f"{exc}. Cara menyiapkan: {SETUP}")]
    except Exception as exc:  # a config the backend cannot use
        return [(False, f"Backend google tidak dapat disiapkan: {exc}")]
    first = backend.spreadsheets[config.opds[0].kode] if config.opds else config.spreadsheet_id
    if not first:
        return [(False, "Tidak ada spreadsheet untuk diuji: isi [[opd]] atau spreadsheet_id di konfigurasi")]
    result = SelfTest(backend, second, sleep=sleep, clock=clock, wait=wait).run(first)
    path = config.root / RESULT_NAME
    save(path, result)
    return [*explain(result), (True, f"Hasil uji disimpan di {path}; poller menyesuaikan diri pada siklus berikutnya")]
