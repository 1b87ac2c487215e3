"""The annual review of one workspace year (EPSS level 4: "hasil reviu dan evaluasi"): per OPD and
step the working days and whether each ended on time, revision rounds and what they were about
and how they ended, items agreed, filled, verified and published, extensions granted and why,
Berita Acara issued and received. Plain data, read by the review PDF/CSV, the evidence pack and
the supervisor's page; ``as_of`` is passed in, never read from a clock."""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from rules import fields as f
from rules.deadlines import BELUM_MULAI, SELESAI, SEVERITY, TERLAMBAT
from rules.keys import item_key
from rules.sop import load_sop
from service.archive import documents
from service.archive.progress import YearInputs, calendar_for, opd_summaries, year_inputs
from service.archive.queries import Queries
from service.archive.store import Store
from service.config import Config
from service.config.people import without_operator_sk
from service.timefmt import iso

SENT_BACK = {"8": "ditolak pemeriksaan otomatis (langkah 8)", "7a": "revisi diminta Walidata (langkah 7a)"}
KeptParts = Callable[[list[str], Callable[[list[str]], dict[str, dict]]], dict[str, dict]]
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|\d+([.,]\d+)*")


def _kind(reason: str) -> str:
    """A revision's reason without the values it quotes: "Nilai bukan angka." for every such row."""
    text = reason.split(": ", 1)[1] if ": " in reason else reason
    text = _QUOTED.sub("…", text).split(". ")[0].strip().rstrip(".")
    return text[:120] or "(tanpa alasan)"


@dataclass(frozen=True)
class TabReads:
    """What opd_parts reads of a tab: its remembered rows (``rows(tab)``, only read by the
    review) and its revision rounds (``sent_back(kode, year)``: the OPD's changes to 8 and 7a in
    its chain of the year). The dashboard passes readers that keep them between cycles."""
    rows: Callable[[str], list[dict]]
    sent_back: Callable[[str, int], list[dict]]

    @classmethod
    def fresh(cls, queries: Queries) -> TabReads:
        return cls(queries.opd_rows, lambda kode, year: queries.state_changes(
            limit=1_000_000, opd=kode, year=year, to_states=SENT_BACK))


def annual_review(config: Config, store: Store, as_of: datetime, year: int | None = None, *,
                  inputs: YearInputs | None = None, parts: KeptParts | None = None,
                  tab_reads: TabReads | None = None) -> dict:
    """The open workspace year's review at ``as_of``, or a closed ``year``'s from its year record
    (its ``<KODE> <year>`` rows, phase log, clock and documents); OPDs at risk first. ``inputs``:
    the year's counts, tabs and phase log when the caller already read them; ``parts(kodes,
    compute)``: each OPD's part read from its rows, events and archive (``compute(stale)`` for the
    OPDs whose tabs changed), kept by the caller, e.g. the dashboard with each tab's row;
    ``tab_reads``: how those parts read a tab (default: afresh)."""
    reads = Queries(store.engine)
    inputs = inputs or year_inputs(config, store, year)
    summaries = opd_summaries(config, inputs.counts, inputs.tabs, inputs.logs, as_of, calendar_for(config), inputs)
    issued = documents.of_year(store.engine, inputs.year)
    no_sk = {o.kode for o in without_operator_sk(config.opds)}
    record = {o.kode: o.kode if not inputs.closed else f"{o.kode} {inputs.year}" for o in config.opds}

    def compute(kodes: list[str]) -> dict[str, dict]:
        return opd_parts(reads, {kode: record[kode] for kode in kodes}, inputs.year, tab_reads)
    of_opd = parts(list(record), compute) if parts is not None else compute(list(record))
    order = {s: i for i, s in enumerate(SEVERITY)}
    out = [_opd(summary, opd, of_opd[opd.kode], issued, opd.kode in no_sk) for summary, opd in zip(summaries, config.opds)]
    out.sort(key=lambda o: (order.get(o["ketepatan"], 9), -len(o["langkah_terlambat"]), -o["putaran_revisi"],
                            o["kode"]))
    tickets = _tickets(store, inputs.year)
    for o in out:
        o.update(tickets.get(o["kode"], dict.fromkeys(TICKET_KEYS, 0)))
    steps = _steps(out)
    return {"tahun": inputs.year, "workspace": config.name, "sampai": as_of, "opd": out, "langkah": steps,
            "jumlah": _totals(out)}


