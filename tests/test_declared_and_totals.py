"""What the archive publishes must be true (DECISIONS.md #44, #45): a value declared missing with a BPS
symbol and its reason is valid and published as that symbol; a total that contradicts its
archived parts is withheld with the reason shown. End to end on Excel workbooks through the CLI."""
from __future__ import annotations

import csv
import io
import json

import openpyxl

from service.config import load_config
from service.web.app import create_app
from sheets.layout import match_headers
from sheets.xlsx import save_atomic
from tests.conftest import WILAYAH
from tests.test_xlsx_flow import Workspace

AGREE = dict(dicek_bersama="YA", disepakati_opd="YA", disepakati_walidata="YA", disetujui_ka_opd="YA")
REASON = "Data tidak tersedia karena survei tidak dilaksanakan tahun ini"


def edit_rows(ws: Workspace, opd: str, rows: dict[int, dict]) -> None:
    """Type into many rows at once, as an operator would in one sitting."""
    book = openpyxl.load_workbook(ws.path(opd))
    sheet = book.worksheets[0]
    cols = match_headers([c.value for c in sheet[1]]).columns
    for row, values in rows.items():
        for name, value in values.items():
            sheet.cell(row, cols[name] + 1, value)
    save_atomic(book, ws.path(opd))


def pdf_text(path) -> str:
    from pypdf import PdfReader
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def status(ws: Workspace, row: int) -> str:
    return ws.cell("DINKES", row, "Status").value


def test_a_nilai_declared_missing_with_its_reason_reaches_the_archive_and_is_published_as_the_symbol(tmp_path):
    ws = Workspace(tmp_path)
    ws.cli("poll", "--once")
    edit_rows(ws, "DINKES", {2: dict(kode_data="K-009", uraian_data="Jumlah Kasus Malaria", satuan="Kasus")})
    ws.cli("poll", "--once")
    edit_rows(ws, "DINKES", {2: dict(**AGREE, tahun=2024, nilai="-", selesai_diisi="YA")})
    ws.cli("poll", "--once")
    assert status(ws, 2) == "8 Perlu Perbaikan"  # a symbol without a reason: a finding that says what to write
    assert "tulis alasannya di Keterangan" in ws.cell("DINKES", 2, "Hasil Pemeriksaan").value
    edit_rows(ws, "DINKES", {2: dict(keterangan=REASON, selesai_diisi="YA")})
    ws.cli("poll", "--once")
    assert status(ws, 2) == "7 Diisi" and "GALAT" not in ws.cell("DINKES", 2, "Hasil Pemeriksaan").value
    edit_rows(ws, "DINKES", {2: dict(terverifikasi="YA")})
    ws.cli("poll", "--once")
    assert status(ws, 2) == "10 Diarsip"

    export = tmp_path / "arsip.json"
    ws.cli("export", "--format", "json", "-o", str(export))
    record = json.loads(export.read_text(encoding="utf-8"))[0]
    assert (record["nilai"], record["status_nilai"], record["keterangan"]) in {(None, "nihil", REASON),
                                                                              ("", "nihil", REASON)}

    ws.cli("publish")
    folder = tmp_path / "publikasi"
    long = list(csv.DictReader(io.StringIO((folder / "data/dinkes-k-009.panjang.csv").read_text(encoding="utf-8"))))
    assert [(r["nilai"], r["status_nilai"], r["keterangan"]) for r in long] == [("-", "nihil", REASON)]
    assert (folder / "data/dinkes-k-009.csv").read_text(encoding="utf-8").splitlines()[1] == \
        "Kabupaten Magetan,35.20,-"  # a lone '-' is written as it is, not as '-
    from frictionless import Package
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    schema = json.loads((folder / "data/dinkes.datapackage.json").read_text(encoding="utf-8"))["resources"][0]["schema"]
    assert schema["missingValues"] == ["", "-", "…"]
    assert REASON in (folder / "katalog/dinkes.ttl").read_text(encoding="utf-8")
    portal = json.loads((folder / "data/dinkes-k-009.json").read_text(encoding="utf-8"))
    assert portal["series"][0]["data"] == [{"tahun": 2024, "nilai": None, "simbol": "-", "keterangan": REASON}]
    assert oct((folder / "datapackage.json").stat().st_mode & 0o777) in {"0o644", "0o664", "0o666"}

    ws.cli("rekap", "DINKES", "-o", str(tmp_path / "rekap.pdf"))
    text = pdf_text(tmp_path / "rekap.pdf")
    assert f"Kabupaten Magetan 2024: '-' (nihil), {REASON[:30]}" in text, text

    page = create_app(load_config(tmp_path / "satudata.toml")).test_client().get("/data/dinkes-k-009")
    html = page.get_data(as_text=True)
    assert f'<abbr title="{REASON}">-</abbr>' in html and 'id="nilai-dinyatakan"' in html and "(nihil)" in html


