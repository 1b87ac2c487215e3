"""Google Sheets comment threads in the SOP (DECISIONS.md #13), decided from what was read, so a lost or
failed comment write is simply planned again from the next read:

* in an OPEN thread on a data cell of a filled row (7, 9, 10), the people's posts after the
  poller's last reply (all of them when it never replied) are new. New posts by the Walidata
  (their display name mapped through the sharing list to ``[walidata] emails``, who.comment_author)
  are a revision request exactly like a new Catatan Walidata (her text is the reason, she the who),
  also as a reply in a thread the poller answered before. Anyone else's new posts never move the
  row: they are recorded (shown on the row's history page) and answered "hanya Walidata yang dapat
  meminta revisi". Either reply marks the posts seen;
* while a galat blocks a step, the poller keeps ONE thread of its own on the row's first offending
  cell, assigned to the OPD's operators (Google e-mails the assignee; the others are +mentioned),
  replies in it when the findings change and resolves it once the row passes.

The poller never edits or deletes a post it did not write: it only opens threads and replies."""
from __future__ import annotations

from typing import Any

from dataclasses import dataclass
from datetime import datetime

from rules import fields as f
from rules.sop import DIARSIP, DIISI, PERBAIKAN, REVISI, TERVERIFIKASI, Sop
from rules.workflow import ClearKind, legacy_kinds
from service.reconcile.plan import Event, Plan, RowMemory, TabMemory
from service.reconcile.slot import Slot
from service.reconcile.who import People, Who, comment_author
from sheets.base import OWNED_NOTE_PREFIX, CellComment, CommentWrite, TabSnapshot
from sheets.layout import HeaderMap

FILLED = (DIISI, TERVERIFIKASI, DIARSIP)
TAKEN = "Diterima sebagai permintaan revisi"
REFUSED = "hanya Walidata yang dapat meminta revisi"
COMMENT = "komentar"  # Event.kind of a comment that moved nothing


@dataclass(frozen=True)
class Request:
    thread: CellComment
    text: str
    who: Who
    authorised: bool = True  # written by the Walidata: a revision request


def _new_posts(thread: CellComment) -> list[tuple[str, str]]:
    """(author, text) of the people's posts after the poller's last reply in the thread."""
    posts = [(thread.author, thread.text, thread.mine), *thread.replies]
    last = max((i for i, (_, _, mine) in enumerate(posts) if mine), default=-1)
    return [(author, text) for author, text, mine in posts[last + 1:] if not mine and text.strip()]


def _threads_with_news(snapshot: TabSnapshot, row: int, header: HeaderMap,
                       mem: RowMemory | None) -> list[tuple[CellComment, list[tuple[str, str]]]]:
    if snapshot.comments is None or mem is None or mem.state not in (*FILLED, REVISI):
        return []
    data_cols = {c for k, c in header.columns.items() if k in f.DATA_FIELDS}
    out = []
    for thread in snapshot.comments:
        if thread.row == row and thread.col in data_cols and thread.status == "OPEN" and not thread.mine:
            if news := _new_posts(thread):
                out.append((thread, news))
    return out


def requests_on(snapshot: TabSnapshot, row: int, header: HeaderMap, mem: RowMemory | None,
                people: People) -> list[Request]:
    """One per thread with new posts on this (0-based sheet) row, when the row is filled (or in
    revision): the Walidata's request when she wrote one of them, else the last other author's remark."""
    out = []
    for thread, news in _threads_with_news(snapshot, row, header, mem):
        named = [(comment_author(author, snapshot.authors.get(author), people), text) for author, text in news]
        hers = [(who, text.strip()) for (who, ok), text in named if ok]
        if hers:
            out.append(Request(thread, "\n".join(text for _, text in hers), hers[-1][0]))
        else:
            (who, _), text = named[-1]
            out.append(Request(thread, text.strip(), who, authorised=False))
    return out


def revision_request(snapshot: TabSnapshot, row: int, header: HeaderMap, mem: RowMemory | None,
                     people: People) -> Request | None:
    """The Walidata's revision request on this filled row (her posts in every thread with news,
    the first thread's the one answered by ``taken``), None when there is none."""
    if mem is None or mem.state not in FILLED:
        return None
    mine = [r for r in requests_on(snapshot, row, header, mem, people) if r.authorised]
    if not mine:
        return None
    return Request(mine[0].thread, "\n".join(r.text for r in mine), mine[0].who)


