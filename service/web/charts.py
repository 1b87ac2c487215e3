"""Pictures for the dashboard as plain numbers: the templates draw them as inline SVG.

Nothing here writes markup, so Jinja's autoescape stays in charge of every label.
"""
from __future__ import annotations

from rules.sop import load_sop

# Fill colour and the text colour that reads on it, per SOP state (least to most advanced).
STATE_COLOURS: dict[str, tuple[str, str]] = {  # from rules/sop.yaml: the sheet uses the same palette
    s.code: (s.colour, s.text_colour) for s in load_sop().for_display()}
OTHER_COLOUR = ("#cccccc", "#1b2330")


def colour(code: str) -> str:
    return STATE_COLOURS.get(code, OTHER_COLOUR)[0]


def text_colour(code: str) -> str:
    return STATE_COLOURS.get(code, OTHER_COLOUR)[1]


def legend() -> list[dict]:
    """Every state in SOP order with its label and colour."""
    return [{"code": s.code, "label": s.label, "color": colour(s.code), "text": text_colour(s.code)}
            for s in load_sop().for_display()]


def stacked_bar(counts: dict[str, int], width: float = 240, height: float = 18) -> dict:
    """Segments of one horizontal bar: rows per state code, in SOP order, laid end to end."""
    sop = load_sop()
    total = sum(n for n in counts.values() if n > 0)
    segments, done = [], 0
    for state in sop.for_display():
        n = counts.get(state.code, 0)
        if n <= 0:
            continue
        x = round(width * done / total, 2)
        done += n
        segments.append({"code": state.code, "label": state.label, "count": n, "color": colour(state.code),
                         "x": x, "w": round(width * done / total, 2) - x,
                         "percent": round(100 * n / total, 1)})
    return {"width": width, "height": height, "total": total, "segments": segments}


def column_chart(values: list[float], limit: float | None = None, width: float = 1000, height: float = 120,
                 labels: list[str] | None = None) -> dict:
    """Vertical bars (oldest first) scaled to the larger of the highest value and ``limit``;
    ``limit_y`` is where a horizontal line for the limit goes (None without one)."""
    top = max([*values, limit or 0, 1])
    step = width / max(len(values), 1)
    bars = []
    for i, value in enumerate(values):
        h = round(height * value / top, 2)
        bars.append({"x": round(i * step + step * 0.15, 2), "w": round(step * 0.7, 2), "y": round(height - h, 2),
                     "h": h, "value": value, "label": (labels or [""] * len(values))[i],
                     "over": limit is not None and value > limit})
    limit_y = None if limit is None else round(height - height * limit / top, 2)
    return {"width": width, "height": height, "bars": bars, "limit": limit, "limit_y": limit_y, "top": top}
