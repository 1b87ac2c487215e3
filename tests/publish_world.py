"""A workspace whose DINKES rows went through the whole SOP, for the publication tests.

DINKES: "Jumlah Puskesmas" for the kabupaten and three kecamatan (typed as a name, with
"Kec.", and as a Kemendagri code), for 2024 and 2025, plus "Persentase Balita Ditimbang"
(a per-item rule: 0..100) for 2025; one 2025 value was sent back once and corrected.
DIKPORA: one row agreed, none verified.
"""
from __future__ import annotations

from pathlib import Path

from tests.conftest import World, make_config

AGREE = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")
STANDAR = {"Konsep": "Puskesmas", "Definisi": "Banyaknya puskesmas yang beroperasi di wilayah",
           "Klasifikasi": "Kecamatan", "Ukuran": "Jumlah", "Frekuensi": "Tahunan"}
# rincian as typed -> value for 2024, 2025 (written in the sheet as operators would)
PUSKESMAS = (("Kabupaten Magetan", "22", "23"), ("Kec. Plaosan", "2", "2"), ("Poncol", "1", "1"),
             ("35.20.06", "3", "4"))
TOML = """[workspace]
name = "Uji Publikasi"
year = 2025
[sheets]
backend = "xlsx"
folder = "sheets"
[archive]
url = "{url}"
[publikasi]
{publikasi}
[[opd]]
kode = "DINKES"
nama = "Dinas Kesehatan"
kepala = {{ nama = "dr. Rina Wulandari", nip = "197501012000032001" }}
[[opd]]
kode = "DIKPORA"
nama = "Dinas Pendidikan"
"""


def write_toml(world: World, publikasi: str = "") -> Path:
    path = world.config.path
    path.write_text(TOML.format(url=world.config.archive_url, publikasi=publikasi), encoding="utf-8")
    return path


class PublishedWorld(World):
    def __init__(self, tmp_path: Path, url: str | None = None) -> None:
        super().__init__(tmp_path, url=url)
        self.config = make_config(tmp_path, url=url)
        self.poll()
        ids = []
        for rincian, *_ in PUSKESMAS:
            for tahun in (2024, 2025):
                ids.append(self.add("DINKES", "DEMO-DINKES-007", "Jumlah Puskesmas", rincian, "Unit", tahun))
        ids.append(self.add("DINKES", "", "Persentase Balita Ditimbang", "", "Persen", 2025))
        self.add("DIKPORA", "DEMO-DIKPORA-001", "Jumlah Sekolah", "", "Unit", 2025)
        self.poll()
        for opd in ("DINKES", "DIKPORA"):
            for rid in self.backend.ids(opd):
                for header in AGREE:
                    self.backend.set(opd, rid, header, "YA")
        self.poll()
        values = [v for _, *pair in PUSKESMAS for v in pair] + ["81,5"]
        for rid, value in zip(ids, values):
            self.backend.set("DINKES", rid, "Nilai", "salah" if rid == ids[3] else value)
            self.backend.set("DINKES", rid, "Selesai Diisi", "YA")
        self.poll()  # ids[3] is sent back: 8 Perlu Perbaikan
        self.backend.set("DINKES", ids[3], "Nilai", PUSKESMAS[1][2])
        self.backend.set("DINKES", ids[3], "Selesai Diisi", "YA")
        self.poll()
        for rid in ids:
            self.backend.set("DINKES", rid, "Terverifikasi", "YA")
        self.poll()
        self.poll()
        self.ids = ids

    def add(self, opd: str, kode: str, uraian: str, rincian: str, satuan: str, tahun: int) -> str:
        self.backend.add_row(opd, Kode_Data=kode, Uraian_Data=uraian, Rincian=rincian, Satuan=satuan,
                             Tahun=tahun, **{k.replace(" ", "_"): v for k, v in STANDAR.items()})
        self.poll()
        return self.backend.ids(opd)[-1]


HYDRA_NS = "http://www.w3.org/ns/hydra/core#"


def catalogue_graph(files: dict[str, bytes], suffix: str = ".ttl", paging: bool = False):
    """The catalogue as a harvester reads it: katalog<suffix>, then every hydra:next page
    (DECISIONS.md #152), parsed into one rdflib graph (without the paging triples unless
    ``paging``); each page is also checked to parse on its own and to link only to pages that exist."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF
    fmt = "turtle" if suffix == ".ttl" else "json-ld"
    union, name, seen = Graph(), f"katalog{suffix}", []
    while name is not None:
        assert name not in seen and name in files, (name, seen)
        seen.append(name)
        page = Graph().parse(data=files[name].decode("utf-8"), format=fmt)
        following = [str(o) for s in page.subjects(RDF.type, URIRef(HYDRA_NS + "PagedCollection"))
                     for o in page.objects(s, URIRef(HYDRA_NS + "next"))]
        assert following == [str(o) for s in page.subjects(RDF.type, URIRef(HYDRA_NS + "PagedCollection"))
                             for o in page.objects(s, URIRef(HYDRA_NS + "nextPage"))]
        for triple in page:
            if paging or not str(triple[1]).startswith(HYDRA_NS) and triple[2] != URIRef(HYDRA_NS + "PagedCollection"):
                union.add(triple)
        name = following[0].split("/", 3)[3] if following else None  # the page's path under url_dasar
    assert sorted(seen[1:]) == sorted(n for n in files if n.startswith("katalog/") and n.endswith(suffix))
    return union


def package_resources(files: dict[str, bytes]) -> list[dict]:
    """Every item's resource, read through datapackage.json's OPD packages (DECISIONS.md #152)."""
    import json
    root = json.loads(files["datapackage.json"])
    return [r for opd in root["resources"] for r in json.loads(files[opd["path"]])["resources"]]
