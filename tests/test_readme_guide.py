"""The README's "Memulai tahun SOP di kantor Anda", run as a newcomer would: every `satudata` line of
its ``sh`` blocks, in order, in a fresh folder, with what people do between the commands typed into
the workbooks. A command added to the guide is run here too, so the guide cannot drift."""
from __future__ import annotations

import re
import shlex
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from service.cli.commands import main
from sheets.layout import match_headers
from sheets.xlsx.backend import save_atomic

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Memulai tahun SOP di kantor Anda"
BLOCK = re.compile(r"^```(\w+)[ \t]*([^\n]*)\n(.*?)^```", re.M | re.S)
STEP = re.compile(r"^### (?:(\d+)\. )?(.+)$", re.M)
WALIDATA = "Budi Santoso"
ANSWERS = ["Kabupaten Magetan", "opd.csv", WALIDATA, "budi@magetan.go.id", "SATUDATA_KATA_SANDI"]


def guide() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(step title, [(language, info, body)]) in README order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.index("\n## ", len(SECTION))]
    heads = list(STEP.finditer(section))
    return [(h.group(2), [(b.group(1), b.group(2).strip(), b.group(3))
                          for b in BLOCK.finditer(section, h.end(), heads[i + 1].start() if i + 1 < len(heads) else
                                                  len(section))])
            for i, h in enumerate(heads)]


def edit(path: Path, saver: str, rows: dict[int, dict[str, object]]) -> None:
    """Type into cells as ``saver`` would in Calc: {sheet row: {field key: value}}."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    columns = match_headers([c.value for c in sheet[1]]).columns
    for row, values in rows.items():
        for key, value in values.items():
            sheet.cell(row, columns[key] + 1).value = value  # cell(r, c, None) would leave the value
    book.properties.lastModifiedBy = saver
    save_atomic(book, path)


def status_of(path: Path) -> list[str]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    column = match_headers([c.value for c in sheet[1]]).columns["status"]
    return [r[column].value for r in sheet.iter_rows(min_row=2) if r[0].value]


class Newcomer:
    def __init__(self, home: Path, monkeypatch) -> None:
        self.home, self.mp = home, monkeypatch
        self.runner = CliRunner()
        self.outputs: list[str] = []

    def sheet(self, kode: str) -> Path:
        return Path.cwd() / "sheets" / f"{kode}.xlsx"

    def tick(self, who: str, *boxes: str, values: dict | None = None) -> None:
        for kode in ("DINKES", "DISPERKIM"):
            n = len(status_of(self.sheet(kode)))
            edit(self.sheet(kode), who, {r: {**{b: "YA" for b in boxes}, **(values or {})} for r in range(2, n + 2)})

    def poll(self) -> None:
        self.satudata("poll --once")

    def satudata(self, line: str, input: str | None = None) -> str:
        args = shlex.split(line)
        if args == ["run"]:
            return self.run_service()
        result = self.runner.invoke(main, args, input=input, catch_exceptions=False)
        assert result.exit_code == 0, f"satudata {line}\n{result.output}"
        self.outputs.append(result.output)
        return result.output

    def run_service(self) -> str:
        """`satudata run` until its first cycle's log line, then SIGTERM as systemd stops it."""
        exe = Path(sys.executable).with_name("satudata")
        proc = subprocess.Popen([str(exe), "run"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**__import__("os").environ, "PYTHONUNBUFFERED": "1"})
        lines = []
        try:
            for line in proc.stdout:
                lines.append(line)
                if re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WIB (INFO|WARNING) +siklus \d+: 2 OPD", line):
                    break
        finally:
            proc.send_signal(signal.SIGTERM)
            rest, _ = proc.communicate(timeout=120)
        out = "".join(lines) + rest
        assert proc.returncode == 0 and "Poller dan dasbor berhenti." in out, out
        return out