def opd_parts(reads: Queries, record: dict[str, str], year: int, tab_reads: TabReads | None = None) -> dict[str, dict]:
    """Per OPD code, the part of its review read from its tab ``record[kode]`` (the OPD's code, or
    a closed year's record name): its revision rounds, open findings and progress. These change
    only with the tab's rows, events and archive, which Store.apply writes together with the tab's
    row in ``tabs`` (DECISIONS.md #153)."""
    sop = load_sop()
    tab_reads = tab_reads or TabReads.fresh(reads)
    remembered = {kode: tab_reads.rows(name) for kode, name in record.items()}
    ids = {kode: {r["row_id"] for r in rows} for kode, rows in remembered.items()}
    published = ({(opd, item_key(kode, uraian)) for opd, row_id, kode, uraian in reads.latest_archived_in(year, ids)
                  if row_id in ids[opd]} if ids else set())
    out = {}
    for kode, rows_of_year in remembered.items():
        rows = [r for r in rows_of_year if not r["removed"] and r["state"] in sop.states]
        out[kode] = {**_revisions(sop, tab_reads.sent_back(kode, year), rows_of_year), "temuan_terbuka": _open_findings(rows),
                     **_progress(sop, rows, kode, published)}
    return out


TICKET_KEYS = ("pengaduan_masuk", "pengaduan_selesai", "pengaduan_terbuka", "usulan_masuk", "usulan_diterima")


def _tickets(store: Store, year: int) -> dict[str, dict[str, int]]:
    """Per OPD, the public's reports (pengaduan) and data requests (usulan) opened in ``year`` and
    how they stand: the service standard's complaints desk (SPM 11) in the annual review."""
    from service.archive.pengaduan import DITERIMA, KOREKSI, TERBUKA, Tickets
    out: dict[str, dict[str, int]] = {}
    for (opd, jenis, status), n in Tickets(store.engine).counts_of_year(year).items():
        if not opd:
            continue
        row = out.setdefault(opd, dict.fromkeys(TICKET_KEYS, 0))
        if jenis == KOREKSI:
            row["pengaduan_masuk"] += n
            row["pengaduan_terbuka" if status == TERBUKA else "pengaduan_selesai"] += n
        else:
            row["usulan_masuk"] += n
            row["usulan_diterima"] += n if status == DITERIMA else 0
    return out


def _opd(summary: dict, opd, part: dict, issued: list, no_sk: bool) -> dict:
    """One OPD's review: its progress record ``summary`` and ``part`` (opd_parts: the year's rows,
    their events, as row IDs are never reused across years, and what the year archived)."""
    mine = [d for d in issued if d.opd == opd.kode]
    return {
        "kode": opd.kode, "nama": opd.nama, "ketepatan": summary["ketepatan"],
        "fase": summary["fase"], "langkah_terlambat": summary["langkah_terlambat"],
        **_step_times(summary),
        **part,
        "perpanjangan": summary["perpanjangan"],
        **_documents(mine),
        "tanpa_sk": no_sk,
    }


