"""The DCAT catalogue (DCAT v3 / DCAT-AP words): what CKAN's DCAT harvester and other portals read.

Every node has an IRI (no blank nodes), and the JSON-LD is sorted, so the same items give
the same bytes in every process. Turtle and JSON-LD are written here, not by rdflib: its
serialiser looks every IRI up against every bound namespace, which grows with the catalogue
(DECISIONS.md #100). Each item's part is a `Fragment` made once, so a catalogue is the items'
fragments joined: linear in items, and an unchanged item's part is reused as it was.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass

from service.publish.items import Item, ItemMetadata, slugify
from service.publish.settings import Settings

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
PREFIXES = (("dcat", DCAT), ("dct", DCT), ("foaf", FOAF), ("prov", PROV), ("xsd", XSD))
EU_FREQ = "http://publications.europa.eu/resource/authority/frequency/"
EU_FILE = "http://publications.europa.eu/resource/authority/file-type/"
FREQUENCY = {"tahunan": "ANNUAL", "semesteran": "ANNUAL_2", "triwulanan": "QUARTERLY", "bulanan": "MONTHLY",
             "mingguan": "WEEKLY", "harian": "DAILY"}
# (file suffix, IANA media type, EU file type, title)
DISTRIBUTIONS = (
    (".csv", "text/csv", "CSV", "Tabel lebar (CSV)"),
    (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX", "Tabel lebar (Excel)"),
    (".json", "application/json", "JSON", "Seri data (JSON)"),
    (".panjang.csv", "text/csv", "CSV", "Bentuk panjang (CSV, sumber Data Package)"),
)
IANA = "http://www.iana.org/assignments/media-types/"  # as DCAT-AP writes it
RESOLUTION = {"tahunan": "P1Y", "semesteran": "P6M", "triwulanan": "P3M", "bulanan": "P1M", "mingguan": "P7D",
              "harian": "P1D"}  # dcat:temporalResolution, an xsd:duration


@dataclass(frozen=True)
class Iri:
    value: str


@dataclass(frozen=True)
class Lit:
    value: str
    lang: str | None = None
    datatype: str | None = None


Node = tuple[str, list[tuple[str, "Iri | Lit"]]]  # (subject IRI, [(predicate IRI, object)])


@dataclass(frozen=True)
class Fragment:
    """One item's part of the catalogue: its dataset IRI, Turtle block and JSON-LD nodes (sorted
    by @id, as they sit in the catalogue's list). Every @id of an item starts with its dataset IRI
    followed by "#" (below any slug character), so items' blocks sort by their dataset IRI.
    ``shared``: nodes other items may name too (its activity): (@id, Turtle, JSON-LD), each
    written once in the catalogue, the first item's."""
    dataset: str
    turtle: str
    jsonld: str
    shared: tuple[tuple[str, str, str], ...] = ()


def _agent(iri: str, name: str) -> Node:
    return iri, [(RDF_TYPE, Iri(FOAF + "Agent")), (FOAF + "name", Lit(name, "id"))]


def _activity(item: Item, meta: ItemMetadata, base: str) -> Node:
    """The statistical activity (MS-Keg) that produced the item's data, as a prov:Activity."""
    props: list = [(RDF_TYPE, Iri(PROV + "Activity")), (DCT + "title", Lit(meta.kegiatan, "id"))]
    about = "; ".join(f"{label}: {text}" for label, text in meta.kegiatan_fields
                      if label in ("Tujuan Kegiatan", "Cara Pengumpulan Data", "Metode Pengumpulan Data",
                                   "Cakupan Wilayah Pengumpulan Data", "Unit Observasi"))
    if about:
        props.append((DCT + "description", Lit(about, "id")))
    if meta.kegiatan_values.get("instansi_penyelenggara"):
        props.append((PROV + "wasAssociatedWith", Iri(f"{base}opd/{item.opd}")))
    return f"{base}kegiatan/{slugify(f'{item.opd} {meta.kegiatan}')}", props


