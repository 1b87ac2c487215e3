"""Documents the SOP produces on paper (Berita Acara, rekap): each issued once with its number,
date, content and the chain head it was made from, so a reprint is the same document; when the
hard copy reached Kominfo; and who took part in a step (the joint check, step 3)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from service.archive import schema as t
from service.archive.timestamps import from_db, to_db

PREFIX = {"kesepakatan": "BA", "verifikasi": "BA", "rekap": "REKAP"}
JENIS = {"kesepakatan": "Berita Acara Kesepakatan Daftar Data", "verifikasi": "Berita Acara Verifikasi Data",
         "rekap": "Rekap Data Sektoral"}


@dataclass(frozen=True)
class Issued:
    id: str  # "BA-2025-003": what `satudata terima --dokumen` names
    nomor: str
    jenis: str
    opd: str
    tahun: int
    urut: int
    tanggal: datetime
    chain_head: str
    isi: dict[str, Any]
    diterima_oleh: str | None = None
    diterima_tanggal: str | None = None

    @property
    def judul(self) -> str:
        return JENIS.get(self.jenis, self.jenis)

    def as_dict(self) -> dict[str, Any]:
        return {"dokumen": self.id, "nomor": self.nomor, "jenis": self.jenis, "judul": self.judul, "opd": self.opd,
                "tahun": self.tahun, "tanggal": self.tanggal, "kepala_rantai": self.chain_head,
                "diterima_oleh": self.diterima_oleh, "diterima_tanggal": self.diterima_tanggal}


def doc_id(jenis: str, tahun: int, urut: int) -> str:
    return f"{PREFIX.get(jenis, 'DOK')}-{tahun}-{urut:03d}"


def _aware(moment: datetime) -> datetime:
    """A stored NOT NULL moment, aware again."""
    return moment.replace(tzinfo=timezone.utc)


def _issued(r) -> Issued:
    return Issued(doc_id(r.jenis, r.tahun, r.urut), r.nomor, r.jenis, r.opd, r.tahun, r.urut, _aware(r.tanggal),
                  r.chain_head, json.loads(r.isi), r.diterima_oleh, r.diterima_tanggal)


def issue(engine: Engine, jenis: str, opd: str, tahun: int, when: datetime, pattern: str,
          isi: dict[str, Any], chain_head: str) -> Issued:
    """Number and record a new document: the next {urut} of the workspace year."""
    d = t.documents.c
    with engine.begin() as conn:
        urut = (conn.execute(select(func.max(d.urut)).where(d.tahun == tahun)).scalar() or 0) + 1
        nomor = pattern.format(urut=f"{urut:03d}", tahun=tahun, opd=opd)
        conn.execute(insert(t.documents).values(
            nomor=nomor, jenis=jenis, opd=opd, tahun=tahun, urut=urut, tanggal=to_db(when), chain_head=chain_head,
            isi=json.dumps(isi, ensure_ascii=False, sort_keys=True)))
    return latest(engine, opd, tahun, jenis)  # type: ignore[return-value]


def latest(engine: Engine, opd: str, tahun: int, jenis: str) -> Issued | None:
    d = t.documents.c
    with engine.connect() as conn:
        r = conn.execute(select(t.documents).where(d.opd == opd, d.tahun == tahun, d.jenis == jenis)
                         .order_by(d.urut.desc()).limit(1)).first()
    return None if r is None else _issued(r)


def of_year(engine: Engine, tahun: int, opd: str | None = None) -> list[Issued]:
    d = t.documents.c
    query = select(t.documents).where(d.tahun == tahun).order_by(d.urut)
    if opd:
        query = query.where(d.opd == opd)
    with engine.connect() as conn:
        return [_issued(r) for r in conn.execute(query)]


def find(engine: Engine, dokumen: str) -> Issued | None:
    """A document by its ID (BA-2025-003) or its full number."""
    wanted = dokumen.strip()
    d = t.documents.c
    with engine.connect() as conn:
        for r in conn.execute(select(t.documents).order_by(d.urut)):
            doc = _issued(r)
            if wanted.upper() == doc.id or wanted == doc.nomor:
                return doc
    return None


def receive(engine: Engine, doc: Issued, oleh: str, tanggal: str, now: datetime) -> None:
    """The hard copy reached Kominfo: who received it and on which day (step 9)."""
    d = t.documents.c
    with engine.begin() as conn:
        conn.execute(update(t.documents).where(d.nomor == doc.nomor).values(
            diterima_oleh=oleh, diterima_tanggal=tanggal, diterima_dicatat=to_db(now)))


def attend(engine: Engine, opd: str, tahun: int, langkah: int, peran: str, nama: str, nip: str, jabatan: str,
           now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(insert(t.attendance).values(opd=opd, tahun=tahun, langkah=langkah, peran=peran, nama=nama,
                                                 nip=nip, jabatan=jabatan, dicatat=to_db(now)))


def attendance(engine: Engine, opd: str, tahun: int, langkah: int) -> list[dict[str, Any]]:
    a = t.attendance.c
    with engine.connect() as conn:
        return [{"peran": r.peran, "nama": r.nama, "nip": r.nip, "jabatan": r.jabatan}
                for r in conn.execute(select(a.peran, a.nama, a.nip, a.jabatan)
                                      .where(a.opd == opd, a.tahun == tahun, a.langkah == langkah).order_by(a.id))]


def last_recorded(engine: Engine) -> datetime | None:
    """The newest moment the archive recorded a person's or the poller's act (events, versions,
    documents, receipts, attendance): the evidence pack's "as of", so the same archive gives the
    same pack whenever it is made."""
    columns = (t.events.c.at, t.archive.c.archived_at, t.documents.c.tanggal, t.documents.c.diterima_dicatat,
               t.attendance.c.dicatat)
    with engine.connect() as conn:
        moments = [conn.execute(select(func.max(c))).scalar() for c in columns]
    found: list[datetime] = [m for m in moments if m is not None]
    return from_db(max(found)) if found else None
