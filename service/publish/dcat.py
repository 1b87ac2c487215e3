"""The DCAT catalogue (DCAT v3 / DCAT-AP words): what CKAN's DCAT harvester and other portals read.

Every node has an IRI (no blank nodes), and the JSON-LD is sorted, so the same items give
the same bytes in every process. Turtle and JSON-LD are written here, not by rdflib: its
serialiser looks every IRI up against every bound namespace, which grows with the catalogue
(DECISIONS.md #100). Each item's part is a `Fragment` made once, so a catalogue is the items'
fragments joined: linear in items, and an unchanged item's part is reused as it was.

The catalogue is paged (DECISIONS.md #152): katalog.ttl / katalog.jsonld hold the catalogue's own
node and are the first page of a hydra:PagedCollection whose next pages are one per OPD
(katalog/<opd>.ttl / .jsonld), each with that OPD's datasets, so a change rewrites one OPD's
pages and the small first page. The union of the pages is the catalogue's one graph.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

from service.publish.items import Item, ItemMetadata, slugify
from service.publish.settings import Settings

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
PREFIXES = (("dcat", DCAT), ("dct", DCT), ("foaf", FOAF), ("hydra", HYDRA), ("prov", PROV), ("xsd", XSD))
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


def catalogue(parts: list[tuple[Fragment, str, str, str]], settings: Settings, workspace: str) -> dict[str, bytes]:
    """Every catalogue page (katalog.ttl, katalog.jsonld, katalog/<opd>.ttl…) from each item's
    (fragment, OPD code, OPD name, modified)."""
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


ROOT_PAGE = "katalog"  # katalog.ttl / katalog.jsonld: the catalogue's own node, then one page per OPD
# (predicate, older name ckanext-dcat's RDF harvester also reads): a page names both, as its serialiser does
_LINKS = {"first": "firstPage", "previous": "previousPage", "next": "nextPage", "last": "lastPage"}


def page_name(opd: str) -> str:
    """An OPD's catalogue page, without its suffix (.ttl / .jsonld): only its items' datasets."""
    return f"katalog/{slugify(opd)}"


def _paging(page: str, links: dict[str, str], suffix: str, base: str, total: int | None = None) -> Node:
    """The hydra:PagedCollection node of one page (DECISIONS.md #152): a harvester reads a page's
    datasets, then fetches its hydra:next (ckanext-dcat: hydra:next, else hydra:nextPage)."""
    props: list = [(RDF_TYPE, Iri(HYDRA + "PagedCollection"))]
    for word, target in sorted(links.items()):
        props += [(HYDRA + word, Iri(f"{base}{target}{suffix}")), (HYDRA + _LINKS[word], Iri(f"{base}{target}{suffix}"))]
    if total is not None:
        props.append((HYDRA + "totalItems", Lit(str(total), datatype=XSD + "integer")))
    return f"{base}{page}{suffix}", props


def root_pages(opds: list[str], datasets: int, modified: str | None, settings: Settings,
               workspace: str) -> dict[str, list[bytes]]:
    """katalog.ttl and katalog.jsonld: the catalogue's node and its publisher, and the first page
    of the paged collection, whose hydra:next is the first OPD's page. Small, and the same
    whatever the items hold except for the catalogue's dct:modified."""
    base = settings.url_dasar
    catalogue_node, walidata = _catalogue_nodes([], {}, modified, settings, workspace)[:2]
    pages = [page_name(o) for o in opds]
    out = {}
    for suffix in (".ttl", ".jsonld"):
        links = {"first": ROOT_PAGE} | ({"next": pages[0], "last": pages[-1]} if pages else {})
        out[ROOT_PAGE + suffix] = _page([catalogue_node, walidata, _paging(ROOT_PAGE, links, suffix, base, datasets)],
                                        [], suffix)
    return out


def opd_pages(opds: list[str], opd: str, parts: list[Part], settings: Settings) -> dict[str, list[bytes]]:
    """An OPD's two catalogue pages: the catalogue's dcat:dataset for each of its items, its
    agent, its activities and its items' nodes, with the links to the neighbouring pages. They
    change only when that OPD's items change (or an OPD page is added or removed beside it)."""
    base = settings.url_dasar
    at = opds.index(opd)
    before = page_name(opds[at - 1]) if at else ROOT_PAGE
    links = {"first": ROOT_PAGE, "previous": before} | ({"next": page_name(opds[at + 1])} if at + 1 < len(opds) else {})
    listing: Node = (f"{base}katalog", [(DCAT + "dataset", Iri(p.dataset)) for p in parts])
    shared: dict[str, tuple[bytes, bytes]] = {}
    for part in parts:
        for iri, ttl_text, jsonld_text in part.shared:
            shared.setdefault(iri, (ttl_text, jsonld_text))
    out = {}
    for suffix in (".ttl", ".jsonld"):
        nodes = [_paging(page_name(opd), links, suffix, base), listing, _agent(f"{base}opd/{opd}", parts[0].opd_nama)]
        kept = [(iri, t if suffix == ".ttl" else j) for iri, (t, j) in shared.items()]
        kept += [(p.dataset, p.turtle if suffix == ".ttl" else p.jsonld) for p in parts]
        out[page_name(opd) + suffix] = _page(nodes, kept, suffix)
    return out


def _page(nodes: list[Node], kept: list[tuple[str, bytes]], suffix: str) -> list[bytes]:
    """A page's pieces: ``nodes`` made here and ``kept`` (@id, text) already written, in
    Turtle (prefixes, then in that order) or JSON-LD (one list sorted by @id)."""
    made = [_node_texts(n[0], tuple(n[1])) for n in nodes]
    if suffix == ".ttl":
        head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES) + "\n"
        return [(head + "".join(t for t, _ in made)).encode("utf-8"), *(t for _, t in kept)]
    texts = [(n[0], j.encode("utf-8")) for n, (_, j) in zip(nodes, made)] + kept
    texts.sort(key=lambda x: x[0])
    pieces = [b"[\n"]
    for _, text in texts:
        pieces += (text, b",\n")
    pieces[-1:] = [b"\n]\n"]
    return pieces


@functools.lru_cache(maxsize=1024)
def _node_texts(subject: str, props: tuple) -> tuple[str, str]:
    """(Turtle, JSON-LD) of a page's own node: kept, since a page's links, agent and list of
    datasets are the same from one cycle to the next (the JSON-LD indenter is slow Python)."""
    return _turtle_node((subject, list(props))), _jsonld_text((subject, list(props)))


def catalogue_pages(parts: list[Part], settings: Settings, workspace: str) -> dict[str, list[bytes]]:
    """Every catalogue page (path -> pieces) from the items' parts in catalogue order."""
    by_opd: dict[str, list[Part]] = {}
    for part in parts:
        by_opd.setdefault(part.opd, []).append(part)
    opds = sorted(by_opd)
    out = root_pages(opds, len(parts), max((p.modified for p in parts), default=None), settings, workspace)
    for opd in opds:
        out.update(opd_pages(opds, opd, by_opd[opd], settings))
    return out


def catalogue_bytes(parts: list[Part], settings: Settings, workspace: str) -> dict[str, bytes]:
    """catalogue_pages, each page joined."""
    return {name: b"".join(pieces) for name, pieces in catalogue_pages(parts, settings, workspace).items()}


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
