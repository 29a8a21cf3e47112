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
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from perfeval import __version__, textfit
from perfeval.a1 import col_index, col_letter
from perfeval.compute import Computed
from perfeval.config import CONFIG_META_KEY, Config, config_record, recorded_config
from perfeval.layout import Cell, Layout, Role, SheetLayout, VType, merge_bounds
from perfeval.model import Level1
from perfeval.paths import get_path, level1_label
from perfeval.sheets import CALC_SHEET, META_SHEET
from perfeval.textfit import TextBox
from perfeval.xlsx import styles
from perfeval.xlsx.merges import merge_range

DEFAULT_FONT_SIZE = 11.0  # a cell without a font size: the workbook's Calibri 11


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
    """Set a value; text is always stored as text (an indicator like "=100%" must not become a formula).
    Control characters that XML cannot hold (a unit name pasted with ``\x01``) are dropped."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
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
    setup_pr = ws.sheet_properties.pageSetUpPr
    assert setup_pr is not None  # WorksheetProperties always creates one
    setup_pr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_area = f"A1:{sl.last_col}{sl.last_row}"
    if sl.print_title_rows:
        ws.print_title_rows = sl.print_title_rows


def _write_meta(wb: Workbook, layout: Layout, config: Config | None = None) -> None:
    from perfeval import forms

    pack = forms.get(layout.form)
    ws = wb.create_sheet(META_SHEET)
    rows = [
        ("template_id", pack.template_id),
        ("template_version", pack.template_version),
        ("perfeval_version", __version__),
        ("form", layout.form),
        ("year", layout.year),
        ("shape", json.dumps(layout.shape.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)),
    ]
    for i, (k, v) in enumerate(rows, start=1):
        ws.cell(row=i, column=1, value=k)
        ws.cell(row=i, column=2, value=v)
    ws.sheet_state = "hidden"
    if config is not None:
        record_config(wb, config)


def record_config(wb: Workbook, config: Config) -> None:
    """Record the scoring configuration (profile included) in the hidden ``_perfeval`` sheet: later commands and
    the add-in's buttons use it when no ``--profile``/``--config`` is given (:func:`workbook_config`)."""
    if META_SHEET not in wb.sheetnames:
        wb.create_sheet(META_SHEET).sheet_state = "hidden"
    ws = wb[META_SHEET]
    row = next((r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == CONFIG_META_KEY),
               ws.max_row + 1 if ws.cell(row=1, column=1).value is not None else 1)
    ws.cell(row=row, column=1, value=CONFIG_META_KEY)
    ws.cell(row=row, column=2, value=config_record(config))


def workbook_config(wb: Workbook) -> Config | None:
    """The configuration recorded in ``wb`` (None: none recorded, or unusable)."""
    if META_SHEET not in wb.sheetnames:
        return None
    return recorded_config(wb[META_SHEET].iter_rows(max_col=2, values_only=True))


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
        setup_report_print(ws, title_rows="1:1", last_col=col_index(sl.last_col), last_row=sl.last_row)
        ws.sheet_properties.tabColor = "FF9E9E9E"
    return ws


