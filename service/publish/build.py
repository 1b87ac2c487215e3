"""The whole publication in memory (path -> bytes): written by `satudata publish`, served by /data."""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rules.rulefile import RuleError, RuleSet, load_rules
from rules.wilayah import Wilayah
from service.archive.queries import Queries
from service.archive.store import Store
from service.config import Config
from service.publish import datapackage, dcat, formats
from service.publish.items import Item, attach_metadata, base_slug, build_items
from service.publish.parts import (Entry, Group, Key, Part, all_parts, clashes, grouped, part_json, part_name,
                                   part_of, published_opds, regrouped)
from service.publish.settings import Settings, load_settings
from service.publish.source import Rows, latest_data, latest_data_of_items
from service.config.wilayah import load_wilayah
from service.publish.withheld import Withheld, withhold

log = logging.getLogger(__name__)
PUBLIC_MODE = 0o644  # published files are read by a web server that may run as another user
# a slug is [a-z0-9-] only, so "<slug>.panjang.csv" can never be another item's "<slug>.csv"
LONG_SUFFIX = ".panjang.csv"
ITEM_SUFFIXES = (".csv", ".xlsx", ".json", LONG_SUFFIX)
_EARLIER_SUFFIXES = ("-panjang.csv",)  # the long form's name before it could collide no more
README = """Publikasi {produk}
{garis}

Berkas di folder ini dibuat oleh `satudata publish` dari arsip (hanya data terverifikasi,
versi terakhir setiap datum). Arsip yang sama selalu menghasilkan berkas yang sama persis.

data/<item>.csv          tabel lebar: baris = rincian ({wilayah}, lalu kecamatan menurut
                         urutan BPS atau kode Kemendagri), kolom = tahun. UTF-8, pemisah koma, titik desimal, tanpa
                         pemisah ribuan; sel kosong = belum ada data.
data/<item>.xlsx         tabel yang sama untuk Excel; angka tersimpan sebagai angka dengan format
                         ribuan/desimal (Excel/Calc berbahasa Indonesia menampilkan 1.234,5).
data/<item>.json         seri data seperti dataset portal: metadata (konsep, klasifikasi, ukuran,
                         satuan, periode) dan satu seri per rincian berisi {{tahun, nilai}}.
data/<item>.panjang.csv  bentuk panjang, satu baris per datum: sumber Data Package.
data/<opd>.datapackage.json  Frictionless Data Package satu OPD: satu sumber per item (bentuk panjang).
datapackage.json         paket induk: satu sumber per paket OPD dan data yang ditahan
                         (periksa semuanya: frictionless validate datapackage.json).
katalog.ttl, katalog.jsonld  katalog DCAT (DCAT v3 / DCAT-AP) untuk dipanen portal data: halaman
                         pertama; hydra:next menunjuk halaman tiap OPD (katalog/<opd>.ttl, .jsonld).
"""


# Not published: what the next refresh reuses (DECISIONS.md #101): one file per item with its
# catalogue entries and withheld totals, and a stamp (basis and archive mark) that an idle cycle reads alone.
INDEX = ".indeks-publikasi"
STAMP = "tanda.json"
INDEX_FORMAT = 7
_remembered: dict[str, tuple[bytes, dict[str, Group]]] = {}  # folder -> (stamp, parts by OPD) this process wrote


@dataclass
class Publication:
    """``items`` and ``files`` are what this build made; ``kept`` names the files of items it
    reused as already written; ``index`` is what a later refresh starts from."""
    items: list[Item]
    files: dict[str, bytes] = field(default_factory=dict)
    index: dict | None = None
    withheld: list[Withheld] = field(default_factory=list)  # totals that disagree with their parts (rebuilt items)
    problem: str = ""  # why this is not today's publication (a broken rule file), for every reader
    stale: set[str] | None = None  # files to remove; None: those of items the previous datapackage.json listed
    pieces: dict[str, list[bytes]] = field(default_factory=dict)  # after a cycle: the indexes, as pieces to write

    def item(self, slug: str) -> Item | None:
        return next((i for i in self.items if i.slug == slug), None)

    @property
    def kept(self) -> set[str]:
        if self.index is None or self.index["changed"] is None:
            return set()
        return {f"data/{p.entry.slug}{suffix}" for key, p in all_parts(self.index["groups"]).items()
                if p.entry is not None and key not in self.index["changed"] for suffix in ITEM_SUFFIXES}