def _step_times(summary: dict) -> dict:
    """Each step's dates and working days, and how many of the finished steps ended on time."""
    finished = [s for s in summary["langkah"] if s["selesai"] is not None and s["mulai"] is not None]
    on_time = sum(s["ketepatan"] == SELESAI for s in finished)
    return {
        "langkah": [{"langkah": "–".join(map(str, s["langkah"])), "nama": s["nama"], "mulai": s["mulai"],
                     "selesai": s["selesai"], "hari_kerja": s["hari_kerja_berjalan"],
                     "batas_hari_kerja": s["batas_hari_kerja"], "ketepatan": s["ketepatan"]}
                    for s in summary["langkah"]],
        "langkah_selesai": len(finished), "langkah_tepat_waktu": on_time,
        "persen_tepat_waktu": round(100 * on_time / len(finished), 1) if finished else None,
        "hari_kerja_layanan": summary["standar_pelayanan"]["hari_kerja_berjalan"],
    }


def _revisions(sop, sent_back: list[dict], remembered: list[dict]) -> dict:
    """The revision rounds of the year's rows: how many, what they were about, how they ended."""
    state = {r["row_id"]: r["state"] for r in remembered}
    rounds = [e for e in sent_back if e["row_id"] in state]
    removed = {r["row_id"] for r in remembered if r["removed"]}
    kinds = Counter((SENT_BACK[e["to_state"]], _kind(e["reason"])) for e in rounds)
    resolution = Counter(_ended(sop, state.get(e["row_id"]), e["row_id"] in removed) for e in rounds)
    return {
        "putaran_revisi": len(rounds),
        "revisi_per_jenis": [{"jenis": k, "alasan": r, "jumlah": n} for (k, r), n in sorted(kinds.items())],
        "revisi_berakhir": dict(sorted(resolution.items())),
    }


def _ended(sop, code: str | None, removed: bool) -> str:
    """How a row sent back for revision stands now."""
    if removed:
        return "dihapus"
    if code in SENT_BACK:
        return "masih terbuka"
    done = sop.states["9"].order
    return "diperbaiki dan diverifikasi" if code in sop.states and sop.states[code].order >= done else "diperbaiki"


def _open_findings(rows: list[dict]) -> list[dict]:
    findings = Counter((x.get("level", ""), x.get("pesan", "")[:120]) for r in rows for x in r["findings"])
    return [{"tingkat": lvl, "pesan": msg, "jumlah": n} for (lvl, msg), n in sorted(findings.items())]


def _progress(sop, rows: list[dict], kode: str, published: set) -> dict:
    """Rows agreed (step 5 on), filled (7 on) and verified (9 on); items agreed and published."""
    def at_least(code: str) -> list[dict]:
        floor = sop.states[code].order
        return [r for r in rows if sop.states[r["state"]].order >= floor]
    agreed, filled, verified = at_least("5"), at_least("7"), at_least("9")
    items = {item_key(r["data"].get(f.KODE), r["data"].get(f.URAIAN)) for r in agreed}
    return {
        "baris": len(rows), "disepakati": len(agreed), "diisi": len(filled), "diverifikasi": len(verified),
        "item_disepakati": len(items),
        "item_dipublikasikan": sum(1 for key in items if (kode, key) in published),
    }


def _documents(mine: list) -> dict:
    """The OPD's Berita Acara: issued, and received or not."""
    return {
        "dokumen": [d.as_dict() for d in mine],
        "dokumen_terbit": len(mine), "dokumen_diterima": sum(1 for d in mine if d.diterima_oleh),
        "dokumen_belum_diterima": [d.id for d in mine if not d.diterima_oleh],
    }


def _steps(opds: list[dict]) -> list[dict]:
    """Per step across OPDs: how many ended, how many on time."""
    names: dict[str, str] = {}
    ended: Counter = Counter()
    on_time: Counter = Counter()
    late_running: Counter = Counter()
    for o in opds:
        for s in o["langkah"]:
            names.setdefault(s["langkah"], s["nama"])
            if s["selesai"] is not None and s["ketepatan"] != BELUM_MULAI:
                ended[s["langkah"]] += 1
                on_time[s["langkah"]] += s["ketepatan"] == SELESAI
            elif s["ketepatan"] == TERLAMBAT:
                late_running[s["langkah"]] += 1
    return [{"langkah": k, "nama": v, "selesai": ended[k], "tepat_waktu": on_time[k],
             "terlambat_berjalan": late_running[k],
             "persen_tepat_waktu": round(100 * on_time[k] / ended[k], 1) if ended[k] else None}
            for k, v in names.items()]


