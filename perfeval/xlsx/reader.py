"""openpyxl adapter of :mod:`perfeval.reading`: read an .xlsx file into the report model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet

from perfeval.reading import ReadIssue, ReadResult, StructureError, read_grid
from perfeval.xlsx.io import open_workbook

__all__ = ["ReadIssue", "ReadResult", "StructureError", "read_workbook", "read_workbook_obj"]


class _Sheet:
    def __init__(self, ws: Worksheet, book: _Book) -> None:
        self.ws = ws
        self.book = book
        self.title = ws.title
        self.max_row = ws.max_row
        self.visible = ws.sheet_state == "visible"

    def value(self, address: str) -> Any:
        return self.ws[address].value

    def at(self, row: int, col: int) -> Any:
        return self.ws.cell(row=row, column=col).value

    def is_formula(self, address: str) -> bool:
        # text such as "=100%" is stored as text, not a formula; an array formula is an object of its own
        cell = self.ws[address]
        return cell.data_type == "f" or isinstance(cell.value, ArrayFormula | DataTableFormula)

    def number_format(self, address: str) -> str:
        return str(self.ws[address].number_format or "")

    def cached(self, address: str) -> Any:
        return self.book.cached(self.title, address)


class _Book:
    def __init__(self, wb: Workbook, path: Path | None) -> None:
        self.wb = wb
        self.path = path
        self.sheetnames = wb.sheetnames
        self._sheets = {ws.title: _Sheet(ws, self) for ws in wb.worksheets}
        self._cached: Workbook | None = None

    def __getitem__(self, name: str) -> _Sheet:
        return self._sheets[name]

    def cached(self, sheet: str, address: str) -> Any:
        """Excel's last computed value of a formula (loaded lazily: only when an input holds one)."""
        if self.path is None:
            return None
        if self._cached is None:
            self._cached = open_workbook(self.path, data_only=True)
        if sheet not in self._cached.sheetnames:
            return None
        return self._cached[sheet][address].value


def read_workbook_obj(wb: Workbook, path: Path | None = None) -> ReadResult:
    return read_grid(_Book(wb, path))


def read_workbook(path: Path) -> ReadResult:
    """Read ``path``; raises :class:`~perfeval.xlsx.io.WorkbookError` or :class:`StructureError`."""
    return read_workbook_obj(open_workbook(path), path)
