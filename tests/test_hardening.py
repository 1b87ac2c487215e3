"""Adversarial findings (DECISIONS.md #23): secrets, links, tracebacks, ports, timing."""
from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import event
from werkzeug.security import generate_password_hash

import service.web.auth as web_auth
from rules.rulefile import RuleError, load_rules
from service.archive.masking import mask_secrets, mask_url
from service.cli.commands import main
from service.config import ConfigError, load_config
from service.poller.errors import ArchiveUnavailable
from service.poller.service import Service
from service.web.app import create_app
from tests.conftest import WIB, World
from tests.test_dashboard import APIS, PAGES, Scene

NOW = datetime(2025, 3, 4, 9, 0, tzinfo=WIB)


# --- 13.5 secrets ---------------------------------------------------------------------------
URLS = [  # (url, the secret that must never show)
    ("postgresql+psycopg://walidata:pa/ss-rahasia@db.example.go.id:5432/arsip", "pa/ss-rahasia"),
    ("postgresql+psycopg://walidata:pa ss rahasia@db.example.go.id/arsip", "pa ss rahasia"),
    ("postgresql+psycopg://walidata:p@ss-rahasia@db.example.go.id/arsip", "p@ss-rahasia"),
    ("mysql+pymysql://root:p%40ss%2Frahasia@127.0.0.1:3306/arsip", "p%40ss%2Frahasia"),
    ("mysql+pymysql://root:p%40ss%2Frahasia@127.0.0.1:3306/arsip", "p@ss/rahasia"),
    ("postgresql://walidata:rahasia123@/arsip?host=/var/run/postgresql", "rahasia123"),
    ("postgresql:///arsip?user=walidata&password=rahasia123", "rahasia123"),
]


@pytest.mark.parametrize("url, secret", URLS)
def test_masked_url_never_shows_the_password(url, secret):
    shown = mask_url(url)
    assert "rahasia" not in shown and "***" in shown
    assert secret not in mask_secrets(f"Koneksi gagal ({url}): ditolak", url)


@pytest.mark.parametrize("url, secret", URLS)
def test_password_alone_in_a_driver_message_is_masked(url, secret):
    assert secret not in mask_secrets(f'password "{secret}" ditolak', url)


def test_url_without_a_password_is_shown_as_configured():
    for url in ("sqlite:////srv/satudata/arsip.sqlite", "mysql+pymysql://root@127.0.0.1:3306/h4"):
        assert mask_url(url) == url


@pytest.mark.parametrize("url, secret", URLS[:3])
def test_dashboard_never_shows_a_password_with_slash_space_or_at(tmp_path, url, secret):
    scene = Scene(tmp_path)
    cycle = scene.world.store.cycle_log.start(NOW)
    scene.world.store.cycle_log.finish(cycle, NOW, status="galat", errors=[f"Koneksi gagal: {url}"])
    client = scene.client(NOW, archive_url=url)
    for path in PAGES + APIS:
        assert secret not in client.get(path).get_data(as_text=True), path
    assert "walidata:***@db.example.go.id" in client.get("/api/kesehatan").get_json()["basis_data"]


