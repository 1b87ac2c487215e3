"""`satudata init`: a workspace folder with its file, rules and archive."""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from rules.rulefile import DEFAULT_FOLDER
from rules.wilayah import DEMO_KODE, REFERENCE, Wilayah
from service.config import CONFIG_NAME, ConfigError, spreadsheet_key

MAPPING_NAME = "spreadsheet-opd.csv"  # written by `init --per-opd`, read by `init --spreadsheets`
# The demo kabupaten's own OPD list and mail domain; any other kabupaten/kota starts from the
# perangkat daerah every one has (its Setda, badan and dinas) plus one OPD per kecamatan.
DEMO_OPDS, DEMO_DOMAIN = "magetan_opd.csv", "magetan.go.id"
COMMON_KINDS = {"Sekretariat", "Bagian Setda", "Inspektorat", "Badan", "Dinas", "Satuan"}


def wilayah_for(kode: str) -> Wilayah:
    """The kabupaten/kota of ``init --wilayah`` ("33.74" or "3374") in the national table."""
    digits = re.sub(r"\D", "", kode or "")
    dotted = f"{digits[:2]}.{digits[2:]}" if len(digits) == 4 else kode
    try:
        return Wilayah.load(dotted)
    except KeyError:
        raise ConfigError(f"--wilayah {kode!r} bukan kode kabupaten/kota Kemendagri yang dikenal "
                          "(tulis seperti 35.20 atau 33.74)") from None


def opds_for(kode: str = DEMO_KODE) -> list[dict[str, str]]:
    """The OPDs a new workspace of kabupaten/kota ``kode`` starts with."""
    with open(Path(REFERENCE) / DEMO_OPDS, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if kode == DEMO_KODE:
        return [{"kode": r["kode"], "nama": r["nama"]} for r in rows]
    common = [{"kode": r["kode"], "nama": r["nama"]} for r in rows if r["jenis"] in COMMON_KINDS]
    kecamatan = [{"kode": ("KEC-" + re.sub(r"[^A-Z0-9]+", "-", p.nama.upper()).strip("-"))[:31],
                  "nama": f"Kecamatan {p.nama}"} for p in wilayah_for(kode).kecamatan]
    return common + kecamatan


def mail_domain(kode: str) -> str:
    """A placeholder the Walidata replaces: <nama>kab.go.id / <nama>kota.go.id, the usual pattern."""
    if kode == DEMO_KODE:
        return DEMO_DOMAIN
    wilayah = wilayah_for(kode)
    kind = "kota" if wilayah.nama.casefold().startswith("kota ") else "kab"
    return re.sub(r"[^a-z0-9]", "", wilayah.tempat.casefold()) + kind + ".go.id"


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_config(year: int, backend: str, opds: list[dict[str, str]], name: str,
                  spreadsheet_id: str | None = None, credentials: str | None = None,
                  per_opd: dict[str, str] | None = None, kode_wilayah: str = DEMO_KODE) -> str:
    """satudata.toml; ``per_opd`` (KODE -> spreadsheet ID) gives those OPDs their own spreadsheet."""
    domain = mail_domain(kode_wilayah)
    lines = [
        "[workspace]",
        f"name = {_toml_str(name)}",
        f"year = {year}                       # tahun data yang dikumpulkan",
        f"kode_wilayah = {_toml_str(kode_wilayah)}            # {wilayah_for(kode_wilayah).nama} (kode Kemendagri)",
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
        f'emails = ["walidata@{domain}"]',
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
                  f"operators = [{_toml_str('operator.' + opd['kode'].lower() + '@' + domain)}]"]
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


def google_layout(spreadsheet_id: str | None, mapping: Path | None,
                  kode_wilayah: str = DEMO_KODE) -> tuple[str | None, dict[str, str] | None]:
    """(workspace spreadsheet, KODE -> own spreadsheet) from `init`'s options; every OPD needs one or the other."""
    shared = spreadsheet_key(spreadsheet_id, "--spreadsheet-id") if spreadsheet_id else None
    if mapping is None:
        return shared, None
    opds = [o["kode"] for o in opds_for(kode_wilayah)]
    own = read_mapping(mapping, opds)
    missing = [k for k in opds if k not in own]
    if missing and not shared:
        shown = ", ".join(missing[:8]) + (f" dan {len(missing) - 8} OPD lain" if len(missing) > 8 else "")
        raise ConfigError(f"OPD tanpa spreadsheet di {mapping}: {shown}. Isi kolom spreadsheet-nya, atau beri "
                          "--spreadsheet-id untuk spreadsheet bersama tempat OPD itu")
    return shared, own


def write_mapping_template(path: Path, kode_wilayah: str = DEMO_KODE) -> Path:
    """The CSV a person fills in: one row per OPD, the spreadsheet column empty."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["kode", "nama", "spreadsheet"])
        writer.writerows([o["kode"], o["nama"], ""] for o in opds_for(kode_wilayah))
    return path


def init_workspace(folder: Path, backend: str = "xlsx", year: int = 2025,
                   name: str | None = None, force: bool = False,
                   spreadsheet_id: str | None = None, credentials: str | None = None,
                   per_opd: dict[str, str] | None = None, kode_wilayah: str = DEMO_KODE) -> Path:
    kode_wilayah = wilayah_for(kode_wilayah).kode
    name = name or f"Pengumpulan Data {wilayah_for(kode_wilayah).nama}"
    folder = Path(folder)
    path = folder / CONFIG_NAME
    if path.exists() and not force:
        raise WorkspaceExists(f"{path} sudah ada; gunakan --force untuk menimpa")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sheets").mkdir(exist_ok=True)
    rules = folder / "rules"
    if not rules.exists():
        shutil.copytree(DEFAULT_FOLDER, rules)
    path.write_text(render_config(year, backend, opds_for(kode_wilayah), name, spreadsheet_id, credentials, per_opd,
                                  kode_wilayah), encoding="utf-8")
    return path
