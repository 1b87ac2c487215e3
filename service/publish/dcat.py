"""The DCAT catalogue (DCAT v3 / DCAT-AP words): what CKAN's DCAT harvester and other portals read.

Every node has an IRI (no blank nodes), and the JSON-LD is sorted, so the same items give
the same bytes in every process.
"""
from __future__ import annotations

import json

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, XSD

from service.publish.items import Item, slugify
from service.publish.settings import Settings

EU_FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_FILE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
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


def _agent(graph: Graph, iri: URIRef, name: str) -> URIRef:
    graph.add((iri, RDF.type, FOAF.Agent))
    graph.add((iri, FOAF.name, Literal(name, lang="id")))
    return iri


def _activity(graph: Graph, item: Item, base: str) -> URIRef:
    """The statistical activity (MS-Keg) that produced the item's data, as a prov:Activity."""
    meta = item.metadata
    node = URIRef(f"{base}kegiatan/{slugify(f'{item.opd} {meta.kegiatan}')}")
    graph.add((node, RDF.type, PROV.Activity))
    graph.add((node, DCTERMS.title, Literal(meta.kegiatan, lang="id")))
    values = meta.kegiatan_values
    about = "; ".join(f"{label}: {text}" for label, text in meta.kegiatan_fields
                      if label in ("Tujuan Kegiatan", "Cara Pengumpulan Data", "Metode Pengumpulan Data",
                                   "Cakupan Wilayah Pengumpulan Data", "Unit Observasi"))
    if about:
        graph.add((node, DCTERMS.description, Literal(about, lang="id")))
    if values.get("instansi_penyelenggara"):
        graph.add((node, PROV.wasAssociatedWith, _agent(graph, URIRef(f"{base}opd/{item.opd}"), item.opd_nama)))
    return node


def _dataset(graph: Graph, item: Item, base: str, licence: URIRef) -> URIRef:
    node = URIRef(f"{base}data/{item.slug}")
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(item.slug)))
    graph.add((node, DCTERMS.title, Literal(item.title, lang="id")))
    graph.add((node, DCTERMS.description, Literal(_description(item), lang="id")))
    graph.add((node, DCTERMS.publisher, _agent(graph, URIRef(f"{base}opd/{item.opd}"), item.opd_nama)))
    graph.add((node, DCAT.landingPage, node))
    graph.add((node, DCTERMS.modified, Literal(item.modified, datatype=XSD.dateTime)))
    for word in sorted({item.opd, item.satuan, *(item.standar[k] for k in ("konsep", "klasifikasi", "ukuran"))}
                       - {""}):
        graph.add((node, DCAT.keyword, Literal(word, lang="id")))
    period = URIRef(f"{node}#periode")
    graph.add((node, DCTERMS.temporal, period))
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((period, DCAT.startDate, Literal(f"{min(item.years)}-01-01", datatype=XSD.date)))
    graph.add((period, DCAT.endDate, Literal(f"{max(item.years)}-12-31", datatype=XSD.date)))
    kegiatan = item.metadata.kegiatan_values if item.metadata else {}
    periodicity = (item.standar["frekuensi"] or kegiatan.get("frekuensi_penyelenggaraan", "")).casefold()
    if periodicity in FREQUENCY:
        graph.add((node, DCTERMS.accrualPeriodicity, EU_FREQ[FREQUENCY[periodicity]]))
        graph.add((node, DCAT.temporalResolution, Literal(RESOLUTION[periodicity], datatype=XSD.duration)))
    if item.metadata and item.metadata.kegiatan:
        graph.add((node, PROV.wasGeneratedBy, _activity(graph, item, base)))
    for suffix, media, file_type, title in DISTRIBUTIONS:
        dist = URIRef(f"{node}#{suffix.strip('.-').replace('.', '-')}")
        graph.add((node, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(title, lang="id")))
        graph.add((dist, DCAT.downloadURL, URIRef(f"{base}data/{item.slug}{suffix}")))
        graph.add((dist, DCAT.accessURL, node))
        graph.add((dist, DCAT.mediaType, URIRef(IANA + media)))
        graph.add((dist, DCTERMS["format"], EU_FILE[file_type]))
        graph.add((dist, DCTERMS.license, licence))
        graph.add((dist, DCTERMS.modified, Literal(item.modified, datatype=XSD.dateTime)))
    return node


def _description(item: Item) -> str:
    """The item's definition, then each value declared missing with its symbol and reason."""
    text = item.description
    notes = [f"{d.rincian} {d.tahun}: '{d.simbol}' ({d.status_nilai.replace('_', ' ')}) — {d.keterangan}"
             for d in item.declared]
    return text + ("\nNilai dinyatakan tidak ada: " + "; ".join(notes) if notes else "")


def catalogue(items: list[Item], settings: Settings, workspace: str) -> Graph:
    base = settings.url_dasar
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    graph.bind("prov", PROV)
    node = URIRef(f"{base}katalog")
    licence = URIRef(settings.licence_url)
    graph.add((node, RDF.type, DCAT.Catalog))
    graph.add((node, DCTERMS.title, Literal(f"Katalog {settings.produk} — {workspace}", lang="id")))
    graph.add((node, DCTERMS.description, Literal(
        f"Data sektoral OPD {settings.wilayah} yang telah diverifikasi Walidata.", lang="id")))
    graph.add((node, DCTERMS.publisher, _agent(graph, URIRef(f"{base}walidata"), settings.penerbit)))
    graph.add((node, DCTERMS.license, licence))
    graph.add((node, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/IND")))
    graph.add((node, FOAF.homepage, URIRef(f"{base}data")))
    if items:
        graph.add((node, DCTERMS.modified, Literal(max(i.modified for i in items), datatype=XSD.dateTime)))
    for item in items:
        graph.add((node, DCAT.dataset, _dataset(graph, item, base, licence)))
    return graph


def turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle").encode("utf-8")


def jsonld(graph: Graph) -> bytes:
    """JSON-LD with its @graph sorted by @id and every value list sorted: one text per graph."""
    body = json.loads(graph.serialize(format="json-ld"))
    nodes = body if isinstance(body, list) else body.get("@graph", [body])
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    nodes.sort(key=lambda n: n.get("@id", ""))
    return (json.dumps(nodes, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
