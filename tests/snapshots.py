"""Comparable snapshots of saved workbooks (values, fills, notes) for equality assertions."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook


def snapshot(path: Path) -> dict[str, dict[str, tuple[object, object, object]]]:
    """Every cell's value, fill colour and note text, per sheet (sheet order included)."""
    wb = load_workbook(path)
    out: dict[str, dict[str, tuple[object, object, object]]] = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type == "solid" else None
                note = c.comment.text if c.comment is not None else None
                if c.value is not None or fill or note:
                    cells[c.coordinate] = (c.value, fill, note)
        out[f"{wb.sheetnames.index(ws.title)}:{ws.title}:{ws.sheet_state}"] = cells
    return out
