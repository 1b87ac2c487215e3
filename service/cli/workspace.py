"""`satudata init`: a workspace folder with its file, rules and archive."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

from rules.rulefile import DEFAULT_FOLDER
from rules.wilayah import REFERENCE
from service.config import CONFIG_NAME, ConfigError, spreadsheet_key

MAPPING_NAME = "spreadsheet-opd.csv"  # written by `init --per-opd`, read by `init --spreadsheets`


def magetan_opds() -> list[dict[str, str]]:
    with open(Path(REFERENCE) / "magetan_opd.csv", encoding="utf-8", newline="") as fh:
        return [{"kode": r["kode"], "nama": r["nama"]} for r in csv.DictReader(fh)]


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_config(year: int, backend: str, opds: list[dict[str, str]], name: str,
                  spreadsheet_id: str | None = None, credentials: str | None = None,
                  per_opd: dict[str, str] | None = None) -> str:
    """satudata.toml; ``per_opd`` (KODE -> spreadsheet ID) gives those OPDs their own spreadsheet."""
    lines = [
        "[workspace]",
        f"name = {_toml_str(name)}",
        f"year = {year}                       # tahun data yang dikumpulkan",
        "",
        "[sheets]",
        f'backend = "{backend}"                  # "xlsx" (Excel lokal) atau "google"',
        'folder = "sheets"                  # xlsx: <folder>/<KODE>.xlsx, satu tab bernama <KODE>',
        (f"spreadsheet_id = {_toml_str(spreadsheet_id)}" if spreadsheet_id else
         '# spreadsheet_id = "..."            # google: satu spreadsheet, satu tab per OPD bernama <KODE>'),
        (f"credentials = {_toml_str(credentials)}" if credentials else
         '# credentials = "secrets/sa.json"   # google: atau GOOGLE_APPLICATION_CREDENTIALS'),
        "",
        "[archive]",
        'url = "sqlite:///arsip.sqlite"',
        "",
        "[poller]",
        "interval_seconds = 60",
        "",
        "[walidata]",
        'emails = ["walidata@magetan.go.id"]',
        "",
        "[rules]",
        'folder = "rules"',
        "",
        "[dashboard]",
        'host = "127.0.0.1"',
        "port = 8050",
        "# users = { walidata = \"scrypt:32768:8:1$...\" }   # hash dari: satudata hash-password",
    ]
    for opd in opds:
        lines += ["", "[[opd]]", f"kode = {_toml_str(opd['kode'])}", f"nama = {_toml_str(opd['nama'])}",
                  f"operators = [{_toml_str('operator.' + opd['kode'].lower() + '@magetan.go.id')}]"]
        if (per_opd or {}).get(opd["kode"]):
            lines.append(f"spreadsheet_id = {_toml_str(per_opd[opd['kode']])}   # spreadsheet OPD ini sendiri")
    return "\n".join(lines) + "\n"


class WorkspaceExists(Exception):
    pass


def read_mapping(path: Path, known: list[str]) -> dict[str, str]:
    """KODE -> spreadsheet ID from a CSV with the columns ``kode`` and ``spreadsheet`` (an ID or the
    spreadsheet's URL), comma or semicolon separated (as Excel and Google Sheets save it). An empty
    ``spreadsheet`` leaves the OPD in the workspace spreadsheet; every other fault is named."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Berkas {path} tidak dapat dibaca ({type(exc).__name__})") from None
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    rows = list(csv.DictReader(text.splitlines(), delimiter=delimiter))
    columns = {(c or "").strip().casefold(): c for c in (rows[0].keys() if rows else [])}
    if "kode" not in columns or "spreadsheet" not in columns:
        raise ConfigError(f"{path} harus punya baris judul dengan kolom 'kode' dan 'spreadsheet' (ID atau URL)")
    out: dict[str, str] = {}
    owner: dict[str, str] = {}
    for line, row in enumerate(rows, 2):
        kode = (row.get(columns["kode"]) or "").strip().upper()
        if not kode:
            continue
        if kode not in known:
            raise ConfigError(f"{path} baris {line}: kode OPD '{kode}' tidak dikenal")
        if kode in out:
            raise ConfigError(f"{path} baris {line}: kode OPD '{kode}' ganda")
        sid = spreadsheet_key(row.get(columns["spreadsheet"]) or "", f"{path} baris {line}")
        if sid is None:
            continue
        if sid in owner:
            raise ConfigError(f"{path} baris {line}: spreadsheet {sid} sudah dipakai {owner[sid]}; setiap OPD "
                              "butuh spreadsheet sendiri (atau kosongkan agar memakai spreadsheet bersama)")
        out[kode], owner[sid] = sid, kode
    return out


def google_layout(spreadsheet_id: str | None, mapping: Path | None) -> tuple[str | None, dict[str, str] | None]:
    """(workspace spreadsheet, KODE -> own spreadsheet) from `init`'s options; every OPD needs one or the other."""
    shared = spreadsheet_key(spreadsheet_id, "--spreadsheet-id") if spreadsheet_id else None
    if mapping is None:
        return shared, None
    opds = [o["kode"] for o in magetan_opds()]
    own = read_mapping(mapping, opds)
    missing = [k for k in opds if k not in own]
    if missing and not shared:
        shown = ", ".join(missing[:8]) + (f" dan {len(missing) - 8} OPD lain" if len(missing) > 8 else "")
        raise ConfigError(f"OPD tanpa spreadsheet di {mapping}: {shown}. Isi kolom spreadsheet-nya, atau beri "
                          "--spreadsheet-id untuk spreadsheet bersama tempat OPD itu")
    return shared, own


def write_mapping_template(path: Path) -> Path:
    """The CSV a person fills in: one row per OPD, the spreadsheet column empty."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["kode", "nama", "spreadsheet"])
        writer.writerows([o["kode"], o["nama"], ""] for o in magetan_opds())
    return path


def init_workspace(folder: Path, backend: str = "xlsx", year: int = 2025,
                   name: str = "Pengumpulan Data Kabupaten Magetan", force: bool = False,
                   spreadsheet_id: str | None = None, credentials: str | None = None,
                   per_opd: dict[str, str] | None = None) -> Path:
    folder = Path(folder)
    path = folder / CONFIG_NAME
    if path.exists() and not force:
        raise WorkspaceExists(f"{path} sudah ada; gunakan --force untuk menimpa")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sheets").mkdir(exist_ok=True)
    rules = folder / "rules"
    if not rules.exists():
        shutil.copytree(DEFAULT_FOLDER, rules)
    path.write_text(render_config(year, backend, magetan_opds(), name, spreadsheet_id, credentials, per_opd),
                    encoding="utf-8")
    return path
