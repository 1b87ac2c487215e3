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
from service.config.wilayah import load_wilayah

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
        opd=kode, opd_nama=opd_name(config, kode),
        items=tuple(_agreed_item(v, load_wilayah(config).nama) for v in items.values()),
        rows=len(rows), agreed_at=max((agreed[i] for i in ids if i in agreed), default=None),
        approved_at=None if waiting else max((approved[i] for i in ids if i in approved), default=None),
        waiting_approval=len(waiting))


def _agreed_item(rows: list[dict], kabupaten: str) -> AgreedItem:
    first = rows[0]
    rincian = tuple(dict.fromkeys(str(r.get(f.RINCIAN) or "").strip() or kabupaten for r in rows))
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


# --- what a signed Berita Acara says: plain data, stored with its number so a reprint is the same ----
NOT_BEFORE = "6"  # the kesepakatan BA records an approved list: every live row at step 6 or beyond
ROLES = {"operator": "Operator Data OPD", "walidata": "Walidata", "koordinator": "Koordinator Data (Bappeda)",
         "pembina": "Pembina Data (BPS)"}


def sop_heading(kode_wilayah: str | None = None) -> dict:
    """The SOP's number, name and legal basis, from rules/sop.yaml (their one home); the number and
    the regional basis only for its own kabupaten/kota (``kode_wilayah``; None: as the file says)."""
    sop = load_sop()
    own = kode_wilayah is None or not sop.daerah or kode_wilayah == sop.daerah
    return {"nomor": sop.nomor if own else "", "nama": sop.name,
            "dasar_hukum": list(sop.dasar_hukum) + (list(sop.dasar_hukum_daerah) if own else [])}


def not_yet_approved(config: Config, store: Store, kode: str) -> str | None:
    """Why the kesepakatan BA cannot be made yet (rows below step 6), or None."""
    sop = load_sop()
    floor = sop.states[NOT_BEFORE].order
    live = [r for r in Queries(store.engine).tab_rows(kode) if not r["removed"] and r["state"] in sop.states]
    below: dict[str, int] = {}
    for r in live:
        if sop.states[r["state"]].order < floor:
            below[r["state"]] = below.get(r["state"], 0) + 1
    if not live:
        return f"{kode} belum punya daftar data; belum ada yang dapat dibuatkan berita acara kesepakatan."
    if not below:
        return None
    where = ", ".join(f"{n} baris di {sop.label(code)}" for code, n in sorted(below.items(),
                                                                            key=lambda x: sop.states[x[0]].order))
    return (f"Berita Acara kesepakatan {kode} belum dapat dibuat: daftar data belum sampai langkah 6 "
            f"(disetujui Kepala OPD). Masih {where}.")


def signer_of(person) -> dict:
    if person is None:
        return {"nama": "", "nip": "", "sk": ""}
    sk = f"SK {person.sk_nomor} tanggal {_tanggal(person.sk_tanggal)}" if person.has_sk else ""
    return {"nama": person.nama, "nip": person.nip, "sk": sk}


def _tanggal(iso: str) -> str:
    from datetime import date

    from service.timefmt import format_tanggal
    return format_tanggal(date.fromisoformat(iso)) if iso else ""


def signers(config: Config, kode: str, jenis: str) -> list[dict]:
    """Operator Data OPD (the first with an SK, else with a name), Walidata ([publikasi] walidata,
    else the first named in [walidata]), Kepala OPD: name, NIP and SK of each, as configured."""
    from service.publish.settings import kepala_opd, load_settings
    opd = next((o for o in config.opds if o.kode == kode), None)
    petugas = opd.petugas if opd else ()
    operator = next((p for p in petugas if p.has_sk and p.nama), None) or next((p for p in petugas if p.nama), None)
    configured = load_settings(config).walidata
    named = [p for p in config.walidata_orang if p.nama]
    walidata = next((p for p in named if p.nama == configured.nama), None) if configured.nama else None
    walidata_block = signer_of(walidata or (named[0] if named and not configured.nama else None))
    if configured.nama and walidata is None:
        walidata_block = {"nama": configured.nama, "nip": configured.nip, "sk": ""}
    kepala = kepala_opd(config, kode)
    blocks = [{"peran": "Operator Data OPD", **signer_of(operator)}, {"peran": "Walidata", **walidata_block}]
    if jenis != "rekap":
        blocks.append({"peran": "Kepala OPD", "nama": kepala.nama, "nip": kepala.nip, "sk": ""})
    return blocks


