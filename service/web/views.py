"""What each dashboard page shows, as plain data (no Flask): the HTML and the JSON API share it."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from rules.calendar import WorkCalendar
from rules.findings import GALAT, PERINGATAN
from rules.numbers import format_number, parse_number
from rules.sop import load_sop
from service.web import charts
from service.web.reads import DashboardReads
from service.config import Config
from service.config.people import operators_shown
from service.archive.progress import (YearInputs, extensions_of, holidays_shown, known_years, opd_standard,
                                      opd_summaries, year_inputs)
from service.archive import chain, documents
from service.archive.queries import opd_row
from service.archive.masking import mask_secrets, mask_url
from service.archive.waiting import lock_state
from service.reconcile.plan import TabStatus
from service.timefmt import local_iso
from sheets.layout import BY_KEY

KETEPATAN = {  # urgency order first: the Ringkasan lists late OPDs at the top
    "terlambat": "Terlambat", "berisiko": "Berisiko", "tepat_waktu": "Tepat waktu",
    "selesai": "Selesai", "belum_mulai": "Belum mulai",
}
LEVELS = {GALAT: "Galat", PERINGATAN: "Peringatan"}
TAB_STATUS = {
    TabStatus.OK: "Baik", "belum_dibaca": "Belum dibaca", TabStatus.ERROR: "Gagal dibaca",
    TabStatus.HEADER: "Judul kolom tidak cocok", TabStatus.MASS_REMOVAL: "Penghapusan massal ditahan",
    TabStatus.MASS_CHANGE: "Perubahan massal ditahan",
    TabStatus.PENDING_REMOVAL: "Penghapusan menunggu persetujuan Walidata",
    TabStatus.ARCHIVE_UNKNOWN: "Arsip tidak mengenal baris tab ini (ditahan)",
    TabStatus.CHAIN_BROKEN: "Rantai hash arsip rusak (ditahan)",
    "dibuka": "Menunggu berkas ditutup", "kunci_basi": "Kunci berkas basi",
    TabStatus.DEFERRED: "Ditunda karena kuota",
}
GOOGLE_QUOTA_PER_MINUTE = 60  # Sheets API: read (and write) requests per minute per user
HISTORY_LIMIT = 5000
TEMUAN_PER_PAGE = 200
ARSIP_PER_PAGE = 100
BARIS_PER_PAGE = 100  # with the release list's first items an OPD page stays under 200 KB, findings and all (DECISIONS.md #157)


def state_label(code: str | None) -> str:
    if code is None:
        return "—"
    state = load_sop().states.get(code)
    return state.label if state else code.replace("_", " ").capitalize()


def _column_header(key: str) -> str:
    """The column as the sheet names it ("Nilai", not "nilai")."""
    return BY_KEY[key].header if key in BY_KEY else key


# --- Ringkasan -------------------------------------------------------------------------
def ringkasan(config: Config, reads: DashboardReads, now: datetime, calendar: WorkCalendar,
              year: int | None = None) -> dict:
    """Every OPD's progress in the open workspace year, or in a closed ``year`` (its record)."""
    if year is None or year == config.year:
        inputs = open_year_inputs(config, reads)
    else:
        inputs = reads.cached(("tahun", year), lambda: year_inputs(config, reads.store, year))
    counts, tabs, logs = inputs.counts, inputs.tabs, inputs.logs
    opds = opd_summaries(config, counts, tabs, logs, now, calendar, inputs)
    total = sum(o["baris"] for o in opds)
    archived = sum(o["diarsip"] for o in opds)
    per_code: dict[str, int] = defaultdict(int)
    for o in opds:
        for code, n in o["jumlah_per_kode"].items():
            per_code[code] += n
    order = list(KETEPATAN)
    started = sorted((o for o in opds if o["baris"]), key=lambda o: order.index(o["ketepatan"]))
    cycles = reads.queries.cycles(limit=1)
    rules_problem = "" if inputs.closed else rule_file_problem(config, reads)
    return {
        "workspace": config.name, "tahun": inputs.year, "tahun_berjalan": config.year,
        "tahun_tersedia": known_years(config, reads.store), "sekarang": now, "opd": started,
        "opd_tanpa_baris": [{"kode": o["kode"], "nama": o["nama"], "status_tab": o["status_tab"],
                             "pesan": mask_secrets(o["pesan"], config.archive_url)} for o in opds if not o["baris"]],
        "jumlah_opd": len(opds), "total_baris": total, "total_diarsip": archived,
        "persen_diarsip": round(100 * archived / total, 1) if total else 0.0,
        "jumlah_per_kode": dict(per_code),
        "ketepatan": {k: sum(o["ketepatan"] == k for o in opds) for k in KETEPATAN},
        "terlambat": [o["kode"] for o in opds if o["ketepatan"] == "terlambat"],
        "perlu_ditinjau": perlu_ditinjau(reads, frozenset(o.kode for o in config.opds)) if not inputs.closed else [],
        "ditahan": [] if inputs.closed or rules_problem else reads.cached("ditahan", lambda: withheld_totals(config, reads)),
        "galat_aturan": rules_problem,
        "temuan_galat": sum(o["temuan_galat"] for o in opds),
        "temuan_peringatan": sum(o["temuan_peringatan"] for o in opds),
        "siklus_terakhir": _cycle(cycles[0], config.archive_url) if cycles else None,
        "libur_tambahan": holidays_shown(config),
    }