def taken(plan: Plan, request: Request | None, row_id: str, state: str, sop: Sop) -> None:
    """Answer the Walidata's thread once it sent the row to revision (this marks it seen)."""
    if request is not None:
        plan.writes.comments.append(CommentWrite("reply", text=f"{OWNED_NOTE_PREFIX} {TAKEN}: baris {row_id} kini "
                                                 f"{sop.label(state)}; operator diminta memperbaiki lalu "
                                                 "mencentang lagi Selesai Diisi.", comment_id=request.thread.comment_id))


def not_authorised(plan: Plan, snapshot: TabSnapshot, row: int, header: HeaderMap, mem: RowMemory | None,
                   people: People, row_id: str, state: str, sop: Sop, now: datetime,
                   request: Request | None = None) -> None:
    """Every other thread with new posts on this row is answered, so no post is decided twice:
    on a filled row anyone else's posts are recorded for the Walidata and never move it; the
    Walidata's posts in further threads join her ``request``; on a row already in revision every
    post is recorded as part of that revision, never a new request once the row is filled again."""
    label = sop.label(state)
    for found in requests_on(snapshot, row, header, mem, people):
        if request is not None and found.thread.comment_id == request.thread.comment_id:
            continue  # answered by taken()
        if mem is not None and mem.state == REVISI:
            reply = (f"{OWNED_NOTE_PREFIX} Komentar dicatat: baris {row_id} sedang {label}; komentar ini menjadi "
                     "bahan perbaikan yang sedang berjalan, bukan permintaan revisi baru.")
            reason = f"Komentar selama revisi (tidak mengubah status): {_clip(found.text)}"
        elif found.authorised:
            if request is None:  # the row did not move to revision this cycle: decided again next cycle
                continue
            reply = f"{OWNED_NOTE_PREFIX} {TAKEN} (bersama komentar Walidata lain pada baris {row_id}): kini {label}."
            reason = ""  # the state change already records her text
        else:
            reply = (f"{OWNED_NOTE_PREFIX} Komentar dicatat dan ditampilkan kepada Walidata, tetapi {REFUSED}; "
                     f"baris {row_id} tetap {label}. Bila Walidata setuju, ia membalas di utas ini atau mengisi "
                     "Catatan Walidata.")
            reason = f"Komentar (tidak mengubah status; {REFUSED}): {_clip(found.text)}"
        plan.writes.comments.append(CommentWrite("reply", comment_id=found.thread.comment_id, text=reply))
        if reason:
            plan.events.append(Event(now, plan.opd, row_id, state, state, reason, {}, oleh=found.who.oleh,
                                     bagaimana=found.who.bagaimana, kind=COMMENT))


def _clip(text: str) -> str:
    return text if len(text) <= 500 else text[:500] + "…"


def _blocked(row: RowMemory) -> list[dict[str, Any]]:
    """The galat findings when they block a step: the fill was refused, or a box was cleared for them."""
    errors = [x for x in row.findings if x.get("level") == "galat"]
    if not errors:
        return []
    kinds = row.clear_kinds or legacy_kinds(row.box_notes)
    refused = row.state == PERBAIKAN or ClearKind.BLOCKED in kinds.values()
    return errors if refused else []


def _message(row: RowMemory, errors: list[dict[str, Any]], people: People, bidang: str = "") -> str:
    lines = [f"{OWNED_NOTE_PREFIX} {row.row_id}: pemeriksaan menahan langkah baris ini."]
    lines += [f"- {x.get('pesan', '')}" for x in errors]
    lines.append("Perbaiki lalu centang lagi; komentar ini diselesaikan otomatis bila baris lolos.")
    others = [f"+{o}" for o in (people.operators if bidang else people.operators[1:]) if o != bidang]
    if others:
        lines.append(" ".join(others))
    return "\n".join(lines)


def _own_threads(snapshot: TabSnapshot, row_id: str) -> list[CellComment]:
    marker = f"{OWNED_NOTE_PREFIX} {row_id}:"
    return [t for t in snapshot.comments or () if t.mine and t.text.startswith(marker)]


def _last_own(thread: CellComment) -> str:
    texts = [thread.text] + [text for _, text, mine in thread.replies if mine]
    return texts[-1]


