"""The whole publication in memory (path -> bytes): written by `satudata publish`, served by /data."""
from __future__ import annotations

import dataclasses
import errno
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
from service.publish.items import Item, attach_metadata, build_items
from service.publish.settings import Settings, load_settings
from service.publish.source import latest_data
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
datapackage.json         Frictionless Data Package (periksa: frictionless validate datapackage.json).
katalog.ttl, katalog.jsonld  katalog DCAT (DCAT v3 / DCAT-AP) untuk dipanen portal data.
"""


@dataclass
class Publication:
    items: list[Item]
    files: dict[str, bytes] = field(default_factory=dict)
    withheld: list[Withheld] = field(default_factory=list)  # totals that disagree with their parts
    problem: str = ""  # why this is not today's publication (a broken rule file), for every reader

    def item(self, slug: str) -> Item | None:
        return next((i for i in self.items if i.slug == slug), None)


def build(config: Config, store: Store, rules: RuleSet | None = None, wilayah: Wilayah | None = None,
          settings: Settings | None = None) -> Publication:
    """Every published file, from the latest verified value of every datum."""
    rules = rules or load_rules(config.rules_folder)
    settings = settings or load_settings(config)
    wilayah = wilayah or load_wilayah(config)
    data, withheld = withhold(latest_data(Queries(store.engine), wilayah), rules, wilayah)
    items = attach_metadata(build_items(data, {o.kode: o.nama for o in config.opds}),
                            Queries(store.engine).latest_metadata())
    publication = Publication(items, withheld=withheld)
    files = publication.files
    for item in items:
        bodies = (formats.wide_csv(item), formats.wide_xlsx(item), formats.portal_json(item), formats.long_csv(item))
        files.update({f"data/{item.slug}{suffix}": body for suffix, body in zip(ITEM_SUFFIXES, bodies)})
    if items:  # a Data Package needs at least one resource
        files["datapackage.json"] = datapackage.to_json(
            datapackage.descriptor(items, rules, settings, config.name, config.year, withheld))
    graph = dcat.catalogue(items, settings, config.name)
    files["katalog.ttl"] = dcat.turtle(graph)
    files["katalog.jsonld"] = dcat.jsonld(graph)
    files["BACA.txt"] = README.format(produk=settings.produk, garis="=" * len(f"Publikasi {settings.produk}"),
                                      wilayah=settings.wilayah).encode("utf-8")
    return publication


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
    Files of items the previous datapackage.json listed and this one does not are removed;
    nothing else in the folder is touched."""
    folder = Path(folder)
    stale = _previous_files(folder) - set(publication.files)
    written = unchanged = 0
    for name, body in sorted(publication.files.items()):
        path = folder / name
        if path.is_file() and path.read_bytes() == body:
            unchanged += 1
            continue
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
        written += 1
    for name in sorted(stale):
        (folder / name).unlink(missing_ok=True)
    return written, unchanged


def _umask() -> int:
    """The process's umask (read by setting it, then put back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _previous_files(folder: Path) -> set[str]:
    """The item files an earlier publish wrote here, from its datapackage.json."""
    try:
        previous = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        slugs = [r["name"] for r in previous.get("resources", [])]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return set()
    return {f"data/{slug}{suffix}" for slug in slugs if isinstance(slug, str) and "/" not in slug
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


def publish_after_cycle(config: Config, store: Store, archived: int, rules: RuleSet | None = None,
                        wilayah: Wilayah | None = None) -> str | None:
    """The poller's hook: after a cycle that archived something, refresh <workspace>/publikasi
    unless [publikasi] otomatis = false. Returns why it failed (Indonesian), which the poller
    reports as the cycle's own result; polling goes on."""
    from service.config import ConfigError

    if archived <= 0:
        return None
    try:
        settings = load_settings(config)
        if not settings.otomatis:
            return None
        publication = build(config, store, rules, wilayah, settings)
    except (ConfigError, RuleError) as exc:
        return str(exc)
    try:
        write(publication, settings.folder)
    except OSError as exc:
        log.info("publikasi otomatis gagal", exc_info=True)
        return write_problem(settings.folder, exc)
    return None