def build(config: Config, store: Store, rules: RuleSet | None = None, wilayah: Wilayah | None = None,
          settings: Settings | None = None) -> Publication:
    """Every published file, from the latest verified value of every datum."""
    rules = rules or load_rules(config.rules_folder)
    settings = settings or load_settings(config)
    reads = Queries(store.engine)
    mark = reads.archive_watermark()  # before reading: a version archived meanwhile is redone next time
    metadata_mark = reads.metadata_watermark()
    wilayah = wilayah or load_wilayah(config)
    rows: Rows = {}
    data, withheld = withhold(latest_data(reads, wilayah, rows=rows), rules, wilayah)
    items = attach_metadata(build_items(data, {o.kode: o.nama for o in config.opds}), reads.latest_metadata())
    groups = grouped(_parts(items, withheld, rules, settings, config.year, rows))
    basis = _basis(config, rules, settings, metadata_mark)
    return _assemble(config, settings, items, withheld, groups, None, mark, basis)


def refresh(config: Config, store: Store, rules: RuleSet | None = None, wilayah: Wilayah | None = None,
            settings: Settings | None = None) -> Publication | None:
    """The publication after new archive versions, rebuilding only the items with a version
    newer than the folder's last publish (and the catalogue indexes, joined from each item's
    kept part). A full build when the folder has no usable index, or when anything the files
    depend on besides the archive changed. None when nothing was archived since."""
    rules = rules or load_rules(config.rules_folder)
    settings = settings or load_settings(config)
    reads = Queries(store.engine)
    metadata_mark = reads.metadata_watermark()
    basis = _basis(config, rules, settings, metadata_mark)
    stamp, raw = _read_stamp(settings.folder)
    if stamp.get("format") != INDEX_FORMAT or stamp.get("dasar") != basis or not isinstance(stamp.get("arsip"), int):
        return build(config, store, rules, wilayah, settings)
    mark = reads.archive_watermark()
    if mark == stamp["arsip"]:  # nothing archived since: the kept parts need not be read
        return None
    groups = _read_parts(settings.folder, raw)
    if groups is None:
        return build(config, store, rules, wilayah, settings)
    since = reads.item_rows_since(stamp["arsip"])
    changed = set(since)
    known = {key: set(part.rows) | since[key] for key in changed if (part := _part(groups, key)) and part.rows}
    wilayah = wilayah or load_wilayah(config)
    rows: Rows = {}
    data, withheld = withhold(latest_data_of_items(reads, wilayah, changed, known, rows), rules, wilayah)
    items = attach_metadata(build_items(data, {o.kode: o.nama for o in config.opds}),
                            _metadata(reads, str(settings.folder), metadata_mark))
    if clashes(groups, changed, [n for i in items for n in (i.slug, _base(i))]):  # with a kept item: number afresh
        return build(config, store, rules, wilayah, settings)
    merged = regrouped(groups, changed, _parts(items, withheld, rules, settings, config.year, rows))
    before = published_opds(groups)
    publication = _assemble(config, settings, items, withheld, merged, changed, mark, basis, before)
    publication.stale = set()  # the files of a rebuilt item no longer published, or renamed; an OPD's indexes
    for opd in set(before) - set(published_opds(merged)):
        publication.stale.update(opd_files(opd))
    if not published_opds(merged):
        publication.stale.add("datapackage.json")
    for key in changed:
        old, new = _part(groups, key), _part(merged, key)
        if old is not None and old.entry is not None and (new is None or new.entry is None
                                                          or new.entry.slug != old.entry.slug):
            publication.stale.update(f"data/{old.entry.slug}{suffix}" for suffix in ITEM_SUFFIXES)
    return publication


_blocks: dict[str, tuple[int, dict]] = {}  # publication folder -> (metadata watermark, latest_metadata()) this process read


def _metadata(reads: Queries, folder: str, mark: int) -> dict:
    """Queries.latest_metadata(), read again only when a metadata version was archived since
    ``mark`` (which also changes the basis, so a full build follows anyway)."""
    if folder not in _blocks or _blocks[folder][0] != mark:
        _blocks[folder] = (mark, reads.latest_metadata())
    return _blocks[folder][1]


def _base(item: Item) -> str:
    return base_slug(item.opd, item.kode_data, item.uraian_data)