def _dataset(item: Item, base: str, licence: str) -> list[Node]:
    node = f"{base}data/{item.slug}"
    modified = Lit(item.modified, datatype=XSD + "dateTime")
    props: list = [(RDF_TYPE, Iri(DCAT + "Dataset")), (DCT + "identifier", Lit(item.slug)),
                   (DCT + "title", Lit(item.title, "id")),
                   (DCT + "description", Lit(_description(item), "id")),
                   (DCT + "publisher", Iri(f"{base}opd/{item.opd}")), (DCAT + "landingPage", Iri(node)),
                   (DCT + "modified", modified)]
    for word in sorted({item.opd, item.satuan, *(item.standar[k] for k in ("konsep", "klasifikasi", "ukuran"))}
                       - {""}):
        props.append((DCAT + "keyword", Lit(word, "id")))
    period = f"{node}#periode"
    props.append((DCT + "temporal", Iri(period)))
    kegiatan = item.metadata.kegiatan_values if item.metadata else {}
    periodicity = (item.standar["frekuensi"] or kegiatan.get("frekuensi_penyelenggaraan", "")).casefold()
    if periodicity in FREQUENCY:
        props.append((DCT + "accrualPeriodicity", Iri(EU_FREQ + FREQUENCY[periodicity])))
        props.append((DCAT + "temporalResolution", Lit(RESOLUTION[periodicity], datatype=XSD + "duration")))
    if item.metadata and item.metadata.kegiatan:
        props.append((PROV + "wasGeneratedBy", Iri(_activity(item, item.metadata, base)[0])))
    nodes: list[Node] = [(node, props), (period, [
        (RDF_TYPE, Iri(DCT + "PeriodOfTime")),
        (DCAT + "startDate", Lit(f"{min(item.years)}-01-01", datatype=XSD + "date")),
        (DCAT + "endDate", Lit(f"{max(item.years)}-12-31", datatype=XSD + "date"))])]
    for suffix, media, file_type, title in DISTRIBUTIONS:
        dist = f"{node}#{suffix.strip('.-').replace('.', '-')}"
        props.append((DCAT + "distribution", Iri(dist)))
        nodes.append((dist, [(RDF_TYPE, Iri(DCAT + "Distribution")), (DCT + "title", Lit(title, "id")),
                             (DCAT + "downloadURL", Iri(f"{base}data/{item.slug}{suffix}")),
                             (DCAT + "accessURL", Iri(node)), (DCAT + "mediaType", Iri(IANA + media)),
                             (DCT + "format", Iri(EU_FILE + file_type)), (DCT + "license", Iri(licence)),
                             (DCT + "modified", modified)]))
    return nodes


def _description(item: Item) -> str:
    """The item's definition, then each value declared missing with its symbol and reason."""
    text = item.description
    notes = [f"{d.rincian} {d.tahun}: '{d.simbol}' ({d.status_nilai.replace('_', ' ')}) — {d.keterangan}"
             for d in item.declared]
    return text + ("\nNilai dinyatakan tidak ada: " + "; ".join(notes) if notes else "")


def fragment(item: Item, settings: Settings) -> Fragment:
    nodes = _dataset(item, settings.url_dasar, settings.licence_url)
    shared = [_activity(item, item.metadata, settings.url_dasar)] if item.metadata and item.metadata.kegiatan else []
    return Fragment(nodes[0][0], "".join(_turtle_node(n) for n in nodes),
                    ",\n".join(_jsonld_text(n) for n in sorted(nodes, key=lambda n: n[0])),
                    tuple((n[0], _turtle_node(n), _jsonld_text(n)) for n in shared))


def _catalogue_nodes(datasets: list[str], publishers: dict[str, str], modified: str | None,
                     settings: Settings, workspace: str) -> list[Node]:
    base = settings.url_dasar
    props: list = [
        (RDF_TYPE, Iri(DCAT + "Catalog")),
        (DCT + "title", Lit(f"Katalog {settings.produk} — {workspace}", "id")),
        (DCT + "description", Lit(f"Data sektoral OPD {settings.wilayah} yang telah diverifikasi Walidata.", "id")),
        (DCT + "publisher", Iri(f"{base}walidata")), (DCT + "license", Iri(settings.licence_url)),
        (DCT + "language", Iri("http://publications.europa.eu/resource/authority/language/IND")),
        (FOAF + "homepage", Iri(f"{base}data"))]
    if modified:
        props.append((DCT + "modified", Lit(modified, datatype=XSD + "dateTime")))
    props += [(DCAT + "dataset", Iri(d)) for d in datasets]
    return [(f"{base}katalog", props), _agent(f"{base}walidata", settings.penerbit),
            *(_agent(f"{base}opd/{kode}", nama) for kode, nama in publishers.items())]


def catalogue(parts: list[tuple[Fragment, str, str, str]], settings: Settings, workspace: str) -> tuple[bytes, bytes]:
    """(katalog.ttl, katalog.jsonld) from each item's (fragment, OPD code, OPD name, modified)."""
    return catalogue_bytes([Part(f.dataset, f.turtle.encode("utf-8"), f.jsonld.encode("utf-8"),
                                 tuple((i, t.encode("utf-8"), j.encode("utf-8")) for i, t, j in f.shared), kode, nama,
                                 modified) for f, kode, nama, modified in parts], settings, workspace)


@dataclass(frozen=True)
class Part:
    """An item's fragment as UTF-8 (what the catalogue files are joined from), with its OPD and time."""
    dataset: str
    turtle: bytes
    jsonld: bytes
    shared: tuple[tuple[str, bytes, bytes], ...]
    opd: str
    opd_nama: str
    modified: str


_MODIFIED = "dimodifikasi" + uuid.uuid4().hex  # stands for the catalogue's dct:modified in its kept head
_heads: dict[tuple, tuple[list[tuple[str, str]], str]] = {}  # one kept head: the datasets change seldom


