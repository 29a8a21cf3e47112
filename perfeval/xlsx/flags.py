"""Apply a :class:`~perfeval.flagging.FlagPlan` with openpyxl: fills, notes (批注), 校验结果 sheet.

This module translates; :mod:`perfeval.flagging` decides. Used by ``perfeval validate -o`` and ``clear``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.colors import Color
from openpyxl.worksheet.worksheet import Worksheet

from perfeval.a1 import col_letter
from perfeval.findings import SEVERITY_LABELS, FindingReport
from perfeval.flagging import (
    NOTE_AUTHOR,
    RESULTS_FIRST_ROW,
    RESULTS_HEADER,
    RESULTS_WIDTHS,
    SEVERITY_FILLS,
    STATE_HEADER,
    CellOriginal,
    FlagPlan,
    plan_flags,
    read_explanations,
    read_state,
    strip_our_note,
    valid_fill_code,
)
from perfeval.sheets import AUXILIARY_SHEETS, REPORT_SHEET, RESULTS_SHEET, STATE_SHEET
from perfeval.xlsx.writer import fit_sheet_rows, setup_report_print

NOTE_WIDTH, NOTE_HEIGHT = 360, 180


def _fill_code(fill: PatternFill) -> str | None:
    if fill is None or fill.fill_type != "solid":
        return None
    color: Color = fill.fgColor
    if color.type == "rgb" and isinstance(color.rgb, str):
        return color.rgb
    if color.type == "theme":
        return f"theme:{color.theme}:{color.tint}"
    if color.type == "indexed":
        return f"indexed:{color.indexed}"
    return None


def _fill_from_code(code: str | None) -> PatternFill:
    """The fill a state code stands for; no fill for anything that is not a valid code."""
    if not code or not valid_fill_code(code):
        return PatternFill(fill_type=None)
    try:
        if code.startswith("theme:"):
            _, theme, tint = code.split(":")
            color = Color(theme=int(theme), tint=float(tint))
        elif code.startswith("indexed:"):
            color = Color(indexed=int(code.split(":")[1]))
        else:
            color = Color(rgb=code.lstrip("#").upper().rjust(8, "F"))
    except (TypeError, ValueError):
        return PatternFill(fill_type=None)
    return PatternFill(fill_type="solid", fgColor=color, bgColor=color)


def _note(text: str | None, author: str = NOTE_AUTHOR) -> Comment | None:
    if text is None:
        return None
    comment = Comment(text, author)
    comment.width, comment.height = NOTE_WIDTH, NOTE_HEIGHT
    return comment


def _rows(wb: Workbook, name: str, width: int) -> list[tuple[object, ...]]:
    """The values of one of this tool's sheets, its first ``width`` columns (a hand-edited sheet may
    reach any column); nothing when the sheet is missing or not a worksheet."""
    ws = wb[name] if name in wb.sheetnames else None
    if not isinstance(ws, Worksheet):
        return []
    return list(ws.iter_rows(max_col=width, values_only=True))


def _worksheet(wb: Workbook, name: str) -> Worksheet | None:
    ws = wb[name] if name in wb.sheetnames else None
    return ws if isinstance(ws, Worksheet) else None


def _set_note(c: Any, comment: Comment | None) -> None:
    """A cell inside a merged range holds no note (Excel shows the range's first cell)."""
    if not isinstance(c, MergedCell):
        c.comment = comment


def _restore(wb: Workbook, originals: Sequence[CellOriginal]) -> None:
    for o in originals:
        ws = _worksheet(wb, o.sheet)
        if ws is None:
            continue
        c = ws[o.cell]
        c.fill = _fill_from_code(o.fill)
        if not o.note_unknown:
            _set_note(c, _note(o.note, author="") if o.note else None)


def _current(wb: Workbook, sheet: str, cell: str) -> CellOriginal:
    ws = _worksheet(wb, sheet)
    if ws is None:
        return CellOriginal(sheet, cell, None, None)
    c = ws[cell]
    comment = getattr(c, "comment", None)
    note = strip_our_note(comment.text) if comment is not None else None
    return CellOriginal(sheet, cell, _fill_code(c.fill), note)


def _replace_sheet(wb: Workbook, name: str, index: int | None = None) -> Worksheet:
    if name in wb.sheetnames:
        old = wb[name]
        index = wb.sheetnames.index(name) if index is None else index
        wb.remove(old)
    return wb.create_sheet(name, index)


RESULTS_TITLE_SIZE, RESULTS_BODY_SIZE = 12, 10
_THIN = Side(style="thin", color="FF000000")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTERED_COLUMNS = (1, 2, 3, 5)  # 序号, 代码, 级别, 单元格


def _write_results(wb: Workbook, plan: FlagPlan, index: int | None) -> None:
    ws = _replace_sheet(wb, RESULTS_SHEET, index)
    for row in plan.results:
        ws.append(row)
    ncol = len(RESULTS_WIDTHS)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws["A1"].font = Font(name="宋体", size=RESULTS_TITLE_SIZE, bold=True)
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="center", horizontal="left")
    for i, width in enumerate(RESULTS_WIDTHS, start=1):
        ws.column_dimensions[col_letter(i)].width = width
        c = ws.cell(row=2, column=i)
        c.font = Font(name="宋体", size=RESULTS_BODY_SIZE, bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        c.border = _GRID
    labels = {v: k for k, v in SEVERITY_LABELS.items()}
    for row in ws.iter_rows(min_row=3, max_col=ncol):
        for c in row:
            c.font = Font(name="宋体", size=RESULTS_BODY_SIZE)
            horizontal = "center" if c.column in _CENTERED_COLUMNS else "left"
            c.alignment = Alignment(wrap_text=True, vertical="top", horizontal=horizontal)
            c.border = _GRID
        severity = labels.get(str(row[2].value))
        if severity is not None:
            row[2].fill = _fill_from_code(SEVERITY_FILLS[severity])
        row[4].font = Font(name="宋体", size=RESULTS_BODY_SIZE, color="FF0563C1", underline="single")
        row[8].fill = _fill_from_code("FFFFF2CC")  # the accountant types here
    ws.freeze_panes = "A3"
    fit_sheet_rows(ws)
    setup_report_print(ws, title_rows="2:2", last_col=ncol, last_row=max(ws.max_row, RESULTS_FIRST_ROW))


def _write_state(wb: Workbook, plan: FlagPlan) -> None:
    ws = _replace_sheet(wb, STATE_SHEET)
    for row in plan.state:
        ws.append(row)
    ws.sheet_state = "hidden"


def flag_workbook(wb: Workbook, findings: FindingReport, *, ruleset_version: str,
                  sheet_names: dict[str, str] | None = None) -> FlagPlan:
    """Flag ``findings`` in place (idempotent: the previous run's flags are undone first)."""
    previous = read_state(_rows(wb, STATE_SHEET, len(STATE_HEADER)))
    explanations = read_explanations(_rows(wb, RESULTS_SHEET, len(RESULTS_HEADER)))
    _restore(wb, previous)
    plan = plan_flags(findings.findings, previous, explanations, lambda s, c: _current(wb, s, c),
                      ruleset_version=ruleset_version, sheet_names=sheet_names)
    for flag in plan.flags:
        c = wb[flag.sheet][flag.cell]
        c.fill = _fill_from_code(flag.fill)
        if flag.note is not None:
            _set_note(c, _note(flag.note))
    if RESULTS_SHEET in wb.sheetnames:
        index = wb.sheetnames.index(RESULTS_SHEET)
    else:  # right after the official sheets, where the accountant looks
        official = [actual for name, actual in (sheet_names or {}).items() if name not in AUXILIARY_SHEETS]
        present = [wb.sheetnames.index(s) for s in official if s in wb.sheetnames]
        index = max(present) + 1 if present else None
    _write_results(wb, plan, index)
    _write_state(wb, plan)
    return plan


def clear_workbook(wb: Workbook) -> int:
    """Remove every flag this tool added (fills, notes, 校验结果, state) and nothing else. Records of a
    hand-edited state sheet that name no valid cell or colour are ignored."""
    previous = read_state(_rows(wb, STATE_SHEET, len(STATE_HEADER)))
    _restore(wb, previous)
    for name in (RESULTS_SHEET, REPORT_SHEET, STATE_SHEET):
        if name in wb.sheetnames:
            wb.remove(wb[name])
    return len(previous)


def explanations_of(wb: Workbook) -> dict[tuple[str, str, str], str]:
    return read_explanations(_rows(wb, RESULTS_SHEET, len(RESULTS_HEADER)))