def people_before(step: str, me: Newcomer, year: int) -> None:
    """What people do by hand before the commands of ``step``."""
    if step.startswith("Lengkapi konfigurasi"):
        path = Path("satudata.toml")
        text = path.read_text(encoding="utf-8")
        text = text.replace("port = 8050", "port = 0")  # a free port: other dashboards may run here
        text = text.replace('walidata = { nama = "Budi Santoso", nip = "" }',
                            'walidata = { nama = "Budi Santoso", nip = "198001012005011001" }')
        text = re.sub(r'^# kepala = \{ nama = "…", nip = "…" \}', 'kepala = { nama = "dr. Rina Wulandari", '
                      'nip = "197803152005012003" }', text, flags=re.M)
        path.write_text(text, encoding="utf-8")
        me.mp.setenv("SATUDATA_KATA_SANDI", "rahasia-walidata")
    elif step.startswith("Cek bersama"):
        me.tick(WALIDATA, "dicek_bersama")
        me.poll()
        me.tick("Operator", "disepakati_opd")
        me.tick(WALIDATA, "disepakati_walidata")
        me.poll()
        me.tick("Operator", "disetujui_ka_opd")
    elif step.startswith("Isi dan verifikasi"):
        me.tick("Operator", "selesai_diisi", values={"nilai": "1"})
        me.poll()
        assert set(status_of(me.sheet("DINKES"))) == {"7 Diisi"}, me.outputs[-1]
        me.tick(WALIDATA, "terverifikasi")
    elif step.startswith("Bila tab ditahan"):
        me.poll()  # next year's draft rows get their IDs, then are agreed again
        me.tick(WALIDATA, "dicek_bersama")
        me.poll()
        me.tick("Operator", "disepakati_opd")
        me.tick(WALIDATA, "disepakati_walidata")
        me.poll()
        book = me.sheet("DINKES")
        sheet = openpyxl.load_workbook(book).worksheets[0]
        everything = [k for k in match_headers([c.value for c in sheet[1]]).columns]
        edit(book, "Operator", {r: dict.fromkeys(everything) for r in range(2, 14)})  # 12 agreed rows cleared
        me.poll()
        shown = me.satudata("status")
        assert "satudata confirm DINKES" in shown, "\n".join(me.outputs[-6:])


def test_the_readme_guide_takes_a_newcomer_from_init_to_a_published_row_a_berita_acara_and_next_year(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    me = Newcomer(tmp_path, monkeypatch)
    ran: list[str] = []
    year = None
    for title, blocks in guide():
        people_before(title, me, year)
        for language, info, body in blocks:
            if language == "csv":
                (Path.cwd() / info).write_text(body, encoding="utf-8")
            if language != "sh":
                continue
            for line in body.splitlines():
                line = line.split(" #", 1)[0].strip()
                if not line:
                    continue
                if line.startswith("cd "):
                    monkeypatch.chdir(line[3:])
                    year = tomllib.loads(Path("satudata.toml").read_text(encoding="utf-8"))["workspace"]["year"]
                    continue
                assert line.startswith("satudata "), f"the guide's sh blocks hold satudata commands only: {line}"
                if "rollover" in line:
                    line = line.replace("2027", str(year + 1))  # the guide's example year is next year's
                me.satudata(line[len("satudata "):], input="\n".join(ANSWERS) + "\n" if "--interaktif" in line
                            else None)
                ran.append(line.split()[1])
    assert {"init", "doctor", "distribute", "poll", "run", "status", "berita-acara", "riwayat", "publish", "rekap",
            "rollover", "pulihkan", "confirm"} <= set(ran)
    assert Path("sheets/DINKES.dipulihkan.xlsx").exists()
    assert Path("ba-kesepakatan-DINKES.pdf").read_bytes()[:5] == b"%PDF-"
    assert Path("ba-verifikasi-DINKES.pdf").read_bytes()[:5] == b"%PDF-"
    assert (Path("publikasi") / "datapackage.json").exists()
    assert f"year = {year + 1}" in Path("satudata.toml").read_text(encoding="utf-8")
    me.poll()  # the confirmed removal is carried out: 19 - 12 rows stay
    assert status_of(me.sheet("DINKES")) == ["5 Disepakati"] * 7


def test_readme_cli_table_lists_every_command_once():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("\n## CLI"):]
    table = table[:table.index("\n## ", 5)]
    named = re.findall(r"^\| `satudata ([a-z-]+)", table, re.M)
    assert len(named) == len(set(named)), sorted(n for n in named if named.count(n) > 1)
    assert set(main.commands) - {"confirm-removal"} <= set(named) | {"db"}


def test_readme_config_snippets_are_inside_code_blocks():
    """A TOML line outside a fence renders as a paragraph and runs into the next heading."""
    inside = False
    for number, line in enumerate((ROOT / "README.md").read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            inside = not inside
            continue
        if not inside:
            assert not re.match(r"^(\[\[?[a-z_.]+\]\]?|[a-z_]+ = [\"\[{0-9tf])", line), f"README.md:{number}: {line}"