def open_year_inputs(config: Config, reads: DashboardReads) -> YearInputs:
    """The open year's counts (each tab's kept with its row in ``tabs``), tabs and phase log."""
    kodes = [o.kode for o in config.opds]
    return year_inputs(config, reads.store, None,
                       reads.per_tab("progress_counts", kodes, lambda stale: reads.queries.progress_counts(kodes=stale)),
                       reads.cached("phase_log", reads.store.phases.log))


def pengawasan(config: Config, reads: DashboardReads, now: datetime) -> dict:
    """The open year's annual review at ``now``: each OPD's part read from its rows, events and
    archive is kept with its tab's row, so a cycle costs the review the tabs it applied
    (DECISIONS.md #153); the clocks, documents and the public's tickets are read each time."""
    from service.publish.review import TabReads, annual_review
    return annual_review(config, reads.store, now, inputs=open_year_inputs(config, reads),
                         parts=lambda kodes, compute: reads.per_tab("pengawasan", kodes, compute),
                         tab_reads=TabReads(reads.decoded_rows, reads.sent_back))


def rule_file_problem(config: Config, reads: DashboardReads) -> str:
    """Why the workspace's rule files do not load, in Indonesian, or "": a broken rule file is the
    Walidata's to fix and is shown on the Ringkasan, never a page that fails."""
    from rules.rulefile import RuleError
    try:
        reads.rules(config.rules_folder)
    except RuleError as exc:
        return (f"{exc}. Poller tidak memeriksa baris dan total yang bertentangan dengan rinciannya belum dapat "
                "diperiksa sampai berkas aturan diperbaiki.")
    return ""


def withheld_totals(config: Config, reads: DashboardReads) -> list[dict]:
    """Archived totals that disagree with their parts: publication holds them back until the
    Walidata corrects and re-verifies them."""
    from service.publish.withheld import withheld_in_archive

    rules = reads.rules(config.rules_folder)

    def of(opds: set[str] | None) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for w in withheld_in_archive(config, reads.store, reads.wilayah(config), opds=opds, rules=rules):
            found.setdefault(w.opd, []).append(w.as_dict())
        return found

    by_opd = reads.per_opd_of_archive("ditahan", of, rules.fingerprint())
    return [w for opd in sorted(by_opd) for w in by_opd[opd]]


def perlu_ditinjau(reads: DashboardReads, kodes: frozenset[str] | None = None) -> list[dict]:
    """Verified rows with findings that appeared after verification, for the Walidata to review;
    with ``kodes``, only the open year's tabs (a closed year's record rows are history)."""
    from service.reconcile.review import REVIEW_PREFIX

    def of_tabs(tabs: list[str] | None) -> list[dict]:
        return reads.queries.rows_with_findings(None, code_prefix=REVIEW_PREFIX, kodes=tabs)

    if kodes is None:
        rows = reads.cached(("tinjau", None), lambda: of_tabs(None))
    else:  # kept per tab: a cycle reads again only the tabs it applied (DECISIONS.md #142)
        def grouped(stale: list[str]) -> dict[str, list[dict]]:
            found: dict[str, list[dict]] = {}
            for r in of_tabs(stale):
                found.setdefault(r["opd"], []).append(r)
            return found

        per_tab = reads.per_tab("tinjau", sorted(kodes), grouped)
        rows = [r for kode in sorted(per_tab) for r in per_tab[kode]]  # the query's order: OPD, then sheet order
    return [{"opd": r["opd"], "id": r["row_id"], "status_label": state_label(r["state"]),
             "uraian_data": r["data"].get("uraian_data", ""),
             "pesan": [x.get("pesan", "") for x in r["findings"] if str(x.get("kode", "")).startswith(REVIEW_PREFIX)]}
            for r in rows if any(str(x.get("kode", "")).startswith(REVIEW_PREFIX) for x in r["findings"])]


