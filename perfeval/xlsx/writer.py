"""Write reports into workbooks laid out by :mod:`perfeval.layout` (the template generator too).

- :func:`new_workbook` builds the empty form: labels, merged cells, borders, fonts, number formats, input
  cells tinted and unlocked, derived cells locked with live native formulas, A4 portrait print set-up,
  the 计算结果 sheet and a hidden ``_perfeval`` metadata sheet.
- :func:`write_report` puts a report's values in: inputs, 一级/二级 names, and stated values where the
  unit typed over a formula (``None`` keeps the formula).
- :func:`restore_formulas` and :func:`write_computed` are what 计算 does to an existing workbook.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.worksheet.worksheet import Worksheet

from perfeval import TEMPLATE_ID, TEMPLATE_VERSION, __version__
from perfeval.compute import Computed
from perfeval.layout import (
    CALC_SHEET,
    MAX_ROW_HEIGHT,
    META_SHEET,
    OFFICIAL_SHEETS,
    Cell,
    Layout,
    Role,
    SheetLayout,
    VType,
    col_index,
    col_letter,
    height_needed,
    merge_bounds,
)
from perfeval.model import Level1, Report
from perfeval.paths import get_path, level1_label
from perfeval.xlsx import styles
from perfeval.xlsx.merges import merge_range


def _cell_value(cell: Cell, value: Any) -> Any:
    """Model value → what goes into the spreadsheet cell."""
    if value is None:
        return None
    if cell.vtype == VType.LEVEL1 and isinstance(value, Level1):
        return level1_label(value)
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, Decimal | int | dt.date):
        return value
    return str(value)


def set_cell(ws: Worksheet, address: str, value: Any) -> None:
    """Set a value; text is always stored as text (an indicator like "=100%" must not become a formula)."""
    target: XlCell = ws[address]
    target.value = value
    if isinstance(value, str) and value.startswith("="):
        target.data_type = "s"


def set_formula(ws: Worksheet, address: str, formula: str) -> None:
    ws[address].value = formula


def _style_sheet(ws: Worksheet, sl: SheetLayout) -> None:
    for letter, width in sl.columns.items():
        ws.column_dimensions[letter].width = width
    for row, height in sl.row_heights.items():
        ws.row_dimensions[row].height = height
    last_col = col_index(sl.last_col)
    merged: set[tuple[int, int]] = set()
    for row in range(sl.table_top, sl.table_bottom + 1):
        for col in range(1, last_col + 1):
            c = ws.cell(row=row, column=col)
            c.border = styles.BORDER
            c.font = styles.font_for(Cell(sheet=sl.name, address="A1", role=Role.LABEL))
            c.alignment = styles.alignment_for(Cell(sheet=sl.name, address="A1", role=Role.LABEL))
    for cell in sl.cells:
        c = ws[cell.address]
        c.font = styles.font_for(cell)
        c.alignment = styles.alignment_for(cell)
        c.fill = styles.fill_for(cell)
        c.number_format = styles.number_format_for(cell)
        c.protection = styles.protection_for(cell)
        if cell.merge:
            merge_range(ws, cell.merge, merged)  # as ws.merge_cells, in linear time
            # every cell of a merged range gets the fill so that the tint covers the whole range
            first_row, first_col, last_row, last_col_ = merge_bounds(cell)
            for r in range(first_row, last_row + 1):
                for cc in range(first_col, last_col_ + 1):
                    if (r, cc) != (first_row, first_col):
                        ws.cell(row=r, column=cc).fill = styles.fill_for(cell)
    ws.sheet_view.showGridLines = False


def _print_setup(ws: Worksheet, sl: SheetLayout) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_setup.blackAndWhite = True  # the input/derived tints help on screen only
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_area = f"A1:{sl.last_col}{sl.last_row}"
    if sl.print_title_rows:
        ws.print_title_rows = sl.print_title_rows


def _write_meta(wb: Workbook, layout: Layout) -> None:
    ws = wb.create_sheet(META_SHEET)
    rows = [
        ("template_id", TEMPLATE_ID),
        ("template_version", TEMPLATE_VERSION),
        ("perfeval_version", __version__),
        ("year", layout.shape.year),
        ("n_projects", layout.shape.n_projects),
        ("indicator_rows", json.dumps([list(t) for t in layout.shape.indicator_rows])),
    ]
    for i, (k, v) in enumerate(rows, start=1):
        ws.cell(row=i, column=1, value=k)
        ws.cell(row=i, column=2, value=v)
    ws.sheet_state = "hidden"


def _build_sheet(wb: Workbook, sl: SheetLayout, index: int | None = None) -> Worksheet:
    ws = wb.create_sheet(sl.name, index)
    for cell in sl.cells:
        if cell.role == Role.LABEL and cell.text:
            set_cell(ws, cell.address, cell.text)
        elif cell.role == Role.DERIVED and cell.formula:
            set_formula(ws, cell.address, cell.formula)
    _style_sheet(ws, sl)
    if sl.name != CALC_SHEET:
        _print_setup(ws, sl)
    else:
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.tabColor = "FF9E9E9E"
    return ws


def new_workbook(layout: Layout) -> Workbook:
    """The empty form for ``layout``: every label, style and native formula, no data."""
    wb = Workbook()
    wb.remove(wb.active)
    for sl in layout.sheets.values():
        _build_sheet(wb, sl)
    _write_meta(wb, layout)
    wb.active = 0
    wb.calculation.fullCalcOnLoad = True
    return wb


def write_report(wb: Workbook, layout: Layout, report: Report) -> None:
    """Write the report's inputs, structure names and stated (typed-over) values."""
    for cell in layout.cells():
        if cell.path is None or cell.role == Role.LABEL:
            continue
        ws = wb[cell.sheet]
        value = get_path(report, cell.path)
        if cell.role == Role.DERIVED:
            if value is None:
                if cell.formula:
                    set_formula(ws, cell.address, cell.formula)
                continue
        set_cell(ws, cell.address, _cell_value(cell, value))


