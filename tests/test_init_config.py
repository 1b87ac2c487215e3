"""`satudata init` writes a config a real SOP year can run on: every key, the year from the clock."""
from __future__ import annotations

import re
import tomllib
from datetime import datetime, timezone

from click.testing import CliRunner

from service.cli.commands import main
from service.config import KNOWN_KEYS, load_config
from service.config.opd import OPD_KEYS


def _init(tmp_path, *args, input=None):
    return CliRunner().invoke(main, ["init", str(tmp_path / "ws"), *args], input=input)


def test_init_config_names_every_key_the_config_reader_knows(tmp_path):
    assert _init(tmp_path).exit_code == 0
    text = (tmp_path / "ws" / "satudata.toml").read_text(encoding="utf-8")
    for section, keys in KNOWN_KEYS.items():
        assert re.search(rf"^#? ?\[{section}\]", text, re.M), section
        for key in keys - {"ckan"}:
            assert re.search(rf"^#? ?{key} = ", text, re.M), f"{section}.{key}"
    assert "[publikasi.ckan]" in text and "libur_tambahan = " in text
    for key in OPD_KEYS - {"spreadsheet_id"}:
        assert re.search(rf"^#? ?{key} = ", text, re.M), f"[[opd]] {key}"


def test_init_config_with_every_comment_removed_still_loads(tmp_path):
    """The optional lines are examples that work: uncommenting them gives a valid config."""
    assert _init(tmp_path).exit_code == 0
    path = tmp_path / "ws" / "satudata.toml"
    text = path.read_text(encoding="utf-8")
    on = re.sub(r"^# ((?:\[|[a-z_]+ = ).*)$", r"\1", text, flags=re.M)
    on = on.replace("…", "Sri Wahyuni").replace('nip = "Sri Wahyuni"', 'nip = "197001011990031001"')
    on = re.sub(r'users = \{.*', "", on).replace("spreadsheet_id = \"...\"", "")
    on = re.sub(r'^(credentials|kata_sandi_file|skema) = .*$', "", on, flags=re.M)  # need a file / PostgreSQL
    path.write_text(on, encoding="utf-8")
    config = load_config(path)
    assert config.opds[0].kepala == ("Sri Wahyuni", "197001011990031001")
    assert config.publikasi["ckan"]["token_env"] == "CKAN_TOKEN"
    assert config.walidata_password_env == "SATUDATA_KATA_SANDI"


def test_init_year_comes_from_the_clock_in_wib(tmp_path, monkeypatch):
    import service.poller.clock as clock
    # 31 Dec 2026 18:00 UTC is already 1 Jan 2027 in Magetan
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 31, 18, 0, tzinfo=timezone.utc))
    assert _init(tmp_path).exit_code == 0
    assert load_config(tmp_path / "ws" / "satudata.toml").year == 2027
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc))
    assert _init(tmp_path, "--force").exit_code == 0
    assert "year = 2026 " in (tmp_path / "ws" / "satudata.toml").read_text(encoding="utf-8")


def test_init_interaktif_asks_for_the_office_and_writes_it(tmp_path):
    opd_csv = tmp_path / "opd.csv"
    opd_csv.write_text("kode;nama;operators\nDINKES;Dinas Kesehatan;\"ani@ngawi.go.id\"\nBAPPEDA;Bappeda;\n",
                       encoding="utf-8")
    answers = "\n".join(["Kabupaten Ngawi", str(tmp_path / "tidak-ada.csv"), str(opd_csv), "Budi Santoso",
                         "bukan-email", "budi@ngawi.go.id", "NGAWI_KATA_SANDI"]) + "\n"
    result = _init(tmp_path, "--interaktif", input=answers)
    assert result.exit_code == 0, result.output
    assert "tidak dapat dibaca" in result.output  # the missing CSV is named, then asked again
    config = load_config(tmp_path / "ws" / "satudata.toml")
    assert config.name == "Pengumpulan Data Kabupaten Ngawi"
    assert [(o.kode, o.operators) for o in config.opds] == [("DINKES", ("ani@ngawi.go.id",)),
                                                            ("BAPPEDA", ("operator.bappeda@ngawi.go.id",))]
    assert config.walidata == ("budi@ngawi.go.id",) and config.walidata_nama == "Budi Santoso"
    assert config.walidata_password_env == "NGAWI_KATA_SANDI"
    raw = tomllib.loads((tmp_path / "ws" / "satudata.toml").read_text(encoding="utf-8"))
    assert raw["publikasi"]["penerbit"] == "Dinas Komunikasi dan Informatika Kabupaten Ngawi"
    assert raw["publikasi"]["walidata"]["nama"] == "Budi Santoso"