# --- OPD --------------------------------------------------------------------------------
def _nilai(text: str) -> str:
    parsed = parse_number(text) if text else None
    if parsed is None or parsed.value is None or parsed.level == GALAT or parsed.percent:
        return text
    return format_number(parsed.value)


def _event(e: dict) -> dict:
    return {"id": e["id"], "waktu": e["at"], "opd": e["opd"], "baris": e["row_id"], "dari": e["from_state"],
            "dari_label": state_label(e["from_state"]) if e["from_state"] else None, "ke": e["to_state"],
            "ke_label": state_label(e["to_state"]), "alasan": e["reason"], "siklus": e["cycle_id"],
            "oleh": e.get("oleh") or "", "bagaimana": e.get("bagaimana") or "", "jenis": e.get("kind") or "status"}


def _row(r: dict, history: list[dict]) -> dict:
    data = r["data"]
    return {
        "id": r["row_id"], "kode_data": data.get("kode_data", ""), "uraian_data": data.get("uraian_data", ""),
        "rincian": data.get("rincian", ""), "satuan": data.get("satuan", ""), "tahun": data.get("tahun", ""),
        "nilai": data.get("nilai", ""), "nilai_tampil": _nilai(data.get("nilai", "")),
        "status": r["state"], "status_label": state_label(r["state"]), "temuan": r["findings"],
        "catatan_walidata": r["catatan"], "diperbarui": r["updated_at"], "versi_arsip": r["archived_version"],
        "riwayat": history, "bidang": data.get("bidang", ""),
    }


def per_bidang(rows: list[dict]) -> list[dict]:
    """Rows and their findings per Bidang (the optional column), busiest first; empty when no row names one."""
    if not any(r["bidang"] for r in rows):
        return []
    groups: dict[str, dict] = {}
    for r in rows:
        name = " ".join(r["bidang"].split()) or "(tanpa bidang)"
        g = groups.setdefault(name.casefold(), {"bidang": name, "baris": 0, "galat": 0, "peringatan": 0})
        g["baris"] += 1
        for x in r["temuan"]:
            if x.get("level") in ("galat", "peringatan"):
                g[x["level"]] += 1
    return sorted(groups.values(), key=lambda g: (-g["galat"], -g["peringatan"], g["bidang"].casefold()))


def opd_detail(config: Config, reads: DashboardReads, kode: str, now: datetime, calendar: WorkCalendar,
               year: int | None = None) -> dict | None:
    """The OPD's progress (computed for ``now``) and its rows with their state changes (kept
    until the next cycle); for a closed ``year``, its clock as rollover closed it and the rows
    kept in its year record."""
    opd = next((o for o in config.opds if o.kode == kode), None)
    if opd is None:
        return None
    if year is not None and year != config.year:
        inputs = year_inputs(config, reads.store, year)
        stopped = inputs.stopped.get(kode)
        summary = opd_standard(opd, inputs.counts.get(kode, {}), inputs.tabs.get(kode), inputs.logs.get(kode, []),
                               min(now, stopped) if stopped else now, calendar,
                               extensions_of(opd.perpanjangan, year, config.year))
        summary.update(pesan="", dibuka=None, tahun=year)
        record = f"{kode} {year}"
        # a closed year's rows and chains change no more: kept while its chains' heads stay
        heads = tuple((h["jenis"], h["panjang"], h["kepala"]) for h in chain.heads(reads.queries.engine)
                      if h["opd"] == kode and h["tahun"] == year)
        live, removed = reads.cached(("baris", record), lambda: _opd_rows(reads, record, kode, year), ("tahun", heads))
        return {"opd": summary, "libur_tambahan": holidays_shown(config), "baris": live, "dihapus": removed}
    tab = reads.tab(kode)
    summary = opd_standard(opd, reads.queries.progress_counts(kode).get(kode, {}), tab,
                           reads.store.phases.log(kode).get(kode, []), now, calendar,
                           extensions_of(opd.perpanjangan, config.year, config.year))
    summary["pesan"] = mask_secrets(summary["pesan"], config.archive_url)
    summary["dibuka"] = lock_state(config, kode, now)
    summary["tahun"] = config.year
    # a tab's rows and events change only with its archive row (one transaction in Store.apply),
    # so a cycle that did not touch this OPD keeps its rows cached
    version = tuple(sorted(tab.items())) if tab else None
    live, removed = reads.cached(("baris", kode), lambda: _opd_rows(reads, kode, kode, config.year), version)
    summary["operator"] = operators_shown(opd)
    summary["tanpa_sk"] = not any(p["ada_sk"] for p in summary["operator"])
    issued = [doc.as_dict() for doc in documents.of_year(reads.queries.engine, config.year, kode)]
    return {"opd": summary, "libur_tambahan": holidays_shown(config), "baris": live, "dihapus": removed,
            "dokumen": issued, "per_bidang": per_bidang(live), "dokumen_belum_diterima": sum(1 for doc in issued if not doc["diterima_oleh"])}


