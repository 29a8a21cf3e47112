"""Merged cells in linear time, with exactly the result of openpyxl 3.1.

Two costs of openpyxl grow with the number of merged ranges (附件1-1 merges three column pairs on every
project row, so a report with 5,000 projects has 15,000 of them):

- ``Worksheet.merge_cells`` compares each new range with every range already merged (``MultiCellRange.add``
  is O(n), the whole sheet O(n²): 91 % of ``perfeval new --projects 100000``). :func:`merge_range` keeps the
  cells already merged in a set instead.
- ``MergedCellRange`` copies the borders of the top-left cell onto the edges of the range and its protection
  onto every cell (on ``merge_cells`` and again for every merged range of every loaded file). Each copy builds
  a ``Border``, hashes it and looks it up in the workbook's style list: about 0.1 ms per cell, three quarters
  of a bare ``load_workbook`` of a large form. The result depends only on the style ids involved, so
  :class:`_Memo` computes each distinct combination once with openpyxl's own code and then sets the ids.

:func:`fast_merged_ranges` installs the memoised methods for the duration of a ``load_workbook``. Both
paths give the same cells, the same style ids and the same saved bytes as openpyxl (tested).
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from openpyxl.cell.cell import MergedCell
from openpyxl.styles.borders import Border
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

_SIDES = ("top", "left", "right", "bottom")
_ORIGINAL_GET_BORDERS = MergedCellRange.__dict__["_get_borders"]
_ORIGINAL_FORMAT = MergedCellRange.format


class _Memo:
    """Style-id results of one workbook's style lists: (what, ids…) → resulting id. The lists only grow, so
    a result stays valid; a workbook given new lists gets a new memo."""

    def __init__(self, lists: tuple[int, int]) -> None:
        self.lists = lists
        self.ids: dict[tuple[Any, ...], int] = {}
        self.plans: dict[int, list[tuple[str, Border]]] = {}


_MEMOS: weakref.WeakKeyDictionary[Any, _Memo] = weakref.WeakKeyDictionary()


def _memo(ws: Worksheet) -> _Memo:
    wb: Any = ws.parent
    lists = (id(wb._borders), id(wb._protections))
    memo = _MEMOS.get(wb)
    if memo is None or memo.lists != lists:
        memo = _MEMOS[wb] = _Memo(lists)
    return memo


def _cell(ws: Worksheet, coord: tuple[int, int]) -> Any:
    cells = ws._cells  # pyright: ignore[reportPrivateUsage]
    cell = cells.get(coord)
    if cell is None:
        cell = MergedCell(ws, row=coord[0], column=coord[1])
        cells[coord] = cell
    return cell


def _style(cell: Any) -> StyleArray:
    """The cell's style ids, created as openpyxl's style descriptors create them on first use."""
    if cell._style is None:
        cell._style = StyleArray()
    return cell._style


def _get_borders(self: MergedCellRange) -> None:
    """``MergedCellRange._get_borders``: the top-left cell takes the bottom/right borders of the
    bottom-right cell."""
    ws = self.ws
    cells = ws._cells  # pyright: ignore[reportPrivateUsage]
    start = cells.get((self.min_row, self.min_col))
    if start is None:
        start = ws.cell(row=self.min_row, column=self.min_col)
    self.start_cell = start
    end = cells.get((self.max_row, self.max_col))
    if end is None:
        return
    memo = _memo(ws)
    key = ("corner", _style(start).borderId, _style(end).borderId)
    known = memo.ids.get(key)
    if known is None:
        start.border += Border(right=end.border.right, bottom=end.border.bottom)
        memo.ids[key] = _style(start).borderId
    else:
        _style(start).borderId = known


def _format(self: MergedCellRange) -> None:
    """``MergedCellRange.format``: edge borders and protection of the top-left cell onto the range."""
    ws = self.ws
    start = self.start_cell
    memo = _memo(ws)
    start_border = _style(start).borderId
    plan = memo.plans.get(start_border)
    if plan is None:
        plan = []
        for name in _SIDES:
            side = getattr(start.border, name)
            if side and side.style is None:
                continue  # as openpyxl: nothing to copy
            plan.append((name, Border(**{name: side})))
        memo.plans[start_border] = plan
    for name, border in plan:
        for coord in getattr(self, name):
            cell = _cell(ws, coord)
            key = ("edge", start_border, name, _style(cell).borderId)
            known = memo.ids.get(key)
            if known is None:
                cell.border += border
                memo.ids[key] = _style(cell).borderId
            else:
                _style(cell).borderId = known
    key = ("protection", _style(start).protectionId)
    protection = memo.ids.get(key)
    for coord in self.cells:
        cell = _cell(ws, coord)
        if protection is None:
            cell.protection = copy.copy(start.protection)
            protection = memo.ids[key] = _style(cell).protectionId
        else:
            _style(cell).protectionId = protection


@contextmanager
def fast_merged_ranges() -> Iterator[None]:
    """Use the memoised border/protection copies (e.g. around ``load_workbook``)."""
    MergedCellRange._get_borders = _get_borders  # type: ignore[method-assign]
    MergedCellRange.format = _format  # type: ignore[method-assign]
    try:
        yield
    finally:
        MergedCellRange._get_borders = _ORIGINAL_GET_BORDERS  # type: ignore[method-assign]
        MergedCellRange.format = _ORIGINAL_FORMAT  # type: ignore[method-assign]


def merge_range(ws: Worksheet, coord: str, covered: set[tuple[int, int]]) -> None:
    """``ws.merge_cells(coord)`` in time proportional to the range's own cells.

    ``covered`` holds the cells merged so far on this sheet (kept by the caller, empty for a new sheet); a
    range overlapping one of them is a layout defect and raises ``ValueError`` (openpyxl would silently
    drop a range inside another one). Otherwise this does what ``merge_cells`` does in openpyxl 3.1, in the
    same order: the range joins the sheet's set of merged ranges, the top-left cell takes the bottom-right
    cell's borders, every other cell becomes a ``MergedCell`` placeholder with the edge borders and the
    protection of the top-left cell.
    """
    mcr = MergedCellRange.__new__(MergedCellRange)
    mcr.ws = ws
    super(MergedCellRange, mcr).__init__(range_string=coord)
    cells = list(mcr.cells)
    if any(rc in covered for rc in cells):
        raise ValueError(f"merged range {coord} overlaps another merged range of sheet {ws.title!r}")
    covered.update(cells)
    _get_borders(mcr)
    ws.merged_cells.ranges.add(mcr)
    for row, col in cells[1:]:
        ws._cells[row, col] = MergedCell(ws, row, col)  # pyright: ignore[reportPrivateUsage]
    _format(mcr)
