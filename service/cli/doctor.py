"""`satudata doctor`: is the workspace ready to poll? Each line is (ok, what was found or what to fix),
in Bahasa Indonesia. Nothing here writes to a sheet."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from service.config import Config
from sheets.layout import match_headers

Line = tuple[bool, str]

SETUP = ("buat akun layanan di Google Cloud Console (IAM & Admin > Service Accounts), aktifkan Google Sheets "
         "API dan Google Drive API, unduh kunci JSON-nya, lalu isi sheets.credentials di satudata.toml atau "
         "setel GOOGLE_APPLICATION_CREDENTIALS")


def doctor(config: Config, client: Any = None, service_account: str | None = None) -> list[Line]:
    """Check credentials, access to each spreadsheet, the tabs and their headers. ``client`` is an
    already built gspread client (tests, with its ``service_account`` e-mail); otherwise it is
    built from the service-account key."""
    lines = _people(config)
    if config.backend != "google":
        return _xlsx(config) + lines
    from sheets.google import CredentialsError, GoogleBackend
    from sheets.google_retry import RetryPolicy

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
        out += _spreadsheet(backend, sid, kodes, sa)
    return out + lines


def _spreadsheet(backend: Any, sid: str, kodes: list[str], sa: str) -> list[Line]:
    from sheets.google_retry import GoogleError

    try:
        info = backend.drive_file(sid, "name,capabilities(canEdit)")
    except GoogleError as exc:
        return [(False, backend.explain(exc, sid))]
    name = info.get("name", sid)
    if not info.get("capabilities", {}).get("canEdit"):
        return [(False, f"{sa} hanya dapat melihat spreadsheet '{name}': bagikan spreadsheet ke {sa} sebagai Editor")]
    out: list[Line] = [(True, f"Spreadsheet '{name}' ({sid}) dapat disunting oleh {sa}")]
    try:
        meta = backend.spreadsheet(sid, "sheets(properties(sheetId,title),protectedRanges(description,"
                                        "requestingUserCanEdit))")
        sheets = {s["properties"].get("title", ""): s for s in meta.get("sheets", [])}
        present = {k: t for k in kodes if (t := _tab(sheets, k))}
        headers = backend.header_rows(sid, list(present.values())) if present else {}
    except GoogleError as exc:
        return out + [(False, backend.explain(exc, sid))]
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
    return out


def _tab(sheets: dict[str, Any], kode: str) -> str | None:
    if kode in sheets:
        return kode
    return next((t for t in sheets if t.casefold() == kode.casefold()), None)


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