def _basis(config: Config, rules: RuleSet, settings: Settings, metadata_mark: int) -> str:
    """Everything the published files depend on besides the archive's data versions (the
    statistical metadata by its newest version: it changes about once a year)."""
    payload = [INDEX_FORMAT, rules.fingerprint(), config.name, config.year, getattr(config, "kode_wilayah", None),
               {k: v for k, v in dataclasses.asdict(settings).items() if k not in ("folder", "otomatis")},
               [(o.kode, o.nama) for o in config.opds], metadata_mark]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def _parts(items: list[Item], withheld: list[Withheld], rules: RuleSet, settings: Settings, year: int,
           rows: Rows) -> dict[Key, Part]:
    """Each item's part of the indexes, and a part for an item of which only withheld totals
    remain; ``rows``: the rows that hold each item's versions."""
    held: dict[Key, list[dict]] = {}
    for w in withheld:
        held.setdefault((w.opd, w.item), []).append(w.as_dict())
    out = {}
    for item in items:
        key = (item.opd, item.data[0].item)
        part = dcat.fragment(item, settings)
        resource = datapackage.resource_text(datapackage.resource(item, rules, year))
        entry = Entry(item.slug, _base(item), item.opd, item.opd_nama, item.modified, resource.encode("utf-8"),
                      dcat.Part(part.dataset, part.turtle.encode("utf-8"), part.jsonld.encode("utf-8"),
                                tuple((i, t.encode("utf-8"), j.encode("utf-8")) for i, t, j in part.shared),
                                item.opd, item.opd_nama, item.modified))
        out[key] = Part(entry, tuple(held.pop(key, ())), tuple(sorted(rows.get(key, ()))))
    out.update({key: Part(None, tuple(ws), tuple(sorted(rows.get(key, ())))) for key, ws in held.items()})
    return out


def _part(groups: dict[str, Group], key: Key) -> Part | None:
    return groups[key[0]].parts.get(key) if key[0] in groups else None


def _assemble(config: Config, settings: Settings, items: list[Item], withheld: list[Withheld],
              groups: dict[str, Group], changed: set[Key] | None, mark: int, basis: str,
              before: list[str] | None = None) -> Publication:
    """Files of the rebuilt items, the indexes (DECISIONS.md #152: the small datapackage.json
    and first catalogue page, and each OPD's package and catalogue pages) made from every
    item's part (kept or new), the index; ``changed``: the items made afresh (None: all of
    them), ``before``: the OPDs published before them (their pages link to each other)."""
    publication = Publication(items, withheld=withheld)
    files = publication.files
    for item in items:
        bodies = (formats.wide_csv(item), formats.wide_xlsx(item), formats.portal_json(item), formats.long_csv(item))
        files.update({f"data/{item.slug}{suffix}": body for suffix, body in zip(ITEM_SUFFIXES, bodies)})
    opds = published_opds(groups)
    names = [(opd, groups[opd].entries[0].opd_nama) for opd in opds]
    held = [w for g in groups.values() for w in g.held]
    roots = dcat.root_pages(opds, sum(len(g.entries) for g in groups.values()),
                            max((g.modified for g in groups.values() if g.modified), default=None), settings,
                            config.name)
    files.update({name: b"".join(pieces) for name, pieces in roots.items()})  # small: written when they differ
    if opds:  # a Data Package needs at least one resource
        files["datapackage.json"] = datapackage.root(names, settings, config.name, config.year, held)
    indexes = {}
    own = set(opds) if changed is None else {key[0] for key in changed} & set(opds)
    for opd in opds:  # an OPD's package changes only with its items; its pages also with their neighbours
        entries = groups[opd].entries
        if opd in own:
            head = datapackage.opd_head(opd, entries[0].opd_nama, settings, config.name, config.year)
            indexes[datapackage.opd_package(opd)] = datapackage.package_pieces(head, [e.resource for e in entries])
        if opd in own or _neighbours(opds, opd) != _neighbours(before or [], opd):
            indexes.update(dcat.opd_pages(opds, opd, [e.catalogue for e in entries], settings))
    if changed is None:
        files.update({name: b"".join(pieces) for name, pieces in indexes.items()})
    else:  # after a cycle: written piece by piece, never joined in memory (DECISIONS.md #101)
        publication.pieces = indexes
    files["BACA.txt"] = README.format(produk=settings.produk, garis="=" * len(f"Publikasi {settings.produk}"),
                                      wilayah=settings.wilayah).encode("utf-8")
    publication.index = {"stamp": {"format": INDEX_FORMAT, "dasar": basis, "arsip": mark},
                         "changed": changed, "groups": groups}
    return publication