def _totals(opds: list[dict]) -> dict:
    keys = ("baris", "disepakati", "diisi", "diverifikasi", "item_disepakati", "item_dipublikasikan",
            "putaran_revisi", "dokumen_terbit", "dokumen_diterima", "langkah_selesai", "langkah_tepat_waktu",
            *TICKET_KEYS)
    out = {k: sum(o[k] for o in opds) for k in keys}
    out["persen_tepat_waktu"] = (round(100 * out["langkah_tepat_waktu"] / out["langkah_selesai"], 1)
                                 if out["langkah_selesai"] else None)
    out["opd_terlambat"] = sum(o["ketepatan"] == TERLAMBAT for o in opds)
    out["opd_tanpa_sk"] = sum(o["tanpa_sk"] for o in opds)
    out["opd"] = len(opds)
    return out


def _iso(moment: datetime | None) -> str:
    return iso(moment) if moment else ""


def review_csv(review: dict) -> dict[str, bytes]:
    """Two CSV files: one row per OPD, one row per OPD and step (UTF-8, comma, dot decimal)."""
    per_opd, per_step = io.StringIO(), io.StringIO()
    a = csv.writer(per_opd, lineterminator="\n")
    a.writerow(["kode", "nama", "ketepatan", "fase", "langkah_selesai", "langkah_tepat_waktu", "persen_tepat_waktu",
                "hari_kerja_layanan", "putaran_revisi", "revisi_diperbaiki_diverifikasi", "revisi_masih_terbuka",
                "baris", "disepakati", "diisi", "diverifikasi", "item_disepakati", "item_dipublikasikan",
                "perpanjangan", "dokumen_terbit", "dokumen_diterima", "dokumen_belum_diterima", "tanpa_sk_operator",
                *TICKET_KEYS])
    b = csv.writer(per_step, lineterminator="\n")
    b.writerow(["kode", "langkah", "nama_langkah", "mulai", "selesai", "hari_kerja", "batas_hari_kerja", "ketepatan"])
    for o in sorted(review["opd"], key=lambda o: o["kode"]):
        ends = o["revisi_berakhir"]
        a.writerow([o["kode"], o["nama"], o["ketepatan"], o["fase"], o["langkah_selesai"], o["langkah_tepat_waktu"],
                    "" if o["persen_tepat_waktu"] is None else o["persen_tepat_waktu"], o["hari_kerja_layanan"] or "",
                    o["putaran_revisi"], ends.get("diperbaiki dan diverifikasi", 0), ends.get("masih terbuka", 0),
                    o["baris"], o["disepakati"], o["diisi"], o["diverifikasi"], o["item_disepakati"],
                    o["item_dipublikasikan"],
                    "; ".join(f"{e['hari']} hari kerja" + (f" langkah {e['langkah']}" if e["langkah"] else "")
                              + f": {e['alasan']}" for e in o["perpanjangan"]),
                    o["dokumen_terbit"], o["dokumen_diterima"], " ".join(o["dokumen_belum_diterima"]),
                    "ya" if o["tanpa_sk"] else "tidak", *(o[k] for k in TICKET_KEYS)])
        for s in o["langkah"]:
            b.writerow([o["kode"], s["langkah"], s["nama"], _iso(s["mulai"]), _iso(s["selesai"]),
                        "" if s["hari_kerja"] is None else s["hari_kerja"], s["batas_hari_kerja"], s["ketepatan"]])
    return {"reviu-opd.csv": per_opd.getvalue().encode("utf-8"), "reviu-langkah.csv": per_step.getvalue().encode("utf-8")}
