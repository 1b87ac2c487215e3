"""The chart of an item's series as plain numbers: the template draws it as inline SVG (no script)."""
from __future__ import annotations

from service.publish.items import Item

YEAR_COLOURS = ("#1f6fb2", "#f2a541", "#4caf7a", "#d64545", "#7a5cc2", "#3bb3c3", "#8c6d46", "#a3acb9")
LABEL_W, VALUE_W, BAR_H, GAP = 170, 70, 14, 8


def series_chart(item: Item, width: int = 760) -> dict:
    """Horizontal bars: one group per rincian, one bar per year, scaled to the largest value.
    The kabupaten total is left out when parts are drawn (it would flatten them)."""
    rows = [r for r in item.rows if r.kode_wilayah.count(".") != 1] or list(item.rows)  # "35.20": the total
    years = list(item.years)
    top = max([v for r in rows for v in r.values.values() if v is not None and v > 0] or [1])
    plot = width - LABEL_W - VALUE_W
    group_h = len(years) * BAR_H + GAP
    groups = []
    for i, row in enumerate(rows):
        y0 = 24 + i * group_h
        bars = []
        for j, year in enumerate(years):
            value = row.values.get(year)
            w = 0 if value is None or value <= 0 else round(plot * value / top, 2)
            bars.append({"tahun": year, "nilai": value, "x": LABEL_W, "y": y0 + j * BAR_H, "w": w,
                         "h": BAR_H - 2, "colour": YEAR_COLOURS[j % len(YEAR_COLOURS)],
                         "text_x": LABEL_W + w + 4, "text_y": y0 + j * BAR_H + BAR_H - 4})
        groups.append({"rincian": row.rincian, "label_y": y0 + (len(years) * BAR_H) / 2 + 4, "bars": bars})
    legend = [{"tahun": y, "colour": YEAR_COLOURS[j % len(YEAR_COLOURS)], "x": LABEL_W + j * 70}
              for j, y in enumerate(years)]
    return {"width": width, "height": 24 + len(rows) * group_h, "groups": groups, "legend": legend,
            "total_left_out": len(rows) < len(item.rows)}