def _neighbours(opds: list[str], opd: str) -> tuple[str | None, str | None] | None:
    """The OPDs whose pages an OPD's catalogue page links to (None: it has no page)."""
    if opd not in opds:
        return None
    at = opds.index(opd)
    return (opds[at - 1] if at else None), (opds[at + 1] if at + 1 < len(opds) else None)


def opd_files(opd: str) -> set[str]:
    """The indexes of an OPD's own: its package and its catalogue pages."""
    return {datapackage.opd_package(opd), *(dcat.page_name(opd) + s for s in (".ttl", ".jsonld"))}


def _read_stamp(folder: Path) -> tuple[dict, bytes]:
    """(stamp, its bytes) of the folder's index; ({}, b"") when it has none."""
    try:
        raw = (Path(folder) / INDEX / STAMP).read_bytes()
        stamp = json.loads(raw)
    except (OSError, ValueError):
        return {}, b""
    return (stamp, raw) if isinstance(stamp, dict) else ({}, b"")


def _read_parts(folder: Path, raw: bytes) -> dict[str, Group] | None:
    """OPD -> its kept parts under the stamp ``raw``; None when a part cannot be read. From memory
    when this process wrote that stamp."""
    known = _remembered.get(str(folder))
    if known and known[0] == raw:
        return known[1]
    parts = {}
    try:
        for path in sorted((Path(folder) / INDEX).glob("item-*.json")):
            key, part = part_of(json.loads(path.read_text(encoding="utf-8")))
            parts[key] = part
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return grouped(parts)


def _write_index(folder: Path, index: dict) -> None:
    """Each rebuilt item's part, then the stamp: a write cut short leaves the older stamp, so the
    next refresh redoes those items (a full build removed the stamp before it began)."""
    where = Path(folder) / INDEX
    where.mkdir(parents=True, exist_ok=True)
    groups, changed = index["groups"], index["changed"]
    for key in sorted(all_parts(groups) if changed is None else changed):
        part = _part(groups, key)
        if part is not None:
            _put(where / part_name(key), part_json(key, part))
        else:
            (where / part_name(key)).unlink(missing_ok=True)
    if changed is None:  # a full build: parts of items no longer published, and older indexes, go
        names = {part_name(key) for key in all_parts(groups)}
        for path in where.glob("*.json"):
            if path.name != STAMP and path.name not in names:
                path.unlink(missing_ok=True)
    raw = json.dumps(index["stamp"], sort_keys=True).encode("utf-8")
    _put(where / STAMP, raw)
    _remembered[str(folder)] = (raw, groups)


def rules_problem(exc: RuleError) -> str:
    return f"{exc}. Publikasi terakhir yang baik tetap ditampilkan sampai berkas aturan diperbaiki"


def build_or_last(config: Config, store: Store, wilayah: Wilayah, settings: Settings,
                  last: Publication | None) -> Publication:
    """For the public pages, which must never go down: a broken rule file serves ``last`` (the
    last good publication this process built) or, when there is none yet, the data with only the
    built-in rules, each with the message in ``problem`` (DECISIONS.md #50)."""
    try:
        return build(config, store, None, wilayah, settings)
    except RuleError as exc:
        fallback = last or build(config, store, RuleSet(), wilayah, settings)
        return dataclasses.replace(fallback, problem=rules_problem(exc))


def write(publication: Publication, folder: Path) -> tuple[int, int]:
    """Write every file that changed (atomically); returns (written, unchanged).
    Files of items the previous publication had and this one does not are removed;
    nothing else in the folder is touched."""
    folder = Path(folder)
    if publication.stale is None:
        stale = _previous_files(folder) - set(publication.files) - publication.kept
    else:
        stale = publication.stale - set(publication.files)
    if publication.index is not None and publication.index["changed"] is None:
        _remembered.pop(str(folder), None)  # a full build cut short is redone in full by the next refresh
        (folder / INDEX / STAMP).unlink(missing_ok=True)
    written = unchanged = 0
    for name, body in sorted(publication.files.items()):
        if _put(folder / name, body):
            written += 1
        else:
            unchanged += 1
    for name, pieces in sorted(publication.pieces.items()):  # they name a newer version: not read back
        _put_pieces(folder / name, pieces)
        written += 1
    for name in sorted(stale):
        (folder / name).unlink(missing_ok=True)
    if publication.index is not None:  # last: an index never runs ahead of the files
        _write_index(folder, publication.index)
    return written, unchanged


