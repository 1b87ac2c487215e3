"""What the Berita Acara and the recap say, as plain data: from the row memory, audit and archive."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rules import fields as f
from rules.keys import item_key
from rules.sop import load_sop
from rules.wilayah import Wilayah
from service.archive.queries import Queries
from service.archive.store import Store
from service.config import Config
from service.publish.items import Item, build_items
from service.publish.source import Datum, latest_data

SENT_BACK = ("8", "7a")  # a value returned for correction: one revision
AUDIT_LIMIT = 1_000_000


class NothingToMinute(Exception):
    """Nothing has happened yet that this document records; the message is in Bahasa Indonesia."""


@dataclass(frozen=True)
class AgreedItem:
    kode_data: str
    uraian_data: str
    rincian: tuple[str, ...]
    satuan: str
    standar: dict[str, str]


@dataclass(frozen=True)
class Agreement:
    opd: str
    opd_nama: str
    items: tuple[AgreedItem, ...]
    rows: int
    agreed_at: datetime | None  # both sides (step 5), the last row's
    approved_at: datetime | None  # Ka. OPD (step 6), None while any agreed row waits for it
    waiting_approval: int


@dataclass(frozen=True)
class VerifiedValue:
    datum: Datum
    revisions: int


def opd_name(config: Config, kode: str) -> str:
    return next((o.nama for o in config.opds if o.kode == kode), kode)


def _latest_into(events: list[dict], state: str) -> dict[str, datetime]:
    """Per row, the last time it moved into ``state``."""
    out: dict[str, datetime] = {}
    for e in events:
        if e["to_state"] == state and (e["row_id"] not in out or e["at"] > out[e["row_id"]]):
            out[e["row_id"]] = e["at"]
    return out


def agreement(config: Config, store: Store, kode: str) -> Agreement:
    """The agreed Daftar Data of one OPD (rows at step 5 or beyond) and when it was agreed and approved."""
    sop = load_sop()
    floor = sop.states["5"].order
    reads = Queries(store.engine)
    rows = [r for r in reads.tab_rows(kode) if not r["removed"] and r["state"] in sop.states
            and sop.states[r["state"]].order >= floor]
    if not rows:
        raise NothingToMinute(f"Belum ada daftar data {kode} yang disepakati Operator Data OPD dan Walidata "
                              "(langkah 5); belum ada yang dapat dibuatkan berita acara kesepakatan.")
    events = reads.events(limit=AUDIT_LIMIT, opd=kode)
    agreed, approved = _latest_into(events, "5"), _latest_into(events, "6")
    ids = [r["row_id"] for r in rows]
    waiting = [r for r in rows if r["state"] == "5"]
    items: dict[str, list[dict]] = {}
    for r in rows:
        items.setdefault(item_key(r["data"].get(f.KODE), r["data"].get(f.URAIAN)), []).append(r["data"])
    return Agreement(
        opd=kode, opd_nama=opd_name(config, kode), items=tuple(_agreed_item(v) for v in items.values()),
        rows=len(rows), agreed_at=max((agreed[i] for i in ids if i in agreed), default=None),
        approved_at=None if waiting else max((approved[i] for i in ids if i in approved), default=None),
        waiting_approval=len(waiting))


def _agreed_item(rows: list[dict]) -> AgreedItem:
    first = rows[0]
    rincian = tuple(dict.fromkeys(str(r.get(f.RINCIAN) or "").strip() or "Kabupaten Magetan" for r in rows))
    standar = {k: next((str(r[k]).strip() for r in rows if str(r.get(k) or "").strip()), "")
               for k in f.STANDAR_DATA}
    return AgreedItem(str(first.get(f.KODE) or ""), str(first.get(f.URAIAN) or ""), rincian,
                      str(first.get(f.SATUAN) or ""), standar)


def verified_values(config: Config, store: Store, kode: str, wilayah: Wilayah) -> list[VerifiedValue]:
    """Every verified, archived datum of the OPD with how often it was sent back for correction."""
    reads = Queries(store.engine)
    data = latest_data(reads, wilayah, opd=kode)
    if not data:
        raise NothingToMinute(f"Belum ada data {kode} yang diverifikasi Walidata dan diarsipkan (langkah 9–10); "
                              "belum ada yang dapat dibuatkan berita acara verifikasi.")
    events = reads.events(limit=AUDIT_LIMIT, opd=kode)
    sent_back: dict[str, int] = {}
    for e in events:
        if e["to_state"] in SENT_BACK:
            sent_back[e["row_id"]] = sent_back.get(e["row_id"], 0) + 1
    return [VerifiedValue(d, sent_back.get(d.row_id, 0)) for d in data]


def recap_items(config: Config, store: Store, kode: str, wilayah: Wilayah) -> tuple[list[Item], list]:
    """The OPD's items as published, and what publication withholds (service.publish.withheld)."""
    from rules.rulefile import load_rules
    from service.publish.withheld import withhold
    data = latest_data(Queries(store.engine), wilayah, opd=kode)
    if not data:
        raise NothingToMinute(f"Belum ada data {kode} yang diverifikasi dan diarsipkan; rekap belum dapat dibuat.")
    data, withheld = withhold(data, load_rules(config.rules_folder), wilayah)
    return build_items(data, {o.kode: o.nama for o in config.opds}), withheld
