"""Findings are values, never exceptions (as frictionless' errors are)."""
from __future__ import annotations

from dataclasses import dataclass

from rules.sop import load_sop

GALAT = "galat"
PERINGATAN = "peringatan"


@dataclass(frozen=True)
class Finding:
    """One problem on one cell of one row.

    ``step`` is the SOP state (1, 3, 5, 7, 9) from which the finding matters: it is shown
    once the row is at or is attempting that state. A ``galat`` blocks entering a state ``S``
    that sop.yaml marks ``galat_menahan`` when ``S >= blocks_from``; warnings never block.
    """

    row_id: str
    column: str  # field key, e.g. "nilai"
    level: str  # GALAT or PERINGATAN
    code: str  # machine code, e.g. "nilai_bukan_angka"
    message: str  # Bahasa Indonesia, shown to users
    step: int = 1
    blocks_from: int = 7

    def blocks(self, state_number: int) -> bool:
        return self.level == GALAT and state_number >= self.blocks_from and state_number in load_sop().blockable

    def as_line(self) -> str:
        return f"{self.level.upper()}: {self.message}"