def _put(path: Path, body: bytes) -> bool:
    """Write ``body`` atomically unless the file holds it already; True when written."""
    try:
        same = path.stat().st_size == len(body) and path.read_bytes() == body
    except (FileNotFoundError, NotADirectoryError):
        same = False
    if same:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.chmod(tmp, PUBLIC_MODE & ~_umask())  # mkstemp's 0600 would hide it from the web server's user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _put_pieces(path: Path, pieces: list[bytes]) -> None:
    """Write the concatenation of ``pieces`` atomically, handing them to the kernel as they are
    (a joined copy of a large index would cost more than writing it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            if not hasattr(os, "writev"):  # Windows
                handle.writelines(pieces)
            for start in range(0, len(pieces), _IOV_MAX) if hasattr(os, "writev") else ():
                batch = pieces[start:start + _IOV_MAX]
                done, total = os.writev(fd, batch), sum(map(len, batch))
                if done < total:  # a short write: the rest of the batch, as one
                    handle.write(b"".join(batch)[done:])
                    handle.flush()
        os.chmod(tmp, PUBLIC_MODE & ~_umask())  # mkstemp's 0600 would hide it from the web server's user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_IOV_MAX = 1024  # pieces per writev (Linux's limit)


def _umask() -> int:
    """The process's umask (read by setting it, then put back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _previous_files(folder: Path) -> set[str]:
    """The files an earlier publish wrote here for its items and OPDs, from its datapackage.json
    (the OPDs' packages it lists, or, as written before DECISIONS.md #152, the items themselves)."""
    slugs, opds = [], []
    try:
        previous = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        for resource in previous.get("resources", []):
            opd = (resource.get("opd") or {}).get("kode") if str(resource.get("path", "")).endswith(".datapackage.json") \
                else None
            if isinstance(opd, str):
                opds.append(opd)
                package = json.loads((folder / datapackage.opd_package(opd)).read_text(encoding="utf-8"))
                slugs += [r["name"] for r in package.get("resources", [])]
            else:
                slugs.append(resource["name"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        if not opds and not slugs:
            return set()
    return {"datapackage.json", *(name for opd in opds for name in opd_files(opd))} | {
        f"data/{slug}{suffix}" for slug in slugs if isinstance(slug, str) and "/" not in slug
        for suffix in ITEM_SUFFIXES + _EARLIER_SUFFIXES}


def write_problem(path: Path, exc: OSError) -> str:
    """Why ``path`` could not be written, in Indonesian (never the OS's English text)."""
    why = {errno.ENOENT: "folder tujuan tidak ada", errno.EACCES: "tidak ada izin menulis",
           errno.EPERM: "tidak ada izin menulis", errno.ENOSPC: "disk penuh", errno.EISDIR: "itu sebuah folder",
           errno.EEXIST: "sudah ada berkas dengan nama itu, bukan folder",
           errno.ENOTDIR: "salah satu bagian jalurnya adalah berkas, bukan folder",
           errno.EROFS: "disk hanya-baca", errno.ENAMETOOLONG: "nama berkas terlalu panjang"}.get(
        exc.errno, f"galat sistem berkas nomor {exc.errno}")
    return f"Tidak dapat menulis {path}: {why}"


def publish_after_cycle(config: Config, store: Store, rules: RuleSet | None = None,
                        wilayah: Wilayah | None = None) -> str | None:
    """The poller's hook, run after the cycle committed and wrote the sheets: bring
    <workspace>/publikasi up to the archive unless [publikasi] otomatis = false, rebuilding only
    what changed (a publish that failed before is caught up here). Returns why it failed
    (Indonesian), which the poller reports as the cycle's own result; polling goes on."""
    from service.config import ConfigError

    try:
        settings = load_settings(config, wilayah)
        if not settings.otomatis:
            return None
        publication = refresh(config, store, rules, wilayah, settings)
    except (ConfigError, RuleError) as exc:
        return str(exc)
    try:
        if publication is not None:
            write(publication, settings.folder)
    except OSError as exc:
        log.info("publikasi otomatis gagal", exc_info=True)
        return write_problem(settings.folder, exc)
    return None
