"""Tickets from the public (SPM 11, Penanganan Pengaduan): a report of a wrong value (koreksi) or a
request for data not yet published (usulan), and their handling.

The one place the pengaduan table is written and read. Tickets are never deleted; an answer is
recorded once and a later answer replaces its text but keeps the ticket.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, insert, select, update

from service.archive import schema as t
from service.archive.timestamps import from_db, to_db

KOREKSI, USULAN = "koreksi", "usulan"
TERBUKA, SELESAI, DITERIMA, DITOLAK = "terbuka", "selesai", "diterima", "ditolak"
PREFIX = {KOREKSI: "PGD", USULAN: "USL"}
WIB = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class NewTicket:
    jenis: str
    isi: str
    item: str = ""
    judul_item: str = ""
    opd: str | None = None
    baris: str = ""
    alasan: str = ""
    kontak: str = ""
    tampilkan: bool = False
    item_key: str = ""  # rules.keys.item_key of the item, so the poller finds its rows


def _ticket(r) -> dict:
    out = dict(r._mapping)
    out["dibuat_pada"] = from_db(out["dibuat_pada"])
    out["dijawab_pada"] = from_db(out["dijawab_pada"])
    out["tampilkan"] = bool(out["tampilkan"])
    out["dikoreksi"] = None if out["dikoreksi"] is None else bool(out["dikoreksi"])
    return out


class Tickets:
    """The pengaduan table over one archive engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open(self, ticket: NewTicket, now: datetime) -> str:
        """Store a new ticket; returns its number (PGD-2025-00042, USL-2025-00043), made from the
        row's own id in the same transaction, so two servers never hand out the same number."""
        p = t.pengaduan
        with self.engine.begin() as conn:
            key = conn.execute(insert(p).values(
                nomor=uuid.uuid4().hex[:32], jenis=ticket.jenis, opd=ticket.opd, item=ticket.item,
                judul_item=ticket.judul_item, baris=ticket.baris, isi=ticket.isi, alasan=ticket.alasan,
                kontak=ticket.kontak, tampilkan=ticket.tampilkan, dibuat_pada=to_db(now), status=TERBUKA,
                jawaban="", dijawab_oleh="", versi_baru="", item_key=ticket.item_key,
                utas="")).inserted_primary_key
            assert key is not None  # a one-row insert always reports its key
            new_id = key[0]
            nomor = f"{PREFIX[ticket.jenis]}-{now.astimezone(WIB).year}-{new_id:05d}"
            conn.execute(update(p).where(p.c.id == new_id).values(nomor=nomor))
        return nomor

    def answer(self, nomor: str, *, status: str, jawaban: str, oleh: str, now: datetime,
               dikoreksi: bool | None = None, versi_baru: str = "", opd: str | None = None) -> bool:
        """Record the handling of a ticket; False when no ticket has that number."""
        p = t.pengaduan
        values = {"status": status, "jawaban": jawaban, "dijawab_oleh": oleh, "dijawab_pada": to_db(now),
                  "dikoreksi": dikoreksi, "versi_baru": versi_baru}
        if opd:
            values["opd"] = opd
        with self.engine.begin() as conn:
            return conn.execute(update(p).where(p.c.nomor == nomor).values(**values)).rowcount == 1

    def mark_threads(self, states: dict[str, str]) -> None:
        """Record the Google thread the poller planned per ticket (nomor -> dibuka/ditutup)."""
        p = t.pengaduan
        with self.engine.begin() as conn:
            for nomor, state in states.items():
                conn.execute(update(p).where(p.c.nomor == nomor).values(utas=state))

    # --- reads ------------------------------------------------------------------------------
    def get(self, nomor: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.pengaduan).where(t.pengaduan.c.nomor == nomor)).first()
        return None if row is None else _ticket(row)

    def listing(self, *, opd: str | None = None, open_only: bool = False, jenis: str | None = None,
                nomor: str | None = None, limit: int = 500) -> list[dict]:
        """Tickets oldest first (the open ones are the queue), at most ``limit``."""
        p = t.pengaduan
        query = select(p).order_by(p.c.id).limit(limit)
        if nomor:
            query = query.where(p.c.nomor == nomor)
        if opd:
            query = query.where(p.c.opd == opd)
        if open_only:
            query = query.where(p.c.status == TERBUKA)
        if jenis:
            query = query.where(p.c.jenis == jenis)
        with self.engine.connect() as conn:
            return [_ticket(r) for r in conn.execute(query)]

    def public_answers(self, item: str) -> list[dict]:
        """Handled tickets on one item whose reporter agreed to a public answer, newest first."""
        p = t.pengaduan
        query = (select(p).where(p.c.item == item, p.c.tampilkan.is_(True), p.c.status != TERBUKA)
                 .order_by(p.c.id.desc()).limit(50))
        with self.engine.connect() as conn:
            return [_ticket(r) for r in conn.execute(query)]

    def accepted_usulan(self) -> list[dict]:
        """Usulan the Walidata accepted, with the OPD they go to: next year's Daftar Data."""
        return [u for u in self.listing(jenis=USULAN, limit=100_000) if u["status"] == DITERIMA and u["opd"]]

    def threads_for(self, opd: str | None = None) -> list[dict]:
        """Reports on an item whose Google thread is to be opened or closed: open ones, and answered
        ones whose thread was opened and not yet closed."""
        p = t.pengaduan
        query = select(p).where(p.c.jenis == KOREKSI, p.c.item_key != "",
                                ((p.c.status == TERBUKA) | (p.c.utas == "dibuka"))).order_by(p.c.id)
        if opd:
            query = query.where(p.c.opd == opd)
        with self.engine.connect() as conn:
            return [_ticket(r) for r in conn.execute(query)]

    def unsynced_opds(self) -> set[str]:
        """OPDs with a ticket whose thread the poller has not planned yet: their tab is read again."""
        p = t.pengaduan
        query = select(p.c.opd).distinct().where(
            p.c.jenis == KOREKSI, p.c.item_key != "", p.c.opd.is_not(None),
            ((p.c.status == TERBUKA) & (p.c.utas == "")) | ((p.c.status != TERBUKA) & (p.c.utas == "dibuka")))
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(query)}

    def counts_of_year(self, year: int) -> dict[tuple[str | None, str, str], int]:
        """(opd, jenis, status) -> tickets opened in ``year`` (its number carries the year it was
        opened: PGD-2026-00001): the annual review's count of the public's reports and requests."""
        p = t.pengaduan
        query = (select(p.c.opd, p.c.jenis, p.c.status, func.count()).where(p.c.nomor.like(f"%-{int(year)}-%"))
                 .group_by(p.c.opd, p.c.jenis, p.c.status))
        with self.engine.connect() as conn:
            return {(r[0], r[1], r[2]): r[3] for r in conn.execute(query)}

    def counts(self) -> dict[tuple[str | None, str, str], int]:
        """(opd, jenis, status) -> number of tickets: what the annual review counts."""
        p = t.pengaduan
        query = select(p.c.opd, p.c.jenis, p.c.status, func.count()).group_by(p.c.opd, p.c.jenis, p.c.status)
        with self.engine.connect() as conn:
            return {(r[0], r[1], r[2]): r[3] for r in conn.execute(query)}
