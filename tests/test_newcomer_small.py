"""Small things a newcomer tripped over in a first SOP year, each pinned down."""
from __future__ import annotations

import os
import time
from datetime import datetime

from sheets.layout import COLUMNS
from tests.conftest import WIB
from tests.test_waiting import libreoffice_lock
from tests.test_xlsx_flow import Workspace


def test_poll_once_on_an_open_workbook_with_nothing_pending_says_it_is_open_not_processed(tmp_path):
    ws = Workspace(tmp_path)
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, uraian_data="Jumlah Puskesmas", satuan="Unit")
    ws.cli("poll", "--once")  # the row gets its ID and findings: nothing waits to be written any more
    now = datetime.now(WIB).replace(second=0, microsecond=0)
    libreoffice_lock(ws.root / "sheets" / ".~lock.DINKES.xlsx#", "Operator DINKES", f"{now.astimezone():%d.%m.%Y %H:%M}")
    later = time.time() + 5
    os.utime(ws.path("DINKES"), (later, later))  # saved while open: the poller reads it again
    out = ws.cli("poll", "--once").output
    line = next(x for x in out.splitlines() if x.startswith("DINKES"))
    assert "diproses" not in line and "DIBUKA" in line, out
    assert "dibuka oleh Operator DINKES" in out and "tidak ada hasil pemeriksaan yang menunggu" in out


def test_every_sheet_header_word_fits_its_column_so_calc_never_breaks_a_word():
    """Calc wraps a bold header only between words when the longest word fits the column (a bold
    character is about one width unit; two more for the cell padding)."""
    for column in COLUMNS:
        longest = max(len(word) for word in column.header.split())
        assert column.width >= longest + 2, (column.header, column.width)


def _archived_2025(tmp_path, nilai: object = 40, daftar=None):
    """DINKES's 2025 list walked to 10 Diarsip through the command line, its value ``nilai``."""
    from sheets.tables import edit_tab
    from tests.test_distribute import HEADER, cli, excel_workspace, write_csv
    from tests.test_rollover import DAFTAR, STEPS, _tick
    cfg = excel_workspace(tmp_path)
    book = cfg.parent / "sheets" / "DINKES.xlsx"
    listed = write_csv(tmp_path / "d.csv", daftar or DAFTAR, HEADER)
    assert cli("-c", str(cfg), "distribute", str(listed)).exit_code == 0
    cli("-c", str(cfg), "poll", "--once")
    for step in STEPS:
        edit_tab(book, _tick(*step, nilai=nilai if step == ("Selesai Diisi",) else None))
        cli("-c", str(cfg), "poll", "--once")
    return cfg, book


def test_riwayat_of_a_row_closed_by_rollover_names_the_row_and_its_last_status(tmp_path):
    from tests.test_distribute import cli
    from tests.test_rollover import grid
    cfg, book = _archived_2025(tmp_path)
    old_id = grid(book, "DINKES")[1][1][0]
    assert cli("-c", str(cfg), "rollover", "2026").exit_code == 0
    cli("-c", str(cfg), "poll", "--once")
    out = cli("-c", str(cfg), "riwayat", "DINKES", old_id).output
    header = out.splitlines()[0]
    assert header.startswith(f"DINKES {old_id}: Jumlah Kasus Tuberkulosis") and "status 10 Diarsip" in header, out


def test_a_lost_decimal_comma_in_next_years_filled_row_is_warned_against_last_years_value(tmp_path):
    from sheets.tables import edit_tab
    from tests.test_distribute import cli
    from tests.test_rollover import STEPS, _tick, grid
    tonnes = [["DINKES", f"K-00{i}", f"Produksi Padi {i}", "", "Ton", "2025", "", "Tahunan"] for i in (1, 2, 3)]
    cfg, book = _archived_2025(tmp_path, nilai=12.345, daftar=tonnes)  # Calc (id-ID) stores "12,345" as 12.345
    assert [r[-3] for r in grid(book, "DINKES")[1][1:]] == ["10 Diarsip"] * 3
    assert cli("-c", str(cfg), "rollover", "2026").exit_code == 0
    cli("-c", str(cfg), "poll", "--once")
    edit_tab(book, _tick(nilai=12345))  # "12.345" typed into the draft: Calc (id-ID) stores 12345
    cli("-c", str(cfg), "poll", "--once")
    for step in STEPS[:4]:
        edit_tab(book, _tick(*step))
        cli("-c", str(cfg), "poll", "--once")
    names, rows = grid(book, "DINKES")
    assert rows[1][header_index(rows, "Status")] == "7 Diisi"
    hasil = rows[1][header_index(rows, "Hasil Pemeriksaan")]
    assert "koma desimal hilang" in hasil and "12,345" in hasil, hasil


def header_index(rows: list[list], header: str) -> int:
    return rows[0].index(header)