def opd_page(data: dict, page: int, per_page: int | None = None) -> dict:
    """The OPD page's data with one page of its live rows in sheet order: a 2,000-row tab drawn
    whole was ~676 KB of HTML; the per-status counts and per-Bidang table still cover every row
    and the JSON API keeps them all (DECISIONS.md #141)."""
    rows, per_page = data["baris"], per_page or BARIS_PER_PAGE
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return {**data, "baris": rows[start:start + per_page], "jumlah_baris": len(rows), "halaman": page,
            "jumlah_halaman": pages, "per_halaman": per_page, "baris_mulai": start + 1}


def _opd_rows(reads: DashboardReads, tab: str, kode: str, year: int) -> tuple[list[dict], list[dict]]:
    """The live and removed rows remembered under ``tab`` (the OPD's code, or a closed year's
    record "KODE 2025"), each with its state changes in the workspace year ``year``: the OPD's
    events of that year only, so closed years' events are never read for the open year."""
    events = reads.year_events(kode, year, HISTORY_LIMIT)
    kept_events, kept_rows = reads.shown_rows.get((tab, year), ({}, {}))
    shown = {e["id"]: kept_events.get(e["id"]) or _event(e) for e in events}  # an event never changes
    history: dict[str, list[int]] = defaultdict(list)
    for e in events:
        history[e["row_id"]].append(e["id"])
    rows: dict[str, tuple[tuple, tuple, dict]] = {}
    live: list[dict] = []
    removed: list[dict] = []
    for record in reads.queries.opd_row_records(tab):
        row_id, ids = record[0], tuple(history.get(record[0], ()))
        hit = kept_rows.get(row_id)
        # a row is decoded and shown again only when a cycle changed it or its history (DECISIONS.md #154)
        row = hit[2] if hit is not None and hit[0] == record and hit[1] == ids else \
            _row(opd_row(tab, record), [shown[i] for i in ids])
        rows[row_id] = (record, ids, row)
        (removed if record[7] else live).append(row)
    reads.shown_rows[(tab, year)] = (shown, rows)
    return live, removed


# --- Temuan, Riwayat, Arsip --------------------------------------------------------------
def temuan(reads: DashboardReads, opd: str | None, level: str | None, page: int,
           kodes: frozenset[str] | None = None) -> dict:
    """One page of every finding on live rows (of ``level``; of the open year's tabs ``kodes``),
    in sheet order: counted and paged in SQL from the per-row counts, so only the page's rows are read."""
    return reads.cached(("temuan", opd, level, page, kodes), lambda: _temuan(reads, opd, level, page, kodes))


