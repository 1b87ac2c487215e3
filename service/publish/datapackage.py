"""The Frictionless Data Package: one tabular resource per item, its Table Schema from the rule files."""
from __future__ import annotations

import functools
import json
from collections.abc import Container, Sequence
from typing import Any
import re

from rules.rulefile import RuleSet
from service.publish.items import Item, slugify
from service.publish.settings import Settings

KODE_WILAYAH_PATTERN = r"[0-9]{2}\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?"  # any kabupaten/kota
_DESCRIPTIONS = {
    "opd": "Kode OPD produsen data", "kode_data": "Kode Data dalam Daftar Data",
    "uraian_data": "Uraian Data (judul item)", "rincian": "Rincian: kabupaten/kota, kecamatan, desa atau kategori",
    "kode_wilayah": "Kode wilayah Kemendagri bila rincian adalah wilayah", "satuan": "Satuan nilai",
    "tahun": "Tahun data", "nilai": "Nilai terverifikasi (titik desimal)", "versi": "Versi datum di arsip",
    "diverifikasi_pada": "Waktu diverifikasi Walidata (ISO 8601, WIB)",
    "status_nilai": "Kosong bila nilai berupa angka; 'nihil' (simbol -) atau 'tidak_tersedia' (simbol …) bila "
                    "nilai dinyatakan tidak ada",
    "keterangan": "Alasan nilai dinyatakan nihil atau tidak tersedia",
}
MISSING_VALUES = ["", "-", "…"]  # the BPS symbols a long CSV writes in place of a value declared missing
_TYPES = {"tahun": "integer", "nilai": "number", "versi": "integer", "diverifikasi_pada": "datetime"}


def _holds(values: list, name: str, value: object) -> bool:
    """A rule constraint is published only when the verified values meet it (a rule added after
    verification warns the Walidata; it must not make the published package invalid)."""
    present = [v for v in values if v not in (None, "")]
    if name == "required":
        return not value or len(present) == len(values)
    if name == "minimum":
        return all(v >= value for v in present)
    if name == "maximum":
        return all(v <= value for v in present)
    if name == "enum":
        return isinstance(value, Container) and all(v in value for v in present)
    if name == "pattern":
        return all(re.fullmatch(str(value), str(v)) for v in present)
    if name == "unique":
        return not value or len(set(present)) == len(present)
    return False


def _columns(item: Item) -> dict[str, list]:
    return {"opd": [d.opd for d in item.data], "kode_data": [d.kode_data for d in item.data],
            "uraian_data": [d.uraian_data for d in item.data], "rincian": [d.rincian for d in item.data],
            "kode_wilayah": [d.kode_wilayah for d in item.data], "satuan": [d.satuan for d in item.data],
            "tahun": [d.tahun for d in item.data], "nilai": [d.nilai for d in item.data],
            "versi": [d.versi for d in item.data], "diverifikasi_pada": [d.diverifikasi_pada for d in item.data],
            "status_nilai": [d.status_nilai for d in item.data],
            "keterangan": [d.keterangan if d.simbol else "" for d in item.data]}


def wanted_constraints(item: Item, rules: RuleSet, year: int) -> dict[str, dict]:
    """What the rule files ask of this item's columns, in Table Schema words."""
    wanted: dict[str, dict] = {"opd": {"required": True}, "uraian_data": {"required": True},
                               "satuan": {"required": True}, "tahun": {"required": True},
                               "nilai": {"required": True}, "versi": {"required": True, "minimum": 1},
                               "diverifikasi_pada": {"required": True},
                               "kode_wilayah": {"pattern": KODE_WILAYAH_PATTERN}}
    oldest = min([year, *item.years])
    wanted["tahun"].update(minimum=min(year - rules.tahun_mundur_maks, oldest), maximum=max([year, *item.years]))
    if item.satuan.casefold() in rules.satuan_cacah:
        wanted["nilai"]["minimum"] = 0
    for rule in rules.items_for(item.kode_data, item.uraian_data):
        for column, constraints in rule.kolom.items():
            wanted.setdefault(column, {}).update(constraints)
    return wanted


def _describe(item: Item, name: str) -> str:
    """A column's description; the value column says what it measures when the metadata tells."""
    meta = item.metadata.values if item.metadata else {}
    if name == "nilai" and meta.get("definisi"):
        how = f" Rumus: {meta['metode_rumus_perhitungan']}." if meta.get("metode_rumus_perhitungan") else ""
        return f"{_DESCRIPTIONS[name]}: {meta['definisi']}.{how}"
    return _DESCRIPTIONS[name]


def table_schema(item: Item, rules: RuleSet, year: int) -> dict:
    columns = _columns(item)
    fields = []
    for name in columns:
        field: dict[str, Any] = {"name": name, "type": _TYPES.get(name, "string"), "description": _describe(item, name)}
        constraints = {k: v for k, v in wanted_constraints(item, rules, year).get(name, {}).items()
                       if _holds(columns[name], k, v)}
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {"fields": fields, "primaryKey": ["rincian", "tahun"], "missingValues": MISSING_VALUES}


def resource(item: Item, rules: RuleSet, year: int) -> dict:
    return {
        "name": item.slug, "path": f"{item.slug}.panjang.csv", "profile": "tabular-data-resource",
        "title": item.title, "description": item.description,
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "schema": table_schema(item, rules, year),
        "opd": {"kode": item.opd, "nama": item.opd_nama},
        "standar_data": {"kode_data": item.kode_data, **item.standar, "satuan": item.satuan},
        "diperbarui": item.modified,
        **_metadata(item),
    }