def new_workbook(layout: Layout, config: Config | None = None) -> Workbook:
    """The empty form for ``layout``: every label, style and native formula, no data."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # a new Workbook() has exactly one sheet
    for sl in layout.sheets.values():
        _build_sheet(wb, sl)
    _write_meta(wb, layout, config)
    wb.active = 0
    wb.calculation.fullCalcOnLoad = True
    return wb


def write_report(wb: Workbook, layout: Layout, report: Any) -> None:
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


def sheet_text_boxes(ws: Worksheet) -> list[TextBox]:
    """Every value a sheet shows, as :class:`~perfeval.textfit.TextBox` es: merged range, font size and
    weight, wrapping. Formulas are skipped (their result is not in the file); numbers and dates take one line."""
    spans = {(r.min_row, r.min_col): (r.max_row, r.max_col) for r in ws.merged_cells.ranges}
    boxes = []
    for c in ws._cells.values():
        value = c.value
        if value is None or c.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
            continue
        if isinstance(value, str):
            if not value.strip():
                continue
            text = value
        else:
            text = "0"
        row, col = c.row, c.column
        if row is None or col is None:
            continue
        last_row, last_col = spans.get((row, col), (row, col))
        font = c.font
        size = float(font.sz) if font is not None and font.sz else DEFAULT_FONT_SIZE
        wrap = bool(c.alignment.wrap_text) if c.alignment is not None else False
        boxes.append(TextBox(row, col, last_row, last_col, text, size, bool(font is not None and font.b),
                             wrap and isinstance(value, str)))
    return boxes


def column_widths(ws: Worksheet) -> dict[int, float]:
    """Column index → width in file units for the columns the sheet sizes (hidden columns: 0)."""
    out: dict[int, float] = {}
    for key, dim in ws.column_dimensions.items():
        first = dim.min or col_index(key)
        last = dim.max or first
        for col in range(first, last + 1):
            out[col] = 0.0 if dim.hidden else float(dim.width or textfit.DEFAULT_COLUMN_WIDTH)
    return out


def fit_sheet_rows(ws: Worksheet) -> dict[int, float]:
    """Grow the sheet's rows so every text shows whole (Excel does not auto-fit merged cells, LibreOffice
    does not on opening, openpyxl cannot); rows never shrink. Returns the rows changed and their heights."""
    heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height is not None}
    default_width = ws.sheet_format.defaultColWidth or textfit.DEFAULT_COLUMN_WIDTH
    grow = textfit.fit_rows(sheet_text_boxes(ws), column_widths(ws), heights,
                            default_height=ws.sheet_format.defaultRowHeight or textfit.DEFAULT_ROW_HEIGHT,
                            default_width=default_width)
    for row, height in grow.items():
        ws.row_dimensions[row].height = height
    return grow


def fit_row_heights(wb: Workbook, layout: Layout, sheet_names: Mapping[str, str] | None = None) -> None:
    """Grow the rows of the layout's sheets (official sheets under their names in ``sheet_names``) so
    wrapped text shows in full."""
    for sl in layout.sheets.values():
        name = (sheet_names or {}).get(sl.name, sl.name)
        if name in wb.sheetnames:
            fit_sheet_rows(wb[name])


def setup_report_print(ws: Worksheet, *, title_rows: str | None, last_col: int | None = None,
                       last_row: int | None = None) -> None:
    """Print set-up of a sheet this tool writes for reading (计算结果, 校验结果, 校验摘要): A4, one page
    wide (landscape when the columns need it), the whole used range with the title in the print area,
    ``title_rows`` repeated on each page, page numbers in the footer."""
    last_col = last_col or ws.max_column
    last_row = last_row or ws.max_row
    widths = column_widths(ws)
    default_width = ws.sheet_format.defaultColWidth or textfit.DEFAULT_COLUMN_WIDTH
    used = [widths.get(c, default_width) for c in range(1, last_col + 1)]
    left, right, top, bottom = textfit.REPORT_MARGINS
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # (a write-only sheet lacks the constants)
    ws.page_setup.orientation = textfit.orientation_for(used, left, right)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left, ws.page_margins.right = left, right
    ws.page_margins.top, ws.page_margins.bottom = top, bottom
    ws.page_margins.header = ws.page_margins.footer = textfit.HEADER_FOOTER_MARGIN
    ws.print_options.horizontalCentered = True
    ws.print_area = f"A1:{col_letter(last_col)}{last_row}"
    if title_rows:
        ws.print_title_rows = title_rows
    footer = ws.oddFooter.center if ws.oddFooter is not None else None
    if footer is not None:
        footer.text = textfit.PAGE_FOOTER
        footer.size = 9


def restore_formulas(wb: Workbook, layout: Layout) -> list[str]:
    """Put the native formula back into every derived cell of the official sheets; returns the
    addresses ("sheet!A1") where a typed-over value was replaced."""
    restored = []
    for cell in layout.cells():
        if cell.role != Role.DERIVED or not cell.formula or cell.sheet not in wb.sheetnames:
            continue  # 计算结果 deleted or renamed by the user: rebuild_calc_sheet makes a new one
        ws = wb[cell.sheet]
        current = ws[cell.address]
        if isinstance(current, MergedCell):  # covered by a merge of the unit's (or an old 计算结果 of another
            continue  # shape, which rebuild_calc_sheet replaces): it holds no value, so no formula either
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
        index = max(wb.sheetnames.index(s) for s in layout.official if s in wb.sheetnames) + 1 \
            if any(s in wb.sheetnames for s in layout.official) else None
    if layout.calc is None:
        return
    _build_sheet(wb, layout.calc, index)
    write_computed(wb, layout, computed)
    fit_row_heights(wb, layout)


def write_computed(wb: Workbook, layout: Layout, computed: Computed) -> None:
    """Engine-only values (no native formula): 建议得分, 计分方式, 折算总分 on 计算结果."""
    if layout.calc is None:
        return
    for cell in layout.calc.cells:
        if cell.role == Role.DERIVED and cell.formula is None and cell.calc_key:
            set_cell(wb[CALC_SHEET], cell.address, computed.get(cell.calc_key))


def build_workbook(report: Any, layout: Layout, computed: Computed | None = None,
                   config: Config | None = None) -> Workbook:
    """A new workbook for ``report``; ``config``, when given, is recorded (:func:`record_config`)."""
    wb = new_workbook(layout, config)
    write_report(wb, layout, report)
    if computed is not None:
        write_computed(wb, layout, computed)
    fit_row_heights(wb, layout)
    return wb


__all__ = [
    "build_workbook",
    "col_letter",
    "fit_row_heights",
    "fit_sheet_rows",
    "new_workbook",
    "restore_formulas",
    "set_cell",
    "setup_report_print",
    "write_computed",
    "write_report",
]