def participants(config: Config, store: Store, kode: str) -> tuple[list[dict], str]:
    """Who took part in the joint check (step 3): as recorded with `satudata hadir`, else the
    people the workspace file names (and the BA says which)."""
    from service.archive.documents import attendance
    recorded = attendance(store.engine, kode, config.year, 3)
    if recorded:
        return [{**p, "peran": ROLES.get(p["peran"], p["peran"])} for p in recorded], "dicatat"
    opd = next((o for o in config.opds if o.kode == kode), None)
    out = [{"peran": ROLES["operator"], "nama": p.shown, "nip": p.nip, "jabatan": p.jabatan}
           for p in (opd.petugas if opd else ()) if p.nama]
    out += [{"peran": ROLES["walidata"], "nama": p.nama, "nip": p.nip, "jabatan": p.jabatan}
            for p in config.walidata_orang if p.nama]
    for role, person in (("koordinator", config.koordinator), ("pembina", config.pembina)):
        if person is not None:
            out.append({"peran": ROLES[role], "nama": person.shown, "nip": person.nip,
                        "jabatan": ", ".join(x for x in (person.jabatan, person.instansi) if x)})
    return out, "konfigurasi"


def follow_up(config: Config, store: Store, kode: str, calendar) -> dict:
    """Items added and removed after the joint check began (steps 3–4), with reason and who; agreed
    items still open (to fill, to correct) with their working-day deadline."""
    sop = load_sop()
    reads = Queries(store.engine)
    events = sorted(reads.events(limit=AUDIT_LIMIT, opd=kode), key=lambda e: (e["at"], e["id"]))
    rows = {r["row_id"]: r for r in reads.tab_rows(kode)}
    checked = min((e["at"] for e in events if e["to_state"] == "3"), default=None)

    def label(row_id: str, values: dict) -> tuple[str, str]:
        data = rows[row_id]["data"] if row_id in rows else values
        return str(data.get(f.URAIAN) or "").strip() or row_id, str(data.get(f.RINCIAN) or "").strip() or "—"

    added, removed = [], []
    if checked is not None:
        for e in events:
            if e["at"] < checked:
                continue
            uraian, rincian = label(e["row_id"], e["cell_values"] or {})
            who = e.get("oleh") or "tidak diketahui"
            if e["from_state"] is None:
                why = str((rows.get(e["row_id"], {}).get("data") or {}).get(f.KETERANGAN) or "").strip()
                added.append([uraian, rincian, _fmt(e["at"]), who, why or "(alasan tidak dicatat)"])
            elif e["to_state"] == "dihapus" and e["from_state"] in sop.states \
                    and sop.states[e["from_state"]].order < sop.states[NOT_BEFORE].order:
                removed.append([uraian, rincian, _fmt(e["at"]), who, e["reason"]])
    entered = _latest_into_any(events)
    open_items: dict[tuple[str, str], list] = {}
    for r in rows.values():
        if r["removed"] or r["state"] not in ("6", "7a", "8"):
            continue
        since = entered.get((r["row_id"], r["state"]))
        days = sop.days_for(r["state"])
        due = calendar.add_working_days(since, days) if since else None
        what = "Pengisian data (langkah 7)" if r["state"] == "6" else "Perbaikan data (langkah 8)"
        key = (str(r["data"].get(f.URAIAN) or r["row_id"]), what)
        entry = open_items.setdefault(key, [key[0], 0, what, due, days])
        entry[1] += 1
        if due and (entry[3] is None or due > entry[3]):
            entry[3] = due
    terbuka = [[uraian, str(n), what, f"{_fmt(due, False)} ({days} hari kerja)" if due else "—"]
               for uraian, n, what, due, days in (open_items[k] for k in sorted(open_items))]
    return {"ditambah": added, "dikurangi": removed, "terbuka": terbuka,
            "mulai_cek": _fmt(checked) if checked else ""}


def _latest_into_any(events: list[dict]) -> dict[tuple[str, str], datetime]:
    out: dict[tuple[str, str], datetime] = {}
    for e in events:
        out[(e["row_id"], e["to_state"])] = e["at"]
    return out


def _fmt(moment: datetime | None, with_time: bool = True) -> str:
    from service.timefmt import format_tanggal
    return format_tanggal(moment, with_time=with_time) if moment else ""
