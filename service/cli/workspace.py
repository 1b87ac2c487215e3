"""`satudata init`: a workspace folder with its file, rules and archive."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

from rules.rulefile import DEFAULT_FOLDER
from rules.wilayah import REFERENCE
from service.config import CONFIG_NAME


def magetan_opds() -> list[dict[str, str]]:
    with open(Path(REFERENCE) / "magetan_opd.csv", encoding="utf-8", newline="") as fh:
        return [{"kode": r["kode"], "nama": r["nama"]} for r in csv.DictReader(fh)]


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_config(year: int, backend: str, opds: list[dict[str, str]], name: str,
                  spreadsheet_id: str | None = None, credentials: str | None = None) -> str:
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
    return "\n".join(lines) + "\n"


class WorkspaceExists(Exception):
    pass


def init_workspace(folder: Path, backend: str = "xlsx", year: int = 2025,
                   name: str = "Pengumpulan Data Kabupaten Magetan", force: bool = False,
                   spreadsheet_id: str | None = None, credentials: str | None = None) -> Path:
    folder = Path(folder)
    path = folder / CONFIG_NAME
    if path.exists() and not force:
        raise WorkspaceExists(f"{path} sudah ada; gunakan --force untuk menimpa")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sheets").mkdir(exist_ok=True)
    rules = folder / "rules"
    if not rules.exists():
        shutil.copytree(DEFAULT_FOLDER, rules)
    path.write_text(render_config(year, backend, magetan_opds(), name, spreadsheet_id, credentials),
                    encoding="utf-8")
    return path
