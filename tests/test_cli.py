"""The satudata command line: every command documented, clear Indonesian errors, exit codes."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli.commands import main
from service.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"satudata {name}" in readme, name


def test_readme_starts_with_the_two_commands():
    first = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:4]
    assert any(line.startswith("make demo") for line in first)
    assert any(line.startswith("make test") for line in first)


def test_init_writes_workspace_with_magetan_opds_and_rules(tmp_path):
    result = run("init", str(tmp_path / "ws"))
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "ws" / "satudata.toml")
    kodes = [o.kode for o in config.opds]
    assert len(kodes) == 57 and "DINKES" in kodes and "DISKOMINFO" in kodes
    assert (tmp_path / "ws" / "rules" / "bawaan.yaml").exists()
    assert config.archive_url == f"sqlite:///{tmp_path / 'ws' / 'arsip.sqlite'}"
    assert (tmp_path / "ws" / "arsip.sqlite").exists()
    again = run("init", str(tmp_path / "ws"))
    assert again.exit_code != 0 and "sudah ada" in again.output


def test_missing_config_names_the_file_and_the_way_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SATUDATA_CONFIG", raising=False)
    result = run("poll", "--once")
    assert result.exit_code != 0
    assert "tidak ditemukan" in result.output and "satudata init" in result.output


@pytest.mark.parametrize("body, key", [
    ('[workspace]\nyear = "2025"\n[sheets]\nbackend = "xlsx"\n', "workspace.year"),
    ('[workspace]\nyear = 2025\n[sheets]\nbackend = "excel"\n', "sheets.backend"),
    ('[workspace]\nyear = 2025\n[sheets]\nbackend = "google"\n', "spreadsheet_id"),
    ('[workspace]\nyear = 2025\n[sheets]\n[poller]\ninterval_seconds = 1\n', "poller.interval_seconds"),
    ('[workspace]\nyear = 2025\n[sheets]\n[[opd]]\nkode = "dinas kesehatan"\n', "kode"),
    ('[workspace]\nyear = 2025\n[sheets]\n[[opd]]\nkode = "A"\n[[opd]]\nkode = "A"\n', "ganda"),
    ('[workspace]\nyear = 2025\n', "sheets"),
    ('[workspace\nyear = 2025\n', "tidak sah"),
])
def test_bad_config_value_is_named_in_indonesian(tmp_path, body, key):
    path = tmp_path / "satudata.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(key)):
        load_config(path)
    result = run("-c", str(path), "poll", "--once")
    assert result.exit_code != 0 and key in result.output


def test_config_from_environment_variable(tmp_path):
    run("init", str(tmp_path / "ws"))
    result = run("status", env={"SATUDATA_CONFIG": str(tmp_path / "ws" / "satudata.toml")})
    assert result.exit_code == 0, result.output
    assert "Total: 0 baris" in result.output


def test_bad_rule_file_names_file_line_and_key(tmp_path):
    run("init", str(tmp_path / "ws"))
    (tmp_path / "ws" / "rules" / "salah.yaml").write_text(
        "item:\n  - nama: Contoh\n    uraian: jumlah\n    kolom:\n      nilai: {minimal: 0}\n", encoding="utf-8")
    result = run("-c", str(tmp_path / "ws" / "satudata.toml"), "poll", "--once")
    assert result.exit_code != 0
    assert "salah.yaml" in result.output and "baris 5" in result.output and "nilai" in result.output


def test_poll_json_summary_and_status_json(tmp_path):
    run("init", str(tmp_path / "ws"))
    cfg = str(tmp_path / "ws" / "satudata.toml")
    result = run("-c", cfg, "poll", "--once", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert len(summary["dibuat"]) == 57 and summary["backend_gagal"] is False
    status = json.loads(run("-c", cfg, "status", "--json").output)
    assert {o["kode"] for o in status["opd"]} >= {"DINKES", "BPBD"}


@pytest.fixture(scope="module")
def demo_cfg(tmp_path_factory) -> str:
    """One demo workspace for the tests that only read it (status, export): building it takes seconds."""
    root = tmp_path_factory.mktemp("demo") / "demo"
    result = run("demo", str(root))
    assert result.exit_code == 0, result.output
    return str(root / "satudata.toml")


def test_demo_workspace_shows_every_state_and_exports(tmp_path, demo_cfg):
    cfg = demo_cfg
    status = json.loads(run("-c", cfg, "status", "--json").output)
    seen = {code for o in status["opd"] for code, n in o["jumlah_per_kode"].items() if n}
    assert seen >= {"1", "3", "5", "6", "7", "7a", "8", "10"}
    out = tmp_path / "arsip.csv"
    assert run("-c", cfg, "export", "--format", "csv", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows and all(float(r["nilai"]) >= 0 for r in rows)
    assert list(rows[0]) == ["opd", "id", "kode_data", "uraian_data", "rincian", "satuan", "tahun", "nilai",
                             "keterangan", "versi", "diverifikasi_pada", "diarsip_pada",
                             "kode_wilayah", "konsep", "definisi", "klasifikasi", "ukuran", "frekuensi", "status_nilai",
                             "kode_wilayah_versi"]
    xlsx = tmp_path / "arsip.xlsx"
    assert run("-c", cfg, "export", "--format", "xlsx", "-o", str(xlsx), "--all-versions").exit_code == 0
    assert xlsx.read_bytes()[:2] == b"PK"


def test_export_neutralises_formula_looking_text():
    from service.archive.export import KEYS, to_csv
    record = {k: "" for k in KEYS}
    record.update(uraian_data="=HYPERLINK(\"http://x\")", keterangan="+62 812", rincian="@SUM", nilai=5.0)
    line = to_csv([record]).splitlines()[1]
    assert "'=HYPERLINK" in line and "'+62 812" in line and "'@SUM" in line


def test_confirm_removal_for_unknown_opd_is_refused(tmp_path):
    run("init", str(tmp_path / "ws"))
    result = run("-c", str(tmp_path / "ws" / "satudata.toml"), "confirm-removal", "TIDAKADA")
    assert result.exit_code != 0 and "belum pernah diproses" in result.output


def test_init_google_without_spreadsheet_explains_the_next_steps(tmp_path):
    result = run("init", str(tmp_path / "g"), "--backend", "google")
    assert result.exit_code == 0, result.output
    assert "spreadsheet_id" in result.output and "doctor" in result.output
    text = (tmp_path / "g" / "satudata.toml").read_text(encoding="utf-8")
    assert 'backend = "google"' in text
    assert (tmp_path / "g" / "arsip.sqlite").exists()


def test_init_google_with_spreadsheet_writes_a_loadable_config(tmp_path):
    result = run("init", str(tmp_path / "g"), "--backend", "google", "--spreadsheet-id", "abc123",
                 "--credentials", "/rahasia/sa.json")
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "g" / "satudata.toml")
    assert config.backend == "google" and config.spreadsheet_id == "abc123"
    assert str(config.credentials) == "/rahasia/sa.json"
    poll = run("-c", str(tmp_path / "g" / "satudata.toml"), "poll", "--once")
    assert poll.exit_code != 0 and "doctor" in poll.output  # the key file is missing: a clear message


def test_doctor_on_xlsx_workspace_reports_headers(tmp_path):
    run("init", str(tmp_path / "ws"))
    cfg = str(tmp_path / "ws" / "satudata.toml")
    run("-c", cfg, "poll", "--once")
    result = run("-c", cfg, "doctor")
    assert result.exit_code == 0, result.output
    assert "DINKES.xlsx: judul kolom lengkap" in result.output


def test_plain_password_in_dashboard_users_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "satudata.toml"
    path.write_text('[workspace]\nyear = 2025\n[sheets]\n[dashboard]\nusers = { walidata = "rahasia" }\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="hash-password"):
        load_config(path)
    hashed = run("hash-password", "--password", "rahasia").output.strip().splitlines()[-1]
    path.write_text(f'[workspace]\nyear = 2025\n[sheets]\n[dashboard]\nusers = {{ walidata = "{hashed}" }}\n',
                    encoding="utf-8")
    assert load_config(path).dashboard_users["walidata"] == hashed


def test_export_to_missing_folder_says_so_in_indonesian(tmp_path):
    run("init", str(tmp_path / "ws"))
    result = run("-c", str(tmp_path / "ws" / "satudata.toml"), "export", "--format", "csv",
                 "-o", str(tmp_path / "tidak-ada" / "a.csv"))
    assert result.exit_code != 0 and "folder tujuan tidak ada" in result.output


def test_status_shows_deadlines_in_indonesian(demo_cfg):
    out = run("-c", demo_cfg, "status").output
    assert "tenggat" in out and "hari kerja" in out and "TERLAMBAT" in out
    data = json.loads(run("-c", demo_cfg, "status", "--json").output)
    started = next(o["fase_mulai"] for o in data["opd"] if o["fase_mulai"])
    assert "T" in started  # ISO 8601
    assert {o["ketepatan"] for o in data["opd"]} >= {"terlambat", "berisiko", "tepat_waktu", "selesai"}
    assert all(o["standar_pelayanan"]["batas_hari_kerja"] == 25 for o in data["opd"] if o["baris"])


@pytest.mark.parametrize("body, key", [
    ('[workspace]\nyear = 2025\n[sheets]\n[poller]\nintervall = 5\n', "intervall"),
    ('[workspace]\nyear = 2025\n[sheets]\n[archive]\nurll = "x"\n', "urll"),
    ('[workspace]\nyear = 2025\n[sheets]\n[[opd]]\nkode = "A"\noperator = ["a@b"]\n', "operator"),
    ('[workspace]\nyear = 2025\n[sheet]\n', "sheet"),
])
def test_misspelt_config_key_is_named(tmp_path, body, key):
    path = tmp_path / "satudata.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"Kunci '{key}'"):
        load_config(path)


def test_sheets_folder_that_is_a_file_is_a_config_error(tmp_path):
    path = tmp_path / "satudata.toml"
    path.write_text('[workspace]\nyear = 2025\n[sheets]\nfolder = "satudata.toml"\n', encoding="utf-8")
    result = run("-c", str(path), "poll", "--once")
    assert result.exit_code != 0 and "sheets.folder" in result.output


def test_poll_exits_non_zero_when_no_tab_could_be_read(tmp_path):
    run("init", str(tmp_path / "ws"))
    cfg = str(tmp_path / "ws" / "satudata.toml")
    run("-c", cfg, "poll", "--once")
    for book in (tmp_path / "ws" / "sheets").glob("*.xlsx"):
        book.write_bytes(b"bukan xlsx")
    result = run("-c", cfg, "poll", "--once")
    assert result.exit_code != 0


def test_confirm_without_a_held_tab_is_refused(tmp_path):
    run("init", str(tmp_path / "ws"))
    cfg = str(tmp_path / "ws" / "satudata.toml")
    run("-c", cfg, "poll", "--once")
    result = run("-c", cfg, "confirm", "DINKES")
    assert result.exit_code != 0 and "Tidak ada perubahan massal" in result.output