def plan_threads(plan: Plan, snapshot: TabSnapshot, rows: dict[str, RowMemory], positions: dict[str, int],
                 header: HeaderMap, people: People, sop: Sop) -> None:
    """One thread of the poller's per blocked row; resolved when the row passes. ``rows``: each
    row's memory after this cycle; ``positions``: its 0-based sheet row now."""
    if snapshot.comments is None:
        return
    for rid, index in positions.items():
        row = rows.get(rid)
        if row is None:
            continue
        errors = _blocked(row)
        threads = _own_threads(snapshot, rid)
        if errors:
            bidang = people.for_bidang(row.data.get("bidang", ""))
            message = _message(row, errors, people, bidang)
            _keep_open(plan, threads, message, index, header.columns.get(str(errors[0].get("kolom")), 0), people, bidang)
        for thread in threads[1 if errors else 0:]:
            if thread.status == "OPEN":
                plan.writes.comments.append(CommentWrite(
                    "resolve", comment_id=thread.comment_id,
                    text=f"{OWNED_NOTE_PREFIX} {rid}: lolos pemeriksaan, kini {sop.label(row.state)}."))


def _keep_open(plan: Plan, threads: list[CellComment], message: str, row: int, col: int, people: People,
               bidang: str = "") -> None:
    """``bidang``: the e-mail of the row's division ([[opd]] bidang), who is assigned before the operators."""
    if not threads:
        plan.writes.comments.append(CommentWrite("open", row, col, message,
                                                 assignee=bidang or (people.operators[0] if people.operators else "")))
    elif threads[0].status != "OPEN":
        plan.writes.comments.append(CommentWrite("reopen", text=message, comment_id=threads[0].comment_id))
    elif _last_own(threads[0]) != message:
        plan.writes.comments.append(CommentWrite("reply", text=message, comment_id=threads[0].comment_id))


@dataclass(frozen=True)
class TicketThread:
    """A report from the public on one of this tab's items (the archive's pengaduan table)."""
    nomor: str
    item_key: str
    text: str
    open: bool  # not answered yet
    jawaban: str = ""


def plan_ticket_threads(plan: Plan, snapshot: TabSnapshot, tickets: tuple[TicketThread, ...],
                        first_rows: dict[str, tuple[int, int]], people: People) -> None:
    """One thread of the poller's per open report, on the Nilai cell of its item's first row,
    assigned to the OPD's operator; resolved with the answer once the Walidata answered.
    ``first_rows``: item key -> (0-based sheet row, Nilai column)."""
    if snapshot.comments is None:
        return
    for ticket in tickets:
        marker = f"{OWNED_NOTE_PREFIX} {ticket.nomor}:"
        threads = [t for t in snapshot.comments if t.mine and t.text.startswith(marker)]
        if not ticket.open:
            for thread in threads:
                if thread.status == "OPEN":
                    plan.writes.comments.append(CommentWrite("resolve", comment_id=thread.comment_id,
                                                             text=f"{marker} dijawab: {ticket.jawaban}"))
            plan.utas[ticket.nomor] = "ditutup"
        elif threads:
            plan.utas[ticket.nomor] = "dibuka"
        elif ticket.item_key in first_rows:
            row, col = first_rows[ticket.item_key]
            others = " ".join(f"+{o}" for o in people.operators[1:])
            text = (f"{marker} laporan masyarakat tentang item ini:\n{ticket.text}\n"
                    "Periksa nilainya; Walidata mencatat jawabannya di dasbor (Pengaduan)." + (f"\n{others}" if others else ""))
            plan.writes.comments.append(CommentWrite("open", row, col, text,
                                                     assignee=people.operators[0] if people.operators else ""))
            plan.utas[ticket.nomor] = "dibuka"
        else:
            plan.utas[ticket.nomor] = "tanpa_baris"  # planned again whenever this tab is read


def unskip(memory: TabMemory, slots: list[Slot], snapshot: TabSnapshot, header: HeaderMap) -> TabMemory:
    """A row is skipped while its cells are as our last write left them; a reviewer's new comment
    does not touch the cells, so such a row is forgotten as written and decided again."""
    from dataclasses import replace
    if not snapshot.comments:
        return memory
    fresh = {s.row_id for s in slots if _threads_with_news(snapshot, s.row, header, memory.rows.get(s.row_id))}
    if not fresh:
        return memory
    rows = {rid: replace(m, fingerprint="") if rid in fresh else m for rid, m in memory.rows.items()}
    return replace(memory, rows=rows)
