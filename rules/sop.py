"""The SOP as data: steps, states, durations (rules/sop.yaml)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

SOP_FILE = Path(__file__).with_name("sop.yaml")

DRAF, DICEK, DISEPAKATI, DISETUJUI = "1", "3", "5", "6"
DIISI, REVISI, PERBAIKAN, TERVERIFIKASI, DIARSIP = "7", "7a", "8", "9", "10"


@dataclass(frozen=True)
class Step:
    number: int
    nama: str
    pelaksana: str
    hari_kerja: int


@dataclass(frozen=True)
class State:
    code: str
    label: str
    order: int
    next_steps: tuple[int, ...]
    step: int = 0  # the SOP step the row has reached: findings of later steps are not shown yet
    rank: int = 0  # how far the step boxes carry the row
    colour: str = "#cccccc"  # background, '#rrggbb' (one palette: sheet and dashboard)
    text_colour: str = "#1b2330"
    blocked_by_errors: bool = False  # an error-level finding stops a row entering this state


@dataclass(frozen=True)
class Box:
    key: str
    step: int
    label: str
    pemilik: str
    needs: str | None = None  # the state the box needs before it may be ticked
    needs_why: str = ""  # what the user is told otherwise


@dataclass(frozen=True)
class Sop:
    name: str
    total_days: int
    steps: dict[int, Step]
    states: dict[str, State]
    boxes: dict[str, Box]  # in the order they may be ticked
    nomor: str = ""  # the SOP's document number, printed on every Berita Acara
    dasar_hukum: tuple[str, ...] = ()
    daerah: str = ""  # the kabupaten/kota code whose ``nomor`` and ``dasar_hukum_daerah`` these are
    dasar_hukum_daerah: tuple[str, ...] = ()

    @property
    def blockable(self) -> frozenset[int]:
        """The step numbers of the states an error stops a row entering (5, 7, 9)."""
        return frozenset(s.step for s in self.states.values() if s.blocked_by_errors)

    def label(self, code: str) -> str:
        return self.states[code].label

    def code_of(self, label: object) -> str | None:
        """The state code a Status cell shows ("7a Revisi" -> "7a"), or None."""
        head = str(label or "").strip().split(" ", 1)[0]
        return head if head in self.states else None

    def days_for(self, code: str) -> int:
        """Working days the SOP allows for the work that follows this state."""
        return sum(self.steps[n].hari_kerja for n in self.states[code].next_steps)

    def ordered(self) -> list[State]:
        return sorted(self.states.values(), key=lambda s: (s.order, s.code))

    def for_display(self) -> list[State]:
        """States as people count them on a page: 1, 3, 5, 6, 7, 7a, 8, 9, 10 (by the step number
        in the code), not by progress rank, where 7a and 8 share a rank below 7."""
        def number(code: str) -> int:
            digits = "".join(ch for ch in code if ch.isdigit())
            return int(digits) if digits else 0
        return sorted(self.states.values(), key=lambda s: (number(s.code), s.code))


@lru_cache(maxsize=4)
def load_sop(path: Path = SOP_FILE) -> Sop:
    # libyaml's loader when present: every command reads this file, the pure-Python one costs ~50 ms
    data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    steps = {s["number"]: Step(s["number"], s["nama"], s["pelaksana"], int(s["hari_kerja"]))
             for s in data["steps"]}
    states = {s["code"]: State(s["code"], s["label"], int(s["order"]), tuple(s["next_steps"]), int(s["step"]),
                               int(s["rank"]), s.get("warna", "#cccccc"), s.get("warna_teks", "#1b2330"),
                               bool(s.get("galat_menahan", False)))
              for s in data["states"]}
    boxes = {key: Box(key, int(b["step"]), b["label"], b["pemilik"], (b.get("syarat") or {}).get("status"),
                      (b.get("syarat") or {}).get("pesan", "")) for key, b in data["boxes"].items()}
    return Sop(data["name"], int(data["standar_pelayanan_hari_kerja"]), steps, states, boxes,
               str(data.get("nomor", "")), tuple(map(str, data.get("dasar_hukum", ()))),
               str(data.get("daerah", "")), tuple(map(str, data.get("dasar_hukum_daerah", ()))))
