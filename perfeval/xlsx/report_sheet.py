"""The 报告核对 sheet with openpyxl (rows planned by :func:`perfeval.report.check.report_rows`)."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from perfeval.a1 import col_letter
from perfeval.findings import SEVERITY_LABELS, Finding
from perfeval.flagging import SEVERITY_FILLS
from perfeval.report.check import (
    REPORT_FIRST_ROW,
    REPORT_HEADER,
    REPORT_WIDTHS,
    read_report_explanations,
    report_rows,
)
from perfeval.sheets import REPORT_SHEET, RESULTS_SHEET
from perfeval.xlsx.writer import fit_sheet_rows, setup_report_print

_THIN = Side(style="thin", color="FF000000")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTERED = (1, 2, 3)


def previous_explanations(wb: Workbook) -> dict[tuple[str, str], str]:
    ws = wb[REPORT_SHEET] if REPORT_SHEET in wb.sheetnames else None
    if not isinstance(ws, Worksheet):
        return {}
    return read_report_explanations(ws.iter_rows(max_col=len(REPORT_HEADER), values_only=True))


def write_report_sheet(wb: Workbook, findings: Sequence[Finding], doc_name: str,
                       sheet_names: dict[str, str] | None = None) -> Worksheet:
    """(Re)write 报告核对 after 校验结果 (or at the end), keeping the 说明 typed in the previous one."""
    explanations = previous_explanations(wb)
    index = None
    if REPORT_SHEET in wb.sheetnames:
        index = wb.sheetnames.index(REPORT_SHEET)
        wb.remove(wb[REPORT_SHEET])
    elif RESULTS_SHEET in wb.sheetnames:
        index = wb.sheetnames.index(RESULTS_SHEET) + 1
    ws = wb.create_sheet(REPORT_SHEET, index)
    for row in report_rows(findings, doc_name, sheet_names, explanations):
        ws.append(row)
    ncol = len(REPORT_HEADER)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws["A1"].font = Font(name="宋体", size=12, bold=True)
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="center", horizontal="left")
    labels = {v: k for k, v in SEVERITY_LABELS.items()}
    for i, width in enumerate(REPORT_WIDTHS, start=1):
        ws.column_dimensions[col_letter(i)].width = width
        c = ws.cell(row=2, column=i)
        c.font = Font(name="宋体", size=10, bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        c.border = _GRID
    for row in ws.iter_rows(min_row=REPORT_FIRST_ROW, max_col=ncol):
        for c in row:
            c.font = Font(name="宋体", size=10)
            c.alignment = Alignment(wrap_text=True, vertical="top",
                                    horizontal="center" if c.column in _CENTERED else "left")
            c.border = _GRID
        severity = labels.get(str(row[2].value))
        if severity is not None:
            code = SEVERITY_FILLS[severity]
            row[2].fill = PatternFill(fill_type="solid", fgColor=code, bgColor=code)
        row[5].font = Font(name="宋体", size=10, color="FF0563C1", underline="single")
        row[7].fill = PatternFill(fill_type="solid", fgColor="FFFFF2CC", bgColor="FFFFF2CC")
    ws.freeze_panes = "A3"
    fit_sheet_rows(ws)
    setup_report_print(ws, title_rows="2:2", last_col=ncol, last_row=max(ws.max_row, REPORT_FIRST_ROW))
    return ws


__all__ = ["write_report_sheet"]