def test_a_kabupaten_total_that_disagrees_with_its_archived_kecamatan_is_withheld_with_the_reason(tmp_path):
    ws = Workspace(tmp_path)
    ws.cli("poll", "--once")
    places = ["Kabupaten Magetan", *(k.nama for k in WILAYAH.kecamatan)]
    values = [len(places) - 1, *([1] * (len(places) - 1))]  # 18 = 18 × 1
    item = dict(kode_data="K-010", uraian_data="Jumlah Posyandu menurut kecamatan", satuan="Unit")
    edit_rows(ws, "DINKES", {2 + i: dict(**item, rincian=p) for i, p in enumerate(places)})
    ws.cli("poll", "--once")
    edit_rows(ws, "DINKES", {2 + i: dict(**AGREE, tahun=2024, nilai=v, selesai_diisi="YA")
                             for i, v in enumerate(values)})
    ws.cli("poll", "--once")
    edit_rows(ws, "DINKES", {2 + i: dict(terverifikasi="YA") for i in range(len(places))})
    ws.cli("poll", "--once")
    assert {status(ws, 2 + i) for i in range(len(places))} == {"10 Diarsip"}
    assert "0 item" not in ws.cli("publish").output

    edit_rows(ws, "DINKES", {3: dict(nilai=2)})  # a kecamatan corrected after verification: 19 ≠ 18
    ws.cli("poll", "--once")
    edit_rows(ws, "DINKES", {3: dict(terverifikasi="YA")})
    ws.cli("poll", "--once")
    assert status(ws, 3) == "10 Diarsip" and status(ws, 2) == "10 Diarsip"

    out = ws.cli("publish").output
    assert "DITAHAN DINKES K-010 tahun 2024: Nilai total kabupaten/kota 18 tidak sama dengan jumlah 18 kecamatan 19" \
        in out, out
    folder = tmp_path / "publikasi"
    assert not (folder / "data/dinkes-k-010.csv").exists()  # neither the total nor its parts
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8")) if \
        (folder / "datapackage.json").exists() else {}
    client = create_app(load_config(tmp_path / "satudata.toml")).test_client()
    katalog = client.get("/data").get_data(as_text=True)
    assert 'id="ditahan"' in katalog and "Jumlah Posyandu menurut kecamatan (DINKES) tahun 2024" in katalog
    ringkasan = client.get("/api/ringkasan").get_json()
    assert [(w["opd"], w["kode_data"], w["tahun"]) for w in ringkasan["ditahan"]] == [("DINKES", "K-010", 2024)]
    assert 'id="ditahan"' in client.get("/").get_data(as_text=True)
    assert package.get("ditahan", [{"kode_data": "K-010"}])[0]["kode_data"] == "K-010"
    ws.cli("rekap", "DINKES", "-o", str(tmp_path / "rekap.pdf"))
    assert "Ditahan: Jumlah Posyandu menurut kecamatan tahun 2024" in pdf_text(tmp_path / "rekap.pdf")
