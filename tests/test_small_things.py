"""Small things a user notices (DECISIONS.md #20): one palette, page order, quiet empty workspace."""
from __future__ import annotations

from datetime import datetime

from rules.sop import load_sop
from service.cli.workspace import render_config
from service.web import charts
from service.web.app import create_app
from sheets.looks import STATUS_COLOURS
from tests.conftest import WIB, World


def test_sheet_and_dashboard_share_one_status_palette_from_sop_yaml():
    sheet = {code: ("#" + bg, "#" + fg) for code, bg, fg in STATUS_COLOURS}
    dashboard = {code: tuple(c.upper() for c in pair) for code, pair in charts.STATE_COLOURS.items()}
    assert sheet == dashboard and set(sheet) == set(load_sop().states)
    assert {s.code: s.colour.upper() for s in load_sop().states.values()} == {k: v[0] for k, v in sheet.items()}


def test_sheet_colour_rules_match_the_longest_code_first():
    codes = [code for code, _, _ in STATUS_COLOURS]
    assert codes.index("10") < codes.index("1") and codes.index("7a") < codes.index("7")


def test_states_show_in_step_order_on_pages():
    assert [s.code for s in load_sop().for_display()] == ["1", "3", "5", "6", "7", "7a", "8", "9", "10"]
    assert [item["code"] for item in charts.legend()] == ["1", "3", "5", "6", "7", "7a", "8", "9", "10"]


def test_empty_workspace_does_not_show_a_red_zero_late(tmp_path):
    world = World(tmp_path)
    html = create_app(world.config, world.store, clock=lambda: datetime(2025, 3, 4, 9, tzinfo=WIB)) \
        .test_client().get("/").get_data(as_text=True)
    assert '<div class="card"><div class="label">OPD terlambat</div>' in html
    assert "card late" not in html


def test_config_comment_shows_the_hash_hash_password_prints():
    assert "scrypt:" in render_config(2025, "xlsx", [], "Uji") and "pbkdf2" not in render_config(2025, "xlsx", [], "Uji")
