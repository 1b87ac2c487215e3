"""A real `satudata poll --once` on an Excel workspace of N workbooks x M rows, against the budget
of DECISIONS.md #5, with the share of each phase of the poll.

    python bench/poll.py --opd 40 --rows 500 --edited 0.01 --runs 3

The workspace is generated once (workbooks from the product's own template, rows typed by an
"operator"); every run polls a fresh copy of the state the scenario starts from, so runs are
independent and the minimum of ``--runs`` is a fair figure on a shared machine. Scenarios:

- pertama: every row new (IDs, Status, notes written to every row of every workbook);
- tanpa perubahan: nothing changed since the last poll (start-up + one stat per workbook);
- diedit: ``--edited`` of the rows of every workbook had their Nilai changed (saved by the XML
  patch writer, as a stand-in for the user's save). Before, the poller took half of every
  workbook's rows through agreement and filling (7 Diisi) and half of those through verification
  (10 Diarsip), and the edited rows are drawn from those, so the write path (Status, notes, a
  new verification asked for) and the archive's history are measured, not only the read.

For each: wall seconds (min and median) and CPU seconds of the child process (user + system).
Then the edited cycle against its target (DECISIONS.md #149), in CPU seconds of this run: at most 3x the
idle cycle plus the cost of the edited rows, a row's cost being what the first poll spent per
row beyond the idle cycle ((pertama - tanpa perubahan) / rows: every row read, checked, written
and remembered), so target = 3 x idle + edited x that.
Next to it the floor of that cycle in the same run (DECISIONS.md #161): the idle cycle plus, for
every workbook the edit changed, what no design that reads what a person saved can skip: calamine's
read of its sheet into Python values, and inflating, deflating and checksumming that sheet's XML
once for the write, with no decision, check or SQL at all.
Then, unless ``--no-phases``, one more run of the first poll and of the edited poll inside a
process that times the poll's phases (start-up imports, archive open, read, load, reconcile,
apply, write, the rest), so the lead can see where a poll goes.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KECAMATAN = ("Poncol", "Parang", "Lembeyan", "Takeran", "Nguntoronadi", "Kawedanan", "Magetan", "Ngariboyo",
             "Plaosan", "Sidorejo", "Panekan", "Sukomoro", "Bendo", "Maospati", "Karangrejo", "Karas",
             "Barat", "Kartoharjo")
TARGETS = {"pertama": 10.0, "tanpa perubahan": 0.5, "diedit": 3.0, "diedit_lo": 3.0}


def write_config(root: Path, opds: list[str]) -> Path:
    text = ('[workspace]\nname = "Bench"\nyear = 2025\n\n[sheets]\nbackend = "xlsx"\nfolder = "sheets"\n\n'
            '[archive]\nurl = "sqlite:///arsip.sqlite"\n')
    text += "".join(f'\n[[opd]]\nkode = "{o}"\nnama = "{o}"\n' for o in opds)
    path = root / "satudata.toml"
    path.write_text(text, encoding="utf-8")
    return path


def build(folder: Path, opds: list[str], rows: int, rng: random.Random) -> None:
    """Workbooks from the product's template, each with ``rows`` rows an operator typed (written
    by the XML patch writer, so the files look like the poller's own, not openpyxl's)."""
    from sheets.base import CellWrite, TabWrites
    from sheets.layout import COLUMNS
    from sheets.xlsx import XlsxBackend

    col = {c.key: i for i, c in enumerate(COLUMNS)}
    backend = XlsxBackend(folder)
    backend.ensure_tabs([(o, o) for o in opds])
    for result in backend.read(opds, {}):
        opd = result.opd
        cells = []
        for i in range(rows):
            values = {"kode_data": f"{opd}-K{i // 19:03d}", "uraian_data": f"Jumlah Item {i // 19} menurut Kecamatan",
                      "rincian": f"Kec. {KECAMATAN[i % 18]}", "satuan": "Unit", "tahun": 2024,
                      "nilai": rng.randrange(1, 90000)}
            cells += [CellWrite(i + 1, col[k], v) for k, v in values.items()]
        backend.write([TabWrites(opd, opd, cells)], {opd: result.snapshot})


AGREE = ("dicek_bersama", "disepakati_opd", "disepakati_walidata", "disetujui_ka_opd", "selesai_diisi")


def tick(folder: Path, opds: list[str], keys: tuple[str, ...], share: float) -> None:
    """Tick the ``keys`` boxes of the first ``share`` of the rows of every workbook."""
    from sheets.base import CellWrite, TabWrites
    from sheets.layout import COLUMNS
    from sheets.xlsx import XlsxBackend

    col = {c.key: i for i, c in enumerate(COLUMNS)}
    backend = XlsxBackend(folder)
    for result in backend.read(opds, {}):
        cells = [CellWrite(i + 1, col[k], True) for i in range(int(share * len(result.snapshot.rows))) for k in keys]
        backend.write([TabWrites(result.opd, result.opd, cells)], {result.opd: result.snapshot})


def advance(root: Path, opds: list[str]) -> None:
    """Half the rows agreed and filled (7 Diisi), a quarter verified and archived (10 Diarsip)."""
    tick(root / "sheets", opds, AGREE, 0.5)
    satudata(root / "satudata.toml")
    tick(root / "sheets", opds, ("terverifikasi",), 0.25)
    satudata(root / "satudata.toml")
    satudata(root / "satudata.toml")


def choose(folder: Path, opds: list[str], share: float, rng: random.Random) -> dict[str, list[tuple[int, int]]]:
    """An operator's new Nilai in ``share`` of the rows of every workbook, half among the rows at
    10 Diarsip (the first quarter) and half among those at 7 Diisi (the second): OPD -> [(row, value)]."""
    from sheets.xlsx import XlsxBackend

    picks = {}
    for result in XlsxBackend(folder).read(opds, {}):
        rows = len(result.snapshot.rows)
        n, quarter = max(2, round(share * rows)), rows // 4
        picked = rng.sample(range(quarter), n // 2) + rng.sample(range(quarter, 2 * quarter), n - n // 2)
        picks[result.opd] = [(i + 1, rng.randrange(1, 90000)) for i in picked]
    return picks


def _nilai() -> int:
    from sheets.layout import COLUMNS
    return next(i for i, c in enumerate(COLUMNS) if c.key == "nilai")


def edit(folder: Path, picks: dict[str, list[tuple[int, int]]]) -> int:
    """The picked values saved by the XML patch writer (the product's own, as a stand-in for a save)."""
    from sheets.base import CellWrite, TabWrites
    from sheets.xlsx import XlsxBackend

    backend = XlsxBackend(folder)
    for result in backend.read(list(picks), {}):
        nilai = _nilai()
        cells = [CellWrite(row, nilai, value) for row, value in picks[result.opd]]
        backend.write([TabWrites(result.opd, result.opd, cells)], {result.opd: result.snapshot})
    return sum(map(len, picks.values()))


def libreoffice() -> str | None:
    """Why LibreOffice cannot make the edit here, or None when it can (soffice and python3-uno)."""
    if shutil.which("soffice") is None:
        return "soffice tidak ada"
    found = subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True)
    return None if found.returncode == 0 else "python3-uno tidak ada di /usr/bin/python3"


