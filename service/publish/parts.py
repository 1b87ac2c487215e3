"""What each published item adds to the indexes, kept between publications and grouped by OPD
(DECISIONS.md #101, #152): a refresh regroups only the OPDs whose items changed, so what it
does besides rebuilding those items grows with the number of OPDs, not of items."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from service.publish import dcat

Key = tuple[str, str]  # (OPD, item key): what an item's part is kept under


@dataclass(frozen=True)
class Entry:
    """One published item's share of its OPD's package and catalogue page, as UTF-8 to be joined."""
    slug: str
    base: str
    opd: str
    opd_nama: str
    modified: str
    resource: bytes
    catalogue: dcat.Part


@dataclass(frozen=True)
class Part:
    """What an item (OPD, item key) adds to the indexes: its entry (None when nothing of it is
    published, e.g. every year withheld), what of it is withheld, and the sheet rows that hold
    its versions (where a refresh reads them, DECISIONS.md #152)."""
    entry: Entry | None
    ditahan: tuple[dict, ...] = ()
    rows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """An OPD's parts in key order and what the indexes take from them: its entries, what of it
    is withheld, its newest modification, and the slugs its items hold (name -> keys)."""
    parts: dict[Key, Part]
    entries: tuple[Entry, ...]
    held: tuple[dict, ...]
    modified: str | None
    names: dict[str, tuple[Key, ...]]


def group(parts: dict[Key, Part]) -> Group:
    ordered = {key: parts[key] for key in sorted(parts)}
    entries = tuple(p.entry for p in ordered.values() if p.entry is not None)
    names: dict[str, tuple[Key, ...]] = {}
    for key, part in ordered.items():
        if part.entry is not None:
            for name in {part.entry.slug, part.entry.base}:
                names[name] = names.get(name, ()) + (key,)
    return Group(ordered, entries, tuple(w for p in ordered.values() for w in p.ditahan),
                 max((e.modified for e in entries), default=None), names)


def grouped(parts: dict[Key, Part]) -> dict[str, Group]:
    """Every OPD's group, in OPD order (a full build, or an index read from disk)."""
    by_opd: dict[str, dict[Key, Part]] = {}
    for key, part in parts.items():
        by_opd.setdefault(key[0], {})[key] = part
    return {opd: group(by_opd[opd]) for opd in sorted(by_opd)}


def regrouped(groups: dict[str, Group], changed: set[Key], fresh: dict[Key, Part]) -> dict[str, Group]:
    """``groups`` with the parts of ``changed`` replaced by ``fresh`` (a changed item missing
    from it is no longer published or withheld): only the changed OPDs are grouped again."""
    out = dict(groups)
    for opd in {key[0] for key in changed} | {key[0] for key in fresh}:
        mine = {key: part for key, part in groups[opd].parts.items() if key not in changed} if opd in groups else {}
        mine.update({key: part for key, part in fresh.items() if key[0] == opd})
        if mine:
            out[opd] = group(mine)
        else:
            out.pop(opd, None)
    return {opd: out[opd] for opd in sorted(out)}


def all_parts(groups: dict[str, Group]) -> dict[Key, Part]:
    return {key: part for g in groups.values() for key, part in g.parts.items()}


def clashes(groups: dict[str, Group], changed: set[Key], names: list[str]) -> bool:
    """Whether any of ``names`` (the rebuilt items' slugs and bases) is a slug or base of an
    item kept as it was (then the items are numbered afresh by a full build)."""
    return any(key not in changed for g in groups.values() for name in names for key in g.names.get(name, ()))


def published_opds(groups: dict[str, Group]) -> list[str]:
    return [opd for opd, g in groups.items() if g.entries]


# The index on disk: one JSON file per item -------------------------------------------------

def part_name(key: Key) -> str:
    return f"item-{hashlib.sha256(json.dumps(key, ensure_ascii=False).encode('utf-8')).hexdigest()[:24]}.json"


def part_json(key: Key, part: Part) -> bytes:
    entry = part.entry
    body = None if entry is None else {
        "slug": entry.slug, "base": entry.base, "opd_nama": entry.opd_nama, "modified": entry.modified,
        "resource": entry.resource.decode("utf-8"), "dataset": entry.catalogue.dataset,
        "turtle": entry.catalogue.turtle.decode("utf-8"), "jsonld": entry.catalogue.jsonld.decode("utf-8"),
        "shared": [[i, t.decode("utf-8"), j.decode("utf-8")] for i, t, j in entry.catalogue.shared]}
    return json.dumps({"opd": key[0], "item": key[1], "entry": body, "ditahan": list(part.ditahan),
                       "rows": list(part.rows)}, ensure_ascii=False).encode("utf-8")


def part_of(raw: dict) -> tuple[Key, Part]:
    key = (raw["opd"], raw["item"])
    e = raw["entry"]
    if e is None:
        return key, Part(None, tuple(raw["ditahan"]), tuple(raw["rows"]))
    catalogue = dcat.Part(e["dataset"], e["turtle"].encode("utf-8"), e["jsonld"].encode("utf-8"),
                          tuple((i, t.encode("utf-8"), j.encode("utf-8")) for i, t, j in e["shared"]),
                          key[0], e["opd_nama"], e["modified"])
    return key, Part(Entry(e["slug"], e["base"], key[0], e["opd_nama"], e["modified"], e["resource"].encode("utf-8"),
                           catalogue), tuple(raw["ditahan"]), tuple(raw["rows"]))