def _temuan(reads: DashboardReads, opd: str | None, level: str | None, page: int,
            kodes: frozenset[str] | None) -> dict:
    per_tab = None if opd or kodes is None else reads.per_tab("temuan", sorted(kodes), reads.queries.finding_rows)
    per_level = reads.queries.finding_counts(opd, kodes) if per_tab is None else {
        GALAT: sum(g for rows in per_tab.values() for _, g, _ in rows),
        PERINGATAN: sum(p for rows in per_tab.values() for _, _, p in rows)}
    total = per_level[level] if level else sum(per_level.values())
    pages = max(1, -(-total // TEMUAN_PER_PAGE))
    page = min(max(1, page), pages)
    start = (page - 1) * TEMUAN_PER_PAGE
    items = []
    shown_rows = (reads.queries.findings_page(start, TEMUAN_PER_PAGE, opd, level, kodes) if per_tab is None
                  else _findings_page(reads, per_tab, start, TEMUAN_PER_PAGE, level))
    for r in shown_rows:
        shown = [f for f in r["findings"] if not level or f.get("level", "") == level]
        for i, f in enumerate(shown, r["first"]):
            if start <= i < start + TEMUAN_PER_PAGE:
                items.append(_finding(r, f))
    return {"filter": {"opd": opd, "level": level}, "jumlah": total, "per_level": per_level,
            "halaman": page, "jumlah_halaman": pages, "per_halaman": TEMUAN_PER_PAGE, "temuan": items,
            "per_bidang": per_bidang([{"bidang": r["data"].get("bidang", ""), "temuan": r["findings"]}
                                      for r in reads.queries.opd_rows(opd) if not r["removed"]]) if opd else []}


def _findings_page(reads: DashboardReads, per_tab: dict[str, list[tuple[str, int, int]]], offset: int, limit: int,
                   level: str | None) -> list[dict]:
    """queries.findings_page over every open tab, found from each tab's kept per-row counts (so a
    cycle reads again only the counts of the tabs it applied), in the same order: tab by tab, each
    in sheet order; only the page's rows are read."""
    wanted: list[tuple[str, str, int]] = []  # (tab, row, position of its first finding in the list)
    upto = 0
    for kode in sorted(per_tab):
        for row_id, galat, peringatan in per_tab[kode]:
            n = galat if level == GALAT else peringatan if level == PERINGATAN else galat + peringatan
            if n and upto + n > offset and upto < offset + limit:
                wanted.append((kode, row_id, upto))
            upto += n
        if upto >= offset + limit:
            break
    found: dict[tuple[str, str], dict] = {}
    for kode in dict.fromkeys(k for k, _, _ in wanted):
        found.update({(kode, rid): r for rid, r in
                      reads.queries.finding_rows_shown(kode, [rid for k, rid, _ in wanted if k == kode]).items()})
    return [{**found[kode, rid], "first": first} for kode, rid, first in wanted if (kode, rid) in found]


def _finding(r: dict, f: dict) -> dict:
    return {"opd": r["opd"], "id": r["row_id"], "status": r["state"], "status_label": state_label(r["state"]),
            "uraian_data": r["data"].get("uraian_data", ""), "diperbarui": r["updated_at"],
            "bidang": r["data"].get("bidang", ""),
            "kolom": _column_header(f.get("kolom", "")), "level": f.get("level", ""), "kode": f.get("kode", ""),
            "pesan": f.get("pesan", "")}


def riwayat(reads: DashboardReads, opd: str | None, limit: int) -> dict:
    return {"filter": {"opd": opd}, "batas": limit,
            "peristiwa": [_event(e) for e in reads.queries.state_changes(limit=limit, opd=opd,
                                                                         kinds=("status", "komentar"))]}


def arsip(reads: DashboardReads, opd: str | None, all_versions: bool, page: int) -> dict:
    total = reads.archive_count(all_versions, opd)
    pages = max(1, -(-total // ARSIP_PER_PAGE))
    page = min(max(1, page), pages)
    records = reads.queries.archive_page((page - 1) * ARSIP_PER_PAGE, ARSIP_PER_PAGE, all_versions=all_versions, opd=opd)
    return {"filter": {"opd": opd, "semua_versi": all_versions}, "jumlah": total, "halaman": page,
            "jumlah_halaman": pages, "per_halaman": ARSIP_PER_PAGE, "baris": records}


# --- Kesehatan ---------------------------------------------------------------------------
def _cycle(c: dict, url: str | None = None) -> dict:
    duration = (c["finished_at"] - c["started_at"]).total_seconds() if c["finished_at"] else None
    other = c["requests_other"]
    return {"id": c["id"], "mulai": c["started_at"], "selesai": c["finished_at"], "durasi_detik": duration,
            "status": c["status"], "tab_dibaca": c["tabs_read"], "baris_dilihat": c["rows_seen"],
            "perubahan_status": c["events"], "diarsip": c["archived"],
            "permintaan": {"baca": c["requests_read"], "tulis": c["requests_write"], "lain": other,
                           "jumlah": c["requests_read"] + c["requests_write"] + other},
            "galat": [mask_secrets(e, url) for e in c["errors"]]}


def kesehatan(config: Config, reads: DashboardReads, now: datetime, limit: int = 50) -> dict:
    cycles = [_cycle(c, config.archive_url) for c in reads.queries.cycles(limit=limit)]
    per_minute = 60 / config.interval_seconds
    finished = [c for c in cycles if c["selesai"]]
    most_reads = max((c["permintaan"]["baca"] for c in finished), default=0)  # Drive and stat calls are not Sheets quota
    writes = max((c["permintaan"]["tulis"] for c in finished), default=0)
    google = config.backend == "google"
    tabs = {t["opd"]: t for t in reads.tabs()}
    problems, deferred = [], []
    for o in config.opds:
        tab = tabs.get(o.kode)
        status = (tab or {}).get("status", "belum_dibaca")
        if tab is not None and status == TabStatus.DEFERRED:  # not a problem: the next cycle serves it first
            deferred.append({"kode": o.kode, "nama": o.nama, "pesan": tab["message"], "diperiksa": tab.get("checked_at")})
            continue
        lock = lock_state(config, o.kode, now)
        if lock is not None and status == "ok":  # open in Excel/LibreOffice: waiting, or a stale lock
            problems.append({"kode": o.kode, "nama": o.nama, "status": "kunci_basi" if lock["basi"] else "dibuka",
                             "status_label": TAB_STATUS["kunci_basi" if lock["basi"] else "dibuka"],
                             "pesan": lock["pesan"], "menunggu_tulis": False, "dibuka": lock,
                             "diperiksa": (tab or {}).get("checked_at")})
        elif status != "ok" or (tab or {}).get("write_pending"):
            problems.append({"kode": o.kode, "nama": o.nama, "status": status,
                             "status_label": TAB_STATUS.get(status, status), "pesan": mask_secrets(tab["message"], config.archive_url) if tab else "",
                             "menunggu_tulis": bool((tab or {}).get("write_pending")),
                             "diperiksa": (tab or {}).get("checked_at")})
    return {
        "sekarang": now, "backend": config.backend, "interval_detik": config.interval_seconds,
        "basis_data": mask_url(config.archive_url), "siklus": cycles,
        "siklus_terakhir": cycles[0] if cycles else None,
        "kuota": {"berlaku": google, "batas_per_menit": GOOGLE_QUOTA_PER_MINUTE,
                  "siklus_per_menit": round(per_minute, 2),
                  "baca_per_siklus_maks": most_reads, "tulis_per_siklus_maks": writes,
                  "baca_per_menit": round(most_reads * per_minute, 1), "tulis_per_menit": round(writes * per_minute, 1),
                  "melebihi": google and max(most_reads, writes) * per_minute > GOOGLE_QUOTA_PER_MINUTE,
                  "ditunda": deferred, **google_status(config)},
        "masalah_tab": problems,
        "verifikasi": chain.last_verification(reads.queries.engine),
        "rantai": chain.heads(reads.queries.engine),
        "grafik": charts.column_chart([c["permintaan"]["baca"] for c in reversed(cycles)],
                                      limit=GOOGLE_QUOTA_PER_MINUTE / per_minute if google else None,
                                      labels=[f"Siklus {c['id']}" for c in reversed(cycles)]),
    }


def google_status(config: Config) -> dict:
    """What the Google backend remembers in the workspace (status-google.json): comment writes
    backing off, and when the self-test last ran. Empty for Excel or before the first cycle."""
    if config.backend != "google":
        return {}
    from sheets.google.budget import STATE_NAME, Ledger
    ledger = Ledger(config.root / STATE_NAME)
    comments = ledger.section("komentar")
    return {"komentar_gagal": [{"spreadsheet": sid, **v, "sejak": _moment(v.get("sejak"))}
                               for sid, v in sorted(comments.items()) if isinstance(v, dict) and v.get("gagal")]}


def _moment(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def jsonable(value: Any) -> Any:
    """Datetimes as ISO 8601, everything else as JSON can hold it."""
    if isinstance(value, (datetime, date)):
        return local_iso(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value