def edit_in_libreoffice(folder: Path, picks: dict[str, list[tuple[int, int]]]) -> int:
    """The same values typed and saved by LibreOffice Calc, which rewrites the whole workbook as a
    person's save does (shared strings and styles renumbered)."""
    nilai = _nilai()
    edits = {f"{opd}.xlsx": [[row, nilai, value] for row, value in cells] for opd, cells in picks.items()}
    spec = folder / "edits.json"
    spec.write_text(json.dumps(edits), encoding="utf-8")
    subprocess.run(["/usr/bin/python3", str(Path(__file__).with_name("_lo_edit.py")), str(folder), str(spec)],
                   check=True)
    spec.unlink()
    return sum(map(len, picks.values()))


def satudata(config: Path, tree: Path | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of one `satudata poll --once` run as a Walidata runs it; ``tree``: the
    product from another source tree (e.g. ``git archive main``), for a before/after in one run."""
    command = [str(Path(sys.executable).with_name("satudata"))]
    env = dict(os.environ)
    if tree is not None:
        command = [sys.executable, "-P", "-c", "import sys; from service.cli.commands import main; sys.exit(main())"]
        env["PYTHONPATH"] = str(tree)  # -P: the current folder never shadows it
    start = time.perf_counter()
    child = subprocess.Popen([*command, "-c", str(config), "poll", "--once"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    errors = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise SystemExit(f"satudata poll failed ({child.returncode}):\n{errors}")
    return wall, usage.ru_utime + usage.ru_stime


def fresh(state: Path, work: Path) -> Path:
    """A copy of a workspace state (file times kept, so an unchanged workbook stays unchanged)."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(state, work)
    return work / "satudata.toml"


def measure(state: Path, work: Path, runs: int, tree: Path | None) -> list[tuple[float, float]]:
    return [satudata(fresh(state, work), tree) for _ in range(runs)]


def phases(state: Path, work: Path) -> dict[str, float]:
    """One poll of a copy of ``state`` inside a process that times its phases (CPU seconds)."""
    config = fresh(state, work)
    out = work / "phases.json"
    subprocess.run([sys.executable, str(Path(__file__).with_name("_poll_phases.py")), str(config), str(out)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.loads(out.read_text())


def row(label: str, times: list[tuple[float, float]], target: float | None) -> str:
    walls, cpus = [w for w, _ in times], [c for _, c in times]
    goal = f"<= {target:g}" if target is not None else ""
    verdict = "" if target is None else ("ya" if min(walls) <= target else "belum")
    return (f"{label:<34}{min(walls):>8.2f}{statistics.median(walls):>8.2f}{min(cpus):>8.2f}"
            f"{goal:>9}{verdict:>7}")


def target_of(cpu: dict[str, float], rows: int, edited: int) -> tuple[float, float]:
    """(a row's cost, the edited cycle's target): 3 x idle + the edited rows' cost, CPU seconds."""
    per_row = (cpu["pertama"] - cpu["tanpa perubahan"]) / rows
    return per_row, 3 * cpu["tanpa perubahan"] + edited * per_row


def contract(cpu: dict[str, float], rows: int, edited: int, key: str = "diedit") -> str:
    """An edited cycle against its target (CPU seconds of this run)."""
    idle = cpu["tanpa perubahan"]
    per_row, target = target_of(cpu, rows, edited)
    return (f"kontrak {key} (CPU): biaya per baris = (pertama {cpu['pertama']:.2f} - tanpa perubahan {idle:.2f}) "
            f"/ {rows} = {per_row * 1000:.3f} ms; target = 3 x {idle:.2f} + {edited} x {per_row * 1000:.3f} ms = "
            f"{target:.2f} s; {key} {cpu[key]:.2f} s = {cpu[key] / idle:.2f}x tanpa perubahan, "
            f"{cpu[key] / target:.2f}x target ({'ya' if cpu[key] <= target else 'belum'})")


def floor(state: Path, idle: float, target: float, key: str = "diedit") -> str:
    """The edited cycle's floor: idle + reading and rewriting every changed sheet, nothing decided."""
    import zipfile
    import zlib

    from python_calamine import CalamineWorkbook

    books = sorted((state / "sheets").glob("*.xlsx"))
    start = time.process_time()
    for path in books:
        book = CalamineWorkbook.from_path(str(path))
        book.get_sheet_by_name(book.sheet_names[0]).to_python()
    read = time.process_time() - start
    start = time.process_time()
    for path in books:
        with zipfile.ZipFile(path) as archive:
            name = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
            data = archive.read(name)  # inflated, its CRC checked
        packer = zlib.compressobj(1, zlib.DEFLATED, -15)
        packer.compress(data)
        packer.flush()
        zlib.crc32(data)
    rewrite = time.process_time() - start
    return (f"lantai {key} (CPU, tanpa keputusan apa pun): tanpa perubahan {idle:.2f} + baca calamine {len(books)} "
            f"sheet {read:.2f} + tulis ulang sheet-nya (inflate, deflate, CRC) {rewrite:.2f} = "
            f"{idle + read + rewrite:.2f} s = {(idle + read + rewrite) / target:.2f}x target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--edited", type=float, default=0.01)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-phases", action="store_true")
    parser.add_argument("--libreoffice", action="store_true",
                        help="also the same edit typed and saved by LibreOffice Calc (soffice + python3-uno)")
    parser.add_argument("--tree", type=Path, help="also poll with the product of this source tree (before/after)")
    args = parser.parse_args()
    rng = random.Random(14)
    opds = [f"OPD{i:02d}" for i in range(args.opd)]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        new, polled, edited, work = base / "baru", base / "sudah", base / "diedit", base / "jalan"
        new.mkdir()
        write_config(new, opds)
        build(new / "sheets", opds, args.rows, rng)
        shutil.copytree(new, polled)
        satudata(polled / "satudata.toml")
        advance(polled, opds)
        shutil.copytree(polled, edited)
        picks = choose(edited / "sheets", opds, args.edited, rng)
        count = edit(edited / "sheets", picks)
        states = {"pertama": new, "tanpa perubahan": polled, "diedit": edited}
        if args.libreoffice:
            why = libreoffice()
            if why:
                raise SystemExit(f"--libreoffice: {why}")
            saved = base / "diedit_lo"
            shutil.copytree(polled, saved)
            edit_in_libreoffice(saved / "sheets", picks)
            states["diedit_lo"] = saved
        print(f"{args.opd} buku kerja x {args.rows} baris, `satudata poll --once`, {args.runs} kali per skenario "
              f"(detik; beban mesin {os.getloadavg()[0]:.1f})")
        print(f"{'skenario':<34}{'min':>8}{'median':>8}{'CPU':>8}{'target':>9}{'capai':>7}")
        labels = {"pertama": "pertama (semua baris baru)", "tanpa perubahan": "tanpa perubahan",
                  "diedit": f"{args.edited:.0%} diedit di 7/10 ({count} baris)",
                  "diedit_lo": "sama, disimpan LibreOffice Calc"}
        for tree in ([args.tree] if args.tree else []) + [None]:
            if args.tree:
                print(f"-- {tree or 'pohon ini'}")
            cpu = {}
            for key, state in states.items():
                times = measure(state, work, args.runs, tree)
                cpu[key] = min(c for _, c in times)
                print(row(labels[key], times, TARGETS[key]))
            for key in ("diedit", "diedit_lo")[:len(states) - 2]:
                print(contract(cpu, args.opd * args.rows, count, key))
                print(floor(states[key], cpu["tanpa perubahan"], target_of(cpu, args.opd * args.rows, count)[1], key))
        if args.no_phases:
            return
        for key, state in (("pertama", new), ("diedit", edited), *(("diedit_lo", saved),)[:len(states) - 3]):
            spent = phases(state, work)
            total = spent.pop("total")
            print(f"\nFase {labels[key]} (CPU detik, satu kali, dari {total:.2f} s)")
            for name, seconds in spent.items():
                print(f"  {name:<32}{seconds:>8.2f}{seconds / total:>8.0%}")


if __name__ == "__main__":
    main()