def fit_row_heights(wb: Workbook, layout: Layout) -> None:
    """Grow rows so wrapped text shows in full (Excel does not auto-fit merged cells)."""
    for sl in layout.sheets.values():
        ws = wb[sl.name]
        need: dict[int, float] = {}
        for cell in sl.cells:
            value = ws[cell.address].value
            if not cell.wrap or not isinstance(value, str) or value.startswith("="):
                continue
            r1, c1, r2, c2 = merge_bounds(cell)
            width = sum(sl.columns.get(col_letter(c), 9.0) for c in range(c1, c2 + 1))
            scale = (cell.size or styles.BODY_SIZE) / styles.BODY_SIZE
            per_row = height_needed(value, width / scale) * scale / (r2 - r1 + 1)
            for r in range(r1, r2 + 1):
                need[r] = max(need.get(r, 0.0), per_row)
        for row, height in need.items():
            base = sl.row_heights.get(row, 15.0)
            if height > base:
                ws.row_dimensions[row].height = round(min(height, MAX_ROW_HEIGHT + 9), 1)


def restore_formulas(wb: Workbook, layout: Layout) -> list[str]:
    """Put the native formula back into every derived cell of the official sheets; returns the
    addresses ("sheet!A1") where a typed-over value was replaced."""
    restored = []
    for cell in layout.cells():
        if cell.role != Role.DERIVED or not cell.formula or cell.sheet not in wb.sheetnames:
            continue  # 计算结果 deleted or renamed by the user: rebuild_calc_sheet makes a new one
        ws = wb[cell.sheet]
        current = ws[cell.address]
        if current.value == cell.formula:
            continue
        if current.value is not None and current.data_type != "f":  # a value typed over the formula
            restored.append(f"{cell.sheet}!{cell.address}")
        set_formula(ws, cell.address, cell.formula)
    return restored


def rebuild_calc_sheet(wb: Workbook, layout: Layout, computed: Computed) -> None:
    """Replace 计算结果 with a fresh one for ``layout`` (its rows follow the indicator rows, which the
    unit may have added), formulas and engine-only values included."""
    index = None
    if CALC_SHEET in wb.sheetnames:
        index = wb.sheetnames.index(CALC_SHEET)
        wb.remove(wb[CALC_SHEET])
    else:
        index = max(wb.sheetnames.index(s) for s in OFFICIAL_SHEETS if s in wb.sheetnames) + 1 \
            if any(s in wb.sheetnames for s in OFFICIAL_SHEETS) else None
    _build_sheet(wb, layout.sheets[CALC_SHEET], index)
    write_computed(wb, layout, computed)
    fit_row_heights(wb, layout)


def write_computed(wb: Workbook, layout: Layout, computed: Computed) -> None:
    """Engine-only values (no native formula): 建议得分, 计分方式, 折算总分 on 计算结果."""
    for cell in layout.sheets[CALC_SHEET].cells:
        if cell.role == Role.DERIVED and cell.formula is None and cell.calc_key:
            set_cell(wb[CALC_SHEET], cell.address, computed.get(cell.calc_key))


def build_workbook(report: Report, layout: Layout, computed: Computed | None = None) -> Workbook:
    wb = new_workbook(layout)
    write_report(wb, layout, report)
    if computed is not None:
        write_computed(wb, layout, computed)
    fit_row_heights(wb, layout)
    return wb


__all__ = [
    "build_workbook",
    "col_letter",
    "new_workbook",
    "restore_formulas",
    "set_cell",
    "write_computed",
    "write_report",
]
