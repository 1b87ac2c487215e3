"""The archive as the dashboard reads it: the read models, the Store's phase log, and a cache
that holds until the poller finishes another cycle."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from rules.rulefile import DEFAULT_FOLDER, RuleError, RuleSet, load_rules
from service.archive.engine import statement_reads
from service.archive.queries import Queries
from service.archive.store import Store


class DashboardReads:
    """Expensive reads kept until the poller finishes another cycle.

    Rows only change inside a poll cycle, so (id, finished_at) of the latest cycle marks
    a version of the data; while a cycle runs (or before any has run) nothing is kept."""

    def __init__(self, store: Store, size: int = 32) -> None:
        self.store, self.queries = store, Queries(statement_reads(store.engine))
        self.size, self._data = size, {}
        self._counts: dict[tuple, tuple[int, int]] = {}  # (all versions, OPD) -> (watermark, count)
        self._per_opd: dict[str, tuple[str, int, dict]] = {}  # key -> (salt, watermark, OPD -> values)
        self._rules: tuple[tuple | None, RuleSet | RuleError] | None = None  # (files' stamp, rules or why not)
        self._wilayah: tuple[tuple, Any] | None = None  # (code and files' stamp, Wilayah)
        self._per_tab: dict[str, dict[str, tuple[tuple | None, Any]]] = {}  # key -> tab -> (its tabs row, value)
        self._items: dict[str, tuple[int, dict, dict]] = {}  # OPD -> (watermark, item -> its data, item -> Item)
        self._events: dict[tuple[str, int], tuple[int | None, list[dict]]] = {}  # (OPD, year) -> (chain place, events)
        # (tab, year) -> (event id -> shown event, row id -> (stored row, its events' ids, shown row))
        # kind ("json", "html") -> id(row) -> (the row, what it was converted with, the row converted)
        self._per_row: dict[str, dict[int, tuple[dict, Any, Any]]] = {}
        self.release_status: dict[str, dict] = {}  # OPD -> item_status's kept statuses
        self.release_rows: dict[str, dict[tuple, Any]] = {}  # OPD -> its release list's rows' HTML by what they show
        self.shown_rows: dict[tuple[str, int], tuple[dict[int, dict], dict[str, tuple[tuple, tuple, dict]]]] = {}
        self._request = threading.local()  # .memo: what begin_request keeps until end_request, per thread
        self._decoded: dict[str, dict[str, tuple[tuple, dict]]] = {}  # tab -> row id -> (stored row, decoded)
        self._sent_back: dict[tuple[str, int], tuple[int | None, list[dict]]] = {}  # (OPD, year) -> (place, events)

    def begin_request(self) -> None:
        """From now until end_request, tabs() and marker() read once: an OPD page asked for the
        tabs three times (its summary, its release list, the list's HTML), each a query. Per
        thread: waitress answers requests in several."""
        self._request.memo = {}

    def end_request(self, _exc: BaseException | None = None) -> None:
        self._request.memo = None

    def _once(self, key: str, read: Callable[[], Any]) -> Any:
        memo = getattr(self._request, "memo", None)
        if memo is None:
            return read()
        if key not in memo:
            memo[key] = read()
        return memo[key]

    def tabs(self) -> list[dict]:
        """queries.tabs(), read once per request."""
        return self._once("tabs", self.queries.tabs)

    def tab(self, kode: str) -> dict | None:
        """The tab's row in ``tabs`` (None: never read), read once per request."""
        return next((t for t in self.tabs() if t["opd"] == kode), None)

    def marker(self) -> tuple | None:
        return self._once("marker", self._marker)

    def _marker(self) -> tuple | None:
        latest = self.queries.cycles(limit=1)
        if not latest or latest[0]["finished_at"] is None:
            return None
        return latest[0]["id"], latest[0]["finished_at"]

    def clear(self) -> None:
        """Forget every kept read (the workspace year changed)."""
        self._data, self._per_tab, self._items, self._events, self.shown_rows = {}, {}, {}, {}, {}
        self._decoded, self._sent_back = {}, {}
        self.release_rows, self.release_status, self._per_row = {}, {}, {}

    def cached(self, key: Any, compute: Callable[[], Any], version: Any = None) -> Any:
        """``compute()``, kept until the next finished cycle; or, with ``version`` (what the
        value was computed from, e.g. one tab's archive row), kept until that version changes."""
        marker = self.marker() if version is None else version
        hit = self._data.get(key)
        if marker is not None and hit is not None and hit[0] == marker:
            return hit[1]
        value = compute()
        if marker is not None:
            if len(self._data) >= self.size:
                self._data.clear()
            self._data[key] = (marker, value)
        return value

    def archive_count(self, all_versions: bool, opd: str | None) -> int:
        """queries.archive_count, kept with the archive's watermark and brought up to date from
        the versions added since, so no request after a cycle counts the whole archive again."""
        key = ("archive_count", all_versions, opd)
        mark = self.queries.archive_watermark()
        hit = self._counts.get(key)
        if hit is not None and hit[0] == mark:
            return hit[1]
        total = (hit[1] + self.queries.archive_count(all_versions, opd, after=hit[0]) if hit is not None and hit[0] < mark
                 else self.queries.archive_count(all_versions, opd))
        if len(self._counts) >= 4 * self.size:
            self._counts.clear()
        self._counts[key] = (mark, total)
        return total

    def per_opd_of_archive(self, key: str, compute: Callable[[set[str] | None], dict[str, Any]], salt: str) -> dict:
        """``compute(opds)`` (None: every OPD) -> {OPD: value}, kept with the archive's watermark
        and ``salt`` (what else it depends on); after new versions only the OPDs that have them
        are computed again."""
        mark = self.queries.archive_watermark()
        hit = self._per_opd.get(key)
        if hit is not None and hit[0] == salt and hit[1] == mark:
            return hit[2]
        if hit is not None and hit[0] == salt and hit[1] < mark:
            opds = self.queries.opds_archived_since(hit[1])
            values = {**{o: v for o, v in hit[2].items() if o not in opds}, **compute(opds)}
        else:
            values = compute(None)
        self._per_opd[key] = (salt, mark, values)
        return values

    def per_tab(self, key: str, kodes: list[str], compute: Callable[[list[str]], dict[str, Any]]) -> dict[str, Any]:
        """``compute(kodes)`` -> {tab: value} for the tabs ``kodes``, each tab's value kept with its
        row in ``tabs``: a tab's rows and archive change only in Store.apply, which rewrites that
        row in the same transaction, so after a cycle only the tabs it applied are computed again
        (one query for all of them), not every tab (DECISIONS.md #142)."""
        versions = {t["opd"]: tuple(sorted(t.items())) for t in self.tabs()}
        kept = self._per_tab.setdefault(key, {})
        stale = [k for k in kodes if k not in kept or kept[k][0] != versions.get(k)]
        if stale:
            fresh = compute(stale)
            for k in stale:
                kept[k] = (versions.get(k), fresh.get(k))
        return {k: kept[k][1] for k in kodes if kept[k][1] is not None}

    def archived_data(self, opd: str, wilayah: Any) -> list:
        """publish.source.latest_data of one OPD, kept per item with the archive's watermark: after
        new versions only the OPD's items that have them are read again, never its other items'
        versions of every year (DECISIONS.md #153). Like a publication after a cycle, an unchanged
        item keeps the Standar Data it took from its remembered rows."""
        groups = self._refresh_items(opd, wilayah)[0]
        return sorted((d for data in groups.values() for d in data), key=lambda d: (d.opd, d.item, d.urutan, d.tahun))

    def _refresh_items(self, opd: str, wilayah: Any) -> tuple[dict, dict]:
        """(item -> its latest data, item -> its built Item) of one OPD, read again for the items
        with versions newer than the kept watermark only."""
        from service.publish.source import by_item, latest_data, latest_data_of_items

        mark = self.queries.archive_watermark()
        hit = self._items.get(opd)
        if hit is None:
            groups, built = by_item(latest_data(self.queries, wilayah, opd)), {}
        elif hit[0] < mark:
            changed = {(o, k) for o, k in self.queries.item_rows_since(hit[0]) if o == opd}
            groups = {**{k: v for k, v in hit[1].items() if k not in changed},
                      **by_item(latest_data_of_items(self.queries, wilayah, changed))}
            built = {k: v for k, v in hit[2].items() if k not in changed}
        else:
            groups, built = hit[1], hit[2]
        self._items[opd] = (mark, groups, built)
        return groups, built

    def archived_items(self, opd: str, wilayah: Any, opd_names: dict[str, str]) -> list:
        """publish.items.build_items of archived_data(opd): each item's Item kept with its data, so
        after a cycle only the items it archived are built again (DECISIONS.md #153)."""
        from service.publish.items import item_of, with_unique_slugs

        groups, built = self._refresh_items(opd, wilayah)
        for key in groups.keys() - built.keys():
            built[key] = item_of(groups[key], opd_names)
        return with_unique_slugs(built[key] for key in sorted(groups))

    def year_events(self, opd: str, year: int, limit: int) -> list[dict]:
        """queries.state_changes(limit, opd, year=year): the newest state changes of the OPD's
        chain of the workspace year ``year``, read after the kept place (DECISIONS.md #153)."""
        return self._appended(self._events, opd, year, lambda after: self.queries.state_changes(
            limit=limit, opd=opd, year=year, after_seq=after), limit)

    def decoded_rows(self, tab: str) -> list[dict]:
        """Queries.opd_rows(tab), a row decoded again only when its stored columns changed; the
        rows are shared between calls, so callers only read them."""
        from service.archive.queries import opd_row

        kept, fresh, out = self._decoded.get(tab, {}), {}, []
        for record in self.queries.opd_row_records(tab):
            hit = kept.get(record[0])
            row = hit[1] if hit is not None and hit[0] == record else opd_row(tab, record)
            fresh[record[0]] = (record, row)
            out.append(row)
        self._decoded[tab] = fresh
        return out

    def sent_back(self, kode: str, year: int) -> list[dict]:
        """review.TabReads.sent_back (the OPD's revision rounds of ``year``), read after the kept
        place, whether or not the chain's new part holds a round (DECISIONS.md #157)."""
        from service.publish.review import SENT_BACK

        return self._appended(self._sent_back, kode, year, lambda after: self.queries.state_changes(
            limit=1_000_000, opd=kode, year=year, to_states=SENT_BACK, after_seq=after))

    def _appended(self, kept_in: dict, opd: str, year: int, read: Callable[[int | None], list[dict]],
                  limit: int | None = None) -> list[dict]:
        """``read(after)`` (events of the OPD's chain of ``year`` after a place, newest first) before
        the events kept in ``kept_in`` (the newest ``limit``), kept with the chain's place read
        before them: a chain only grows, so after a cycle only what it appended is read, and every
        event up to that place was there when it was read."""
        kept = kept_in.get((opd, year))
        after = kept[0] if kept else None
        place = self.queries.chain_length(opd, year)
        fresh = read(after)
        events = (fresh + kept[1] if kept else fresh)[:limit]
        seen = [s for s in (place, after, *(e["chain_seq"] for e in fresh)) if s is not None]
        kept_in[(opd, year)] = (max(seen) if seen else None, events)
        return events

    def per_row(self, kind: str, rows: list[dict], convert: Callable[[dict], Any], salt: Any = None) -> list:
        """``[convert(row) for row in rows]``, each kept while the row is the same kept object and
        ``salt`` (what else the conversion used, e.g. a URL prefix) is the same: a row shown again
        after a cycle is a new object (views._opd_rows), so only the rows a cycle changed are
        converted again (DECISIONS.md #154, #157)."""
        kept = self._per_row.setdefault(kind, {})
        if len(kept) > 20_000:
            kept = self._per_row[kind] = {}
        out = []
        for row in rows:
            hit = kept.get(id(row))
            if hit is None or hit[0] is not row or hit[1] != salt:
                hit = kept[id(row)] = (row, salt, convert(row))
            out.append(hit[2])
        return out

    def rules(self, folder: Path | None) -> RuleSet:
        """load_rules(folder), kept while its files' names, sizes and modification times stay the
        same: parsing the YAML was most of the first Ringkasan after every cycle. A broken rule file
        raises its RuleError each time, until it changes."""
        folder = Path(folder or DEFAULT_FOLDER)
        stamp = _stamp(folder, "*.yaml")
        kept = self._rules
        if kept is None or kept[0] != stamp or stamp is None:
            loaded: RuleSet | RuleError
            try:
                loaded = load_rules(folder)
            except RuleError as exc:
                loaded = exc
            kept = self._rules = (stamp, loaded)
        if isinstance(kept[1], RuleError):
            raise kept[1]
        return kept[1]

    def wilayah(self, config) -> Any:
        """load_wilayah(config), kept while the workspace's imported code list is unchanged: reading
        the national table was half of the withheld totals after a cycle that archived."""
        from service.config.wilayah import REFERENSI_FOLDER, load_wilayah

        stamp = (config.kode_wilayah, _stamp(config.root / REFERENSI_FOLDER, "*"))
        if self._wilayah is None or self._wilayah[0] != stamp:
            self._wilayah = (stamp, load_wilayah(config))
        return self._wilayah[1]


def _stamp(folder: Path, pattern: str) -> tuple | None:
    """Names, modification times and sizes of the folder's files matching ``pattern`` (None: no folder)."""
    if not folder.is_dir():
        return None
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob(pattern)))