def _head_texts(datasets: tuple[str, ...], publishers: tuple[tuple[str, str], ...], modified: str | None,
                settings: Settings, workspace: str) -> tuple[list[tuple[str, str]], str]:
    """([(@id, JSON-LD text)], Turtle) of the catalogue's own nodes: made once per list of
    datasets, publishers and settings, the time put in by replacing a token."""
    key = (datasets, publishers, modified is None, settings, workspace)
    if key not in _heads:
        _heads.clear()
        nodes = _catalogue_nodes(list(datasets), dict(publishers), None if modified is None else _MODIFIED,
                                 settings, workspace)
        _heads[key] = ([(n[0], _jsonld_text(n)) for n in nodes], "".join(_turtle_node(n) for n in nodes))
    texts, ttl = _heads[key]
    if modified is None:
        return texts, ttl
    return [(i, t.replace(_MODIFIED, modified)) for i, t in texts], ttl.replace(_MODIFIED, modified)


def catalogue_bytes(parts: list[Part], settings: Settings, workspace: str) -> tuple[bytes, bytes]:
    """(katalog.ttl, katalog.jsonld) joined from the items' parts: their bytes are copied, not
    made again, so a catalogue costs little more than writing it."""
    ttl, jsonld = catalogue_pieces(parts, settings, workspace)
    return b"".join(ttl), b"".join(jsonld)


def catalogue_pieces(parts: list[Part], settings: Settings, workspace: str) -> tuple[list[bytes], list[bytes]]:
    """catalogue_bytes as the lists of pieces that joined make each file (a writer can write
    them as they are, without a copy of the whole in memory)."""
    publishers: dict[str, str] = {}
    for part in parts:
        publishers.setdefault(part.opd, part.opd_nama)
    modified = max((p.modified for p in parts), default=None)
    head_jsonld, head_ttl = _head_texts(tuple(p.dataset for p in parts), tuple(publishers.items()), modified,
                                        settings, workspace)
    shared: dict[str, tuple[bytes, bytes]] = {}
    for part in parts:
        for iri, ttl_text, jsonld_text in part.shared:
            shared.setdefault(iri, (ttl_text, jsonld_text))
    ttl = [("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES) + "\n" + head_ttl).encode("utf-8")]
    ttl += [t for t, _ in shared.values()]
    ttl += [p.turtle for p in parts]
    texts = [(i, t.encode("utf-8")) for i, t in head_jsonld] + [(p.dataset, p.jsonld) for p in parts]
    texts += [(iri, j) for iri, (_, j) in shared.items()]
    texts.sort(key=lambda x: x[0])
    pieces = [b"[\n"]
    for _, text in texts:
        pieces += (text, b",\n")
    pieces[-1:] = [b"\n]\n"] if texts else [b"[\n\n]\n"]
    return ttl, pieces


# Turtle ---------------------------------------------------------------------------------------

_LOCAL = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_IRI_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_STRING_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')
_NAMED = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _iri(value: str) -> str:
    for prefix, namespace in PREFIXES:
        if value.startswith(namespace) and _LOCAL.fullmatch(value[len(namespace):]):
            return f"{prefix}:{value[len(namespace):]}"
    return "<" + _IRI_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04X}", value) + ">"


def _term(obj: Iri | Lit) -> str:
    if isinstance(obj, Iri):
        return _iri(obj.value)
    text = '"' + _STRING_ESCAPE.sub(lambda m: _NAMED.get(m.group(), f"\\u{ord(m.group()):04X}"), obj.value) + '"'
    if obj.lang:
        return f"{text}@{obj.lang}"
    return f"{text}^^{_iri(obj.datatype)}" if obj.datatype else text


def _turtle_node(node: Node) -> str:
    subject, props = node
    lines = [("a" if p == RDF_TYPE else _iri(p)) + " " + _term(o) for p, o in props]
    return _iri(subject) + "\n    " + " ;\n    ".join(lines) + " .\n\n"


# JSON-LD (expanded form, as harvesters read it) -----------------------------------------------

def _jsonld_value(obj: Iri | Lit) -> dict:
    if isinstance(obj, Iri):
        return {"@id": obj.value}
    value = {"@value": obj.value}
    if obj.lang:
        value["@language"] = obj.lang
    elif obj.datatype:
        value["@type"] = obj.datatype
    return value


def _jsonld_text(node: Node) -> str:
    """One node with every value list sorted, as it sits indented in the catalogue's list."""
    subject, props = node
    body: dict = {"@id": subject}
    for predicate, obj in props:
        if predicate == RDF_TYPE:
            body.setdefault("@type", []).append(obj.value)
        else:
            body.setdefault(predicate, []).append(_jsonld_value(obj))
    for key, values in body.items():
        if isinstance(values, list):
            body[key] = sorted(values, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    text = json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True)
    return "  " + text.replace("\n", "\n  ")