def test_poll_error_for_an_unreachable_database_hides_the_password(tmp_path):
    (tmp_path / "satudata.toml").write_text(
        '[workspace]\nyear = 2025\n[sheets]\n[archive]\n'
        'url = "postgresql+psycopg://walidata:pa/ss rahasia@127.0.0.1:1/arsip"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["-c", str(tmp_path / "satudata.toml"), "status"])
    assert result.exit_code != 0 and "tidak dapat dibuka" in result.output
    assert "rahasia" not in result.output and "***" in result.output


# --- 13.8 links from route arguments only ---------------------------------------------------------
@pytest.fixture
def client(tmp_path):
    return Scene(tmp_path).client(NOW)


@pytest.mark.parametrize("query", ["endpoint=x", "_method=POST", "_external=1", "_anchor=x", "_scheme=ftp",
                                   "values=1", "kode=BPBD"])
@pytest.mark.parametrize("path", ["/", "/opd/DINKES", "/temuan", "/riwayat", "/arsip", "/kesehatan"])
def test_url_for_keywords_in_the_query_do_not_break_or_redirect_links(client, path, query):
    response = client.get(f"{path}?{query}", headers={"Host": "penyerang.example"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "penyerang.example" not in html and "ftp:" not in html


def test_page_filters_still_reach_the_api_link_and_the_pager(client):
    html = client.get("/temuan?opd=DINKES&level=galat&endpoint=x").get_data(as_text=True)
    assert 'href="/api/temuan?opd=DINKES&amp;level=galat"' in html


# --- 13.11 no usernames by timing -----------------------------------------------------------------
def test_unknown_user_costs_the_same_hash_check_as_a_wrong_password(tmp_path, monkeypatch):
    scene = Scene(tmp_path)
    client = scene.client(NOW, dashboard_users={"walidata": generate_password_hash("rahasia-magetan")})
    checked: list[str] = []
    real = web_auth.check_password_hash
    monkeypatch.setattr(web_auth, "check_password_hash", lambda h, p: checked.append(h.split("$")[0]) or real(h, p))
    assert client.get("/", auth=("orang-lain", "tebakan")).status_code == 401
    assert client.get("/", auth=("walidata", "tebakan")).status_code == 401
    assert len(checked) == 2 and checked[0] == checked[1]  # one check each, the same method and cost


# --- 13.9 tracebacks become Indonesian messages -------------------------------------------------------
def _rules(tmp_path: Path, name: str, content: bytes | None) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    if content is None:
        (folder / name).mkdir()
    else:
        (folder / name).write_bytes(content)
    return folder


def test_rule_file_that_is_not_utf8_is_named_with_its_line(tmp_path):
    folder = _rules(tmp_path, "per_item.yaml", "item:\n  - nama: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(RuleError, match=r"per_item\.yaml, baris 2: bukan teks UTF-8"):
        load_rules(folder)


def test_folder_named_like_a_rule_file_is_named(tmp_path):
    with pytest.raises(RuleError, match=r"lama\.yaml .*bukan berkas"):
        load_rules(_rules(tmp_path, "lama.yaml", None))


@pytest.mark.parametrize("body, expected", [
    (b'item:\n  - nama: x\n    uraian: "(abc"\n', "baris 3, kunci 'uraian': pola tidak sah: kurung '(' tidak ditutup"),
    (b'item:\n  - nama: x\n    kode_data: K\n    kolom:\n      satuan: {pattern: "[a-"}\n', "kurung siku '[' tidak ditutup"),
    (b"item:\n  - nama: x\n  kode: y\n", "baris 3: YAML tidak sah: indentasi tidak konsisten"),
    (b"bawaan:\n\ttahun_mundur_maks: 3\n", "karakter tab"),
    (b'item:\n - nama: "x\n', "tanda kutip"),
])
def test_parser_errors_name_file_line_and_key_in_indonesian(tmp_path, body, expected):
    with pytest.raises(RuleError) as caught:
        load_rules(_rules(tmp_path, "per_item.yaml", body))
    message = str(caught.value)
    assert "per_item.yaml" in message and expected in message
    for english in ("missing", "unterminated", "while parsing", "unicode string", "expected", "position"):
        assert english not in message


@pytest.mark.parametrize("section, expected", [
    ("[poller]\ninterval_seconds = 100000000000\n", "poller.interval_seconds harus antara 5 dan 86400"),
    ("[dashboard]\nport = 99999\n", "dashboard.port harus antara 0 dan 65535"),
    ('[[opd]]\nkode = "DINAS-KESEHATAN-PENGENDALIAN-PENDUDUK"\n', "terlalu panjang (37 karakter)"),
])
def test_out_of_range_config_values_are_named(tmp_path, section, expected):
    path = tmp_path / "satudata.toml"
    path.write_text(f"[workspace]\nyear = 2025\n[sheets]\n{section}", encoding="utf-8")
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        load_config(path)


def _fill_disk(store) -> None:
    """SQLite refuses to grow the file from now on: 'database or disk is full'."""
    with store.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    event.listen(store.engine, "connect", lambda dbapi, _: dbapi.execute(f"PRAGMA max_page_count = {pages}"))
    store.engine.dispose()


def test_full_disk_during_a_cycle_says_disk_penuh(tmp_path):
    world = World(tmp_path)
    world.poll()
    for i in range(300):
        world.backend.add_row("DINKES", Kode_Data=f"K-{i}", Uraian_Data="Jumlah Puskesmas " * 20,
                              Satuan="Unit", Rincian="Total kabupaten")
    _fill_disk(world.store)
    report = world.poll()
    text = " ".join(report.errors)
    assert "disk penuh" in text and "OperationalError" not in text


def test_full_disk_before_the_lease_is_an_indonesian_message(tmp_path):
    import sqlite3
    world = World(tmp_path)
    service = Service(world.config, world.backend, world.store, world.rules, world.wilayah, lambda: NOW)

    def disk_full(conn, cursor, statement, *_):
        if "leases" in statement and not statement.lstrip().upper().startswith("SELECT"):
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(world.store.engine, "before_cursor_execute", disk_full)
    with pytest.raises(ArchiveUnavailable, match="Arsip tidak dapat dipakai: disk penuh"):
        service.poll()


# --- 13.10 ports ---------------------------------------------------------------------------
WORKSPACE = '[workspace]\nyear = 2025\n[sheets]\n[[opd]]\nkode = "DINKES"\n'


def test_port_out_of_range_is_refused_before_binding(tmp_path):
    (tmp_path / "satudata.toml").write_text(WORKSPACE, encoding="utf-8")
    result = CliRunner().invoke(main, ["-c", str(tmp_path / "satudata.toml"), "serve", "--port", "99999"])
    assert result.exit_code == 2 and "99999 di luar rentang" in result.output


def test_busy_port_says_dasbor_tidak_dapat_dibuka(tmp_path):
    (tmp_path / "satudata.toml").write_text(WORKSPACE, encoding="utf-8")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["-c", str(tmp_path / "satudata.toml"), "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Dasbor tidak dapat dibuka di 127.0.0.1:{port}: port {port} sudah dipakai program lain" in result.output
    assert "Address already in use" not in result.output and "in use by another program" not in result.output


def test_waitress_serves_the_dashboard_on_a_free_port_and_stops(tmp_path):
    import threading
    import urllib.request

    from service.web.server import DashboardServer
    world = World(tmp_path)
    server = DashboardServer(create_app(world.config, world.store, clock=lambda: NOW), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/", timeout=10) as response:
        assert response.status == 200 and "Ringkasan" in response.read().decode()
        assert response.headers["Server"] == "satudata"
    server.shutdown()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_an_unavailable_archive_is_not_a_busy_poller_and_both_say_waiting_helps():
    from service.poller.errors import PollerBusy, PollerError
    assert not issubclass(ArchiveUnavailable, PollerBusy)
    assert not ArchiveUnavailable("disk penuh").permanent and not PollerBusy("sibuk").permanent
    assert PollerError("kunci hilang", permanent=True).permanent


def test_the_dashboard_freezes_its_start_up_heap_and_makes_full_collections_ten_times_rarer():
    import gc

    from service.web.server import freeze_startup_heap

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() > frozen and gc.get_threshold() == (before[0], before[1], 100)
    finally:
        gc.set_threshold(*before)