def _metadata(item: Item) -> dict:
    """The item's MS-Ind/MS-Var and its activity's MS-Keg (Peraturan BPS 5/2020), as a portal lists them."""
    if item.metadata is None:
        return {}
    meta = item.metadata
    key = "metadata_indikator" if meta.jenis == "MS-Ind" else "metadata_variabel"
    out = {key: {label: text for label, text in meta.fields}}
    if meta.kegiatan:
        out["metadata_kegiatan"] = {label: text for label, text in meta.kegiatan_fields}
    return out


def opd_package(opd: str) -> str:
    """Where an OPD's package is (DECISIONS.md #152): beside its items' files, so its resources'
    paths are theirs in data/ (a package may not reach above its own folder)."""
    return f"data/{slugify(opd)}.datapackage.json"


def root(publishers: list[tuple[str, str]], settings: Settings, workspace: str, year: int,
         withheld: list[dict] | None = None) -> bytes:
    """datapackage.json: the publication's package, whose resources are the OPDs' packages
    (frictionless validates through them) and what is withheld. It changes only when an OPD
    is first published or withheld data change, not with every archived value (so it is kept)."""
    return _root(tuple(publishers), settings, workspace, year, json.dumps(withheld or [], ensure_ascii=False))


@functools.lru_cache(maxsize=4)
def _root(publishers: tuple[tuple[str, str], ...], settings: Settings, workspace: str, year: int,
          withheld_json: str) -> bytes:
    withheld = json.loads(withheld_json)
    body = head(list(publishers), settings, workspace, year)
    body["profile"] = "data-package"
    body["resources"] = [{"name": slugify(kode), "title": f"Data {nama}", "path": opd_package(kode),
                          "format": "json", "mediatype": "application/json", "opd": {"kode": kode, "nama": nama}}
                         for kode, nama in publishers]
    if withheld:
        body["ditahan"] = withheld
    return to_json(body)


def opd_head(opd: str, nama: str, settings: Settings, workspace: str, year: int) -> dict:
    """An OPD's package without its resources."""
    body = head([(opd, nama)], settings, workspace, year)
    return body | {"name": f"{body['name']}-{slugify(opd)}", "title": f"{body['title']} — {nama}"}


def head(publishers: list[tuple[str, str]], settings: Settings, workspace: str, year: int) -> dict:
    """The package without its resources; ``publishers`` (OPD code, name) in item order."""
    contributors = [{"title": settings.penerbit, "role": "publisher"}]
    seen = set()
    for kode, nama in publishers:
        if kode not in seen:
            seen.add(kode)
            contributors.append({"title": nama, "role": "author", "organization": kode})
    return {
        "profile": "tabular-data-package", "name": _slug(settings.produk),
        "title": f"{settings.produk} — {workspace}",
        "description": f"Data sektoral OPD {settings.wilayah} yang telah diverifikasi Walidata dan diarsipkan "
                       "(SOP Pengumpulan Data, langkah 10).",
        "homepage": settings.url_dasar + "data",
        "licenses": [{"name": settings.lisensi, "title": settings.licence_title, "path": settings.licence_url}],
        "contributors": contributors,
        "keywords": ["Satu Data Indonesia", settings.wilayah, "data sektoral"],
        "tahun_kerja": year,
    }


def descriptor(items: list[Item], rules: RuleSet, settings: Settings, workspace: str, year: int,
               withheld: Sequence[Any] = ()) -> dict:
    """The package; ``withheld`` (service.publish.withheld.Withheld): data held back, each with why."""
    return {**head([(i.opd, i.opd_nama) for i in items], settings, workspace, year),
            "resources": [resource(item, rules, year) for item in items],
            **({"ditahan": [w.as_dict() for w in withheld]} if withheld else {})}


def to_json(body: dict) -> bytes:
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def resource_text(body: dict) -> str:
    """One resource as it sits, indented, in datapackage.json's list of resources."""
    return "    " + json.dumps(body, ensure_ascii=False, indent=2).replace("\n", "\n    ")


def package_json(package_head: dict, resources: list[str], withheld: list[dict] | None = None) -> bytes:
    """The same bytes as to_json of the whole descriptor, from its head, the resources' texts
    (each kept from when its item last changed) and what is withheld (as_dict)."""
    text = json.dumps({**package_head, "resources": _SLOT, **({"ditahan": withheld} if withheld else {})},
                      ensure_ascii=False, indent=2)
    return (text.replace(json.dumps(_SLOT), "[\n" + ",\n".join(resources) + "\n  ]", 1) + "\n").encode("utf-8")


def package_bytes(package_head: dict, resources: list[bytes], withheld: list[dict] | None = None) -> bytes:
    """package_json from the resources' texts as UTF-8: the same bytes, joined without decoding."""
    return b"".join(package_pieces(package_head, resources, withheld))


def package_pieces(package_head: dict, resources: list[bytes], withheld: list[dict] | None = None) -> list[bytes]:
    """package_bytes as the pieces that joined make it (a writer writes them as they are)."""
    text = json.dumps({**package_head, "resources": _SLOT, **({"ditahan": withheld} if withheld else {})},
                      ensure_ascii=False, indent=2)
    before, after = text.split(json.dumps(_SLOT), 1)
    pieces = [(before + "[\n").encode("utf-8")]
    for resource in resources:
        pieces += (resource, b",\n")
    end = ("\n  ]" + after + "\n").encode("utf-8")
    pieces[-1:] = [end] if resources else [pieces[-1], end]
    return pieces


_SLOT = "\u0000resources\u0000"  # where the resources' texts go: no text of the head holds it


def _slug(text: str) -> str:
    """A Data Package name: lower case, digits, '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
