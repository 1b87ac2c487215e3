"""Running as a service: the systemd unit is valid and `satudata run` logs one line per cycle."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service.cli.report import cycle_log_line

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "satudata.service"


def test_unit_restarts_on_failure_runs_in_the_workspace_and_logs_to_the_journal():
    text = UNIT.read_text(encoding="utf-8")
    keys = dict(re.findall(r"^(\w+)=(.*)$", text, re.M))
    assert keys["Restart"] == "on-failure"
    assert keys["WorkingDirectory"] == "/srv/satudata"
    assert keys["ExecStart"].endswith("satudata run")
    assert keys["StandardOutput"] == keys["StandardError"] == "journal"
    assert keys["Environment"] == "PYTHONUNBUFFERED=1"  # a line reaches the journal when the cycle ends
    assert keys["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze tidak terpasang")
def test_unit_passes_systemd_analyze_verify(tmp_path):
    # the installed paths are the server's; here they point at this checkout's interpreter
    unit = tmp_path / "satudata.service"
    unit.write_text(UNIT.read_text(encoding="utf-8")
                    .replace("/opt/satudata/.venv/bin/satudata", sys.executable)
                    .replace("/srv/satudata", str(tmp_path)), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "satudata.service" not in result.stderr, result.stderr  # a bad value is only a warning


def test_run_logs_one_line_per_cycle_with_wib_time_level_and_opd_counts(world):
    from datetime import datetime, timezone
    world.poll()  # creates the tabs
    world.backend.add_row("DINKES", Uraian_Data="Jumlah Puskesmas", Satuan="Unit", Tahun=2025)
    report = world.poll()
    line = cycle_log_line(report, datetime(2026, 12, 7, 13, 1, 2, tzinfo=timezone.utc))
    assert re.match(r"^2026-12-07 20:01:02 WIB INFO +siklus \d+: 2 OPD, 1 berubah, ", line), line
    assert "\n" not in line and "0 galat" in line
