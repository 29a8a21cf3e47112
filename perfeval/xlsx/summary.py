"""The 汇总 workbook of ``perfeval collect``: the receiver's overview of a batch of submitted 定稿.

Sheets (names declared once below): 汇总 (one row per scored table of each submission: a department 定稿 one
row, a project-form 定稿 one row per project; a file that could not be read one row saying why), 问题清单 (every
finding with the unit's 说明), 未报送 (with an expected list), 重复报送 (the superseded submissions), 复核 (the
reviewer's sheet: 自评得分, empty 复核得分, 偏差 as a native formula), 统计 (small tables and native charts) and,
when files were skipped, 跳过的文件.

Every table sheet: header row 1 (bold, tinted), frozen, with an autofilter over the table, repeated on each
printed page; A4 landscape, one page wide; column widths from :mod:`perfeval.textfit` (the project's one text
measure), rows grown for wrapped text. The data comes from :mod:`perfeval.receiving`; this module only lays it out.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.chart import BarChart, Reference, ScatterChart
from openpyxl.chart.series_factory import SeriesFactory as Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from perfeval import textfit
from perfeval.a1 import col_letter
from perfeval.findings import SEVERITY_LABELS, Severity
from perfeval.flagging import SEVERITY_FILLS
from perfeval.names import project_key
from perfeval.receiving import (
    CollectResult,
    FileStatus,
    ScoreEntry,
    Submission,
    SubmittedFinding,
    unexpected_units,
)
from perfeval.xlsx import styles
from perfeval.xlsx.io import save_atomic
from perfeval.xlsx.writer import setup_report_print

# --------------------------------------------------------------------------- names and constants

SUMMARY_SHEET = "汇总"
FINDINGS_SHEET = "问题清单"
MISSING_SHEET = "未报送"
DUPLICATES_SHEET = "重复报送"
REVIEW_SHEET = "复核"
STATS_SHEET = "统计"
SKIPPED_SHEET = "跳过的文件"

#: 表种 as the 汇总 shows it (short); another form shows its own title
FORM_SHORT = {"department": "部门整体", "project": "项目支出"}

GRADES = ("优", "良", "中", "差")
NO_GRADE = "无总分"
#: 执行率 buckets of the 统计 sheet: lower edges (fractions), each bucket [edge, next edge)
EXECUTION_EDGES = (Decimal("0.6"), Decimal("0.8"), Decimal("0.9"), Decimal("1"))
NO_RATE = "无执行率"
NO_POINTS = "没有同时有全年预算数和总分的自评表"
POINT_COLOUR = "4472C4"  # the scatter chart's points (Office blue, as the bars)

NOTE_AUTHOR = "绩效自评助手"
FINGERPRINT_SHOWN = 16  # hex digits of the fingerprint shown in the cell (the whole one is in the cell's note)

BODY_FONT, BODY_SIZE = "宋体", 10.0
HEADER_FILL = PatternFill("solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
ERROR_FILL = PatternFill("solid", start_color=SEVERITY_FILLS[Severity.ERROR], end_color=SEVERITY_FILLS[Severity.ERROR])
WARNING_FILL = PatternFill("solid", start_color=SEVERITY_FILLS[Severity.WARNING],
                           end_color=SEVERITY_FILLS[Severity.WARNING])
SEVERITY_CELL_FILLS = {s: PatternFill("solid", start_color=c, end_color=c) for s, c in SEVERITY_FILLS.items()}
LINK_FONT = Font(name=BODY_FONT, size=BODY_SIZE, color="FF0563C1", underline="single")
_THIN = Side(style="thin", color="FFBFBFBF")
GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

FILTER_BUTTON_UNITS = 2.2  # room the autofilter's drop-down button takes in a header cell
AMOUNT_FORMAT, RATE_FORMAT, SCORE_FORMAT = "#,##0.00", "0.00%", "0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm"

# --------------------------------------------------------------------------- table machinery
#
# The workbook is written in openpyxl's write-only mode: each sheet is planned first (one pass over its rows:
# how many, the column widths, the print set-up), then streamed row by row (a second pass builds each row's cells
# and its height, writes them and lets them go), so that memory does not grow with the number of rows.


@dataclass(frozen=True)
class Col:
    """A column of a table sheet: header, value kind (number format, alignment) and width limits."""

    header: str
    kind: str = "text"  # text / long (wraps) / int / count / score / amount / rate / time / code
    max_width: float = 40.0
    min_width: float = 4.0
    typed: bool = False  # the reviewer types here: tinted and unlocked (the data rows)


@dataclass(frozen=True)
class Link:
    """A cell showing ``text`` that links to ``target``."""

    text: str
    target: str


@dataclass(frozen=True)
class Formula:
    """A native formula (``=…``) in a table cell: shown in its column's look, no say in the column's width."""

    text: str


@dataclass
class Row:
    values: list[Any]
    fill: PatternFill | None = None
    cell_fills: dict[int, PatternFill] = field(default_factory=dict)  # 0-based column → fill
    notes: dict[int, str] = field(default_factory=dict)  # 0-based column → note text
    spill: bool = False  # a one-line message (empty state): no wrapping, no say in the column widths


_FORMATS = {"score": SCORE_FORMAT, "amount": AMOUNT_FORMAT, "rate": RATE_FORMAT, "time": TIME_FORMAT,
            "int": "0", "count": "0"}
_CENTERED = ("int", "count", "code")


def _font(bold: bool = False) -> Font:
    return Font(name=BODY_FONT, size=BODY_SIZE, bold=bold)


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)[: 32_767]


def _shown(value: Any, kind: str) -> str:
    """The text a cell shows (what the column width is fitted to)."""
    if value is None or isinstance(value, Formula):
        return ""
    if isinstance(value, Link):
        return value.text
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
        if kind == "rate":
            return f"{number * 100:,.2f}%"
        if kind in ("amount",):
            return f"{number:,.2f}"
        if kind == "score":
            return f"{number:.2f}"
        return str(value)
    return str(value)


@functools.lru_cache(maxsize=65_536)
def _units(text: str, bold: bool = False, size: float = BODY_SIZE) -> float:
    """Column width (file units) that shows ``text``'s longest line on one line."""
    longest = max((textfit.text_em(line, bold) for line in text.split("\n")), default=0.0)
    return longest * size / textfit.PT_PER_UNIT + textfit.PADDING_UNITS + 0.4


def _header_width(header: str) -> float:
    """Width a header needs beside the filter button: a short header (up to four characters) on one line,
    a longer one may wrap to two lines."""
    shown = header if len(header) <= 4 else header[: (len(header) + 1) // 2]
    return _units(shown, bold=True) + FILTER_BUTTON_UNITS


def _kind(value: Any, col: Col) -> str:
    if isinstance(value, Link):
        return "link"  # one line: LibreOffice does not wrap a hyperlink's text
    return col.kind if not (isinstance(value, str) and col.kind not in ("text", "long", "code")) else "text"


def _row_height(cells: Sequence[tuple[str, float]], bold: bool = False) -> float | None:
    """The height a row needs for its texts that wrap (``(text, usable column width)``), or ``None`` when every
    text fits on one line (textfit's measure, in quarter points, at most Excel's limit)."""
    need: float | None = None
    for text, width in cells:
        if "\n" not in text and _units(text, bold) <= width:
            continue  # one line
        h = textfit.height_for_lines(textfit.lines_needed(text, width, BODY_SIZE, bold), BODY_SIZE)
        need = h if need is None or h > need else need
    return None if need is None else min(textfit.EXCEL_MAX_ROW_HEIGHT, math.ceil(need * 4 - 1e-6) / 4)


class _Looks:
    """The workbook's cell styles, each built once (on a scratch cell) and shared by every cell of that look."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws  # any sheet of the workbook: styles are indexed per workbook
        self._cache: dict[tuple[Any, ...], StyleArray] = {}

    def get(self, key: tuple[Any, ...], make: Callable[[Cell], None]) -> StyleArray:
        look = self._cache.get(key)
        if look is None:
            scratch = WriteOnlyCell(self.ws)
            make(scratch)
            look = self._cache[key] = scratch._style
        return look

    def cell(self, ws: Any, value: Any, key: tuple[Any, ...], make: Callable[[Cell], None]) -> Cell:
        """A cell of ``ws`` holding ``value`` in the look ``key`` (built by ``make`` the first time)."""
        c = WriteOnlyCell(ws, value)
        c._style = self.get(key, make)
        return c

    def table(self, kind: str, wrap: bool, fill: PatternFill | None, typed: bool) -> StyleArray:
        def make(c: Cell) -> None:
            c.font = LINK_FONT if kind == "link" else _font()
            if kind in _FORMATS:
                c.number_format = _FORMATS[kind]
            c.border = GRID
            horizontal = "center" if kind in _CENTERED else ("right" if kind in _FORMATS else "left")
            c.alignment = Alignment(horizontal=horizontal, vertical="top", wrap_text=wrap)
            if fill is not None:
                c.fill = fill
            if typed:
                c.fill = styles.INPUT_FILL
                c.protection = styles.UNLOCKED

        return self.get(("table", kind, wrap, id(fill), typed), make)

    def header(self) -> StyleArray:
        def make(c: Cell) -> None:
            c.font = _font(bold=True)
            c.fill = HEADER_FILL
            c.border = GRID
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

        return self.get(("header",), make)


#: a planned row: 1-based row number, 1-based column → cell, the row's height (``None``: the default)
_Line = tuple[int, dict[int, Cell], float | None]


@dataclass
class _Table:
    """A table of a sheet: header row at ``first_row``, one row per item of ``rows()`` (called once to plan, once
    to write: the rows are not kept), or one line saying ``empty_text``."""

    cols: Sequence[Col]
    rows: Callable[[], Iterable[Row]]
    empty_text: str
    first_row: int = 1
    first_col: int = 1
    count: int = 0  # data rows (planned)
    widths: list[float] = field(default_factory=list)  # planned column widths (file units, rounded)

    @property
    def last_row(self) -> int:
        return self.first_row + max(1, self.count)

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.cols) - 1

    def _items(self) -> Iterator[Row]:
        empty = True
        for row in self.rows():
            empty = False
            yield row
        if empty:
            yield Row([self.empty_text] + [None] * (len(self.cols) - 1), spill=True)

    def plan(self, shared: dict[int, float] | None = None) -> None:
        """Count the rows and fit the column widths to the shown texts (up to each column's cap). ``shared``: the
        widths of the columns other tables on the sheet need (read and updated)."""
        cols = self.cols
        widths = [max(col.min_width, _header_width(col.header)) for col in cols]
        count = 0
        for row in self.rows():
            count += 1
            if row.spill:
                continue
            values = row.values
            for j, col in enumerate(cols):
                value = values[j] if j < len(values) else None
                kind = _kind(value, col)
                need = _units(_shown(value, kind))
                wrap = kind in ("text", "long")
                widths[j] = max(widths[j], min(need, col.max_width) if wrap or kind == "link" else need)
        for j, width in enumerate(widths):
            if shared is not None:  # columns shared with the tables above (统计)
                width = shared[self.first_col + j] = max(width, shared.get(self.first_col + j, 0.0))
            widths[j] = round(width, 2)
        self.count, self.widths = count, widths

    def lines(self, ws: Any, looks: _Looks) -> Iterator[_Line]:
        """The header and the rows as cells, each row with the height its wrapped texts need."""
        cols, widths, first_col = self.cols, self.widths, self.first_col
        header_look = looks.header()
        header: dict[int, Cell] = {}
        for j, col in enumerate(cols):
            c = WriteOnlyCell(ws, col.header)
            c._style = header_look
            header[first_col + j] = c
        yield self.first_row, header, _row_height(
            [(col.header, widths[j] - FILTER_BUTTON_UNITS) for j, col in enumerate(cols)], bold=True)
        r = self.first_row
        for row in self._items():
            r += 1
            cells: dict[int, Cell] = {}
            wrapped: list[tuple[str, float]] = []
            values = row.values
            for j, col in enumerate(cols):
                value = values[j] if j < len(values) else None
                kind = _kind(value, col)
                c = WriteOnlyCell(ws)
                if isinstance(value, Link):
                    c.value = _clean(value.text)
                    c.hyperlink = value.target
                elif isinstance(value, Formula):
                    c.value = value.text
                elif isinstance(value, str):
                    c.value = _clean(value) if value else None
                else:
                    c.value = value
                wrap = kind in ("text", "long") and not row.spill
                c._style = looks.table(kind, wrap, row.cell_fills.get(j, row.fill), col.typed and not row.spill)
                if j in row.notes:
                    note = Comment(row.notes[j], NOTE_AUTHOR)
                    note.width, note.height = 360, 30
                    c.comment = note
                cells[first_col + j] = c
                if wrap:
                    shown = _shown(value, kind)
                    if shown:
                        wrapped.append((shown, widths[j]))
            yield r, cells, _row_height(wrapped)


def _set_widths(ws: Any, tables: Sequence[_Table]) -> None:
    for t in tables:  # a later table on the sheet sets the width of a column it shares with one above
        for j, width in enumerate(t.widths):
            ws.column_dimensions[col_letter(t.first_col + j)].width = width


def _stream(ws: Any, parts: Sequence[Iterable[_Line]], *, last_row: int, last_col: int) -> None:
    """Write the sheet's rows in order: ``parts`` each give their rows in order (rows of several parts are merged).
    Call after everything the sheet's top needs (widths, print set-up, frozen panes) is set."""
    ws.calculate_dimension = lambda: f"A1:{col_letter(last_col)}{last_row}"  # the <dimension> of a full sheet
    written = 0
    merged = heapq.merge(*parts, key=lambda line: line[0])
    for r, group in itertools.groupby(merged, key=lambda line: line[0]):
        cells: dict[int, Cell] = {}
        height: float | None = None
        for _, part_cells, h in group:
            cells.update(part_cells)
            if h is not None and (height is None or h > height):
                height = h
        while written < r - 1:
            ws.append([])
            written += 1
        values: list[Cell | None] = [None] * max(cells, default=0)
        for col, c in cells.items():
            values[col - 1] = c
        if height is not None:
            ws.row_dimensions[r].height = height
        ws.append(values)
        written = r
        if height is not None:
            del ws.row_dimensions[r]  # written with the row: not kept


def _finish(ws: Any, title: str, *, last_col: int, last_row: int, title_rows: str | None = "1:1") -> None:
    """A4 landscape one page wide, header row on every page, the batch's title in the page header."""
    setup_report_print(ws, title_rows=title_rows, last_col=last_col, last_row=last_row)
    ws.page_setup.orientation = "landscape"
    header = ws.oddHeader.center if ws.oddHeader is not None else None
    if header is not None:
        header.text = f"{title}　{ws.title}".replace("&", "&&")
        header.size = 10


def _table_sheet(wb: Workbook, looks: _Looks, name: str, title: str, table: _Table,
                 freeze: Sequence[str] = ("A2",), ws: Any = None) -> None:
    """A sheet holding one table: frozen header, autofilter over the table, printed with its header on each page."""
    ws = ws if ws is not None else cast(Any, wb).create_sheet(name)
    table.plan()
    _set_widths(ws, [table])
    _finish(ws, title, last_col=len(table.cols), last_row=table.last_row)
    ws.auto_filter.ref = f"{col_letter(table.first_col)}{table.first_row}:{col_letter(table.last_col)}{table.last_row}"
    for cell in freeze:
        ws.freeze_panes = cell
    _stream(ws, [table.lines(ws, looks)], last_row=table.last_row, last_col=table.last_col)


# --------------------------------------------------------------------------- values


def link_target(file: str, folder: Path) -> str:
    """The hyperlink target of a submitted file from a workbook in ``folder``: a relative path (``/``-separated)
    when there is one (same drive), else an absolute ``file:`` URI. Characters that end or escape a URI part
    (space, ``%``, ``#``, ``?``, controls, quotes) are %-encoded as UTF-8; Chinese characters stay as they are
    (Excel and LibreOffice both read them)."""
    path = Path(os.path.abspath(file))
    try:
        relative: str | None = os.path.relpath(path, os.path.abspath(folder))
    except ValueError:  # Windows: another drive
        relative = None
    if relative is not None:
        return _escape(PurePath(relative).as_posix())
    posix = path.as_posix()
    return "file://" + ("" if posix.startswith("/") else "/") + _escape(posix)


_URI_UNSAFE = set(' %#?"<>\\^`{|}')


def _escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in _URI_UNSAFE or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def _when(text: str | None) -> dt.datetime | str | None:
    """An ISO time as the spreadsheet's date-time (wall clock as written; Excel has no time zones)."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return value.replace(tzinfo=None, microsecond=0)


def form_short(sub: Submission) -> str:
    if sub.form is None:
        return ""
    return FORM_SHORT.get(sub.form, sub.form_title or sub.form)


def severity_label(severity: str) -> str:
    try:
        return SEVERITY_LABELS[Severity(severity)]
    except ValueError:
        return severity


def entry_findings(sub: Submission) -> list[list[SubmittedFinding]]:
    """The submission's findings shared out over its rows in the 汇总 (one per entry, at least one): a
    finding of a project (by name, else by its sheet) goes to that project's row; the others (the file as a
    whole, a department form) to the first row, so that each finding is counted once."""
    buckets: list[list[SubmittedFinding]] = [[] for _ in range(max(1, len(sub.entries)))]
    by_name = {project_key(e.project): i for i, e in enumerate(sub.entries) if e.project}
    by_sheet = {e.sheet: i for i, e in enumerate(sub.entries) if e.sheet}
    for f in sub.findings:
        i = by_name.get(project_key(f.project)) if f.project else None
        if i is None and len(sub.entries) > 1:
            i = by_sheet.get(f.sheet)
        buckets[i or 0].append(f)
    return buckets


def _status_text(sub: Submission) -> str:
    parts = [] if sub.status == FileStatus.INTACT else [sub.status_message]
    if sub.read_error:
        parts.append(f"数值读取失败：{sub.read_error}")
    return "\n".join(p for p in parts if p)


def _bad(sub: Submission) -> bool:
    return sub.status != FileStatus.INTACT or bool(sub.read_error)


# --------------------------------------------------------------------------- 汇总

SUMMARY_COLUMNS = (
    Col("序号", "int"), Col("单位", max_width=22), Col("年度", "int"), Col("表种", "code"),
    Col("项目名称", max_width=22), Col("核验结果", "code"), Col("核验说明", "long", max_width=30),
    Col("指纹（SHA-256 前16位）", "code", min_width=23), Col("总分", "score"), Col("等级", "code"),
    Col("执行率", "rate"), Col("“三公”经费控制率", "rate"), Col("“三公”经费决算数（万元）", "amount"),
    Col("“三公”经费预算数（万元）", "amount"), Col("错误", "count"), Col("警告", "count"), Col("提示", "count"),
    Col("强制导出理由", "long", max_width=24), Col("文件名", "text", max_width=36), Col("收到时间", "time"),
)
SUMMARY_HEADERS = tuple(c.header for c in SUMMARY_COLUMNS)


def _summary_rows(result: CollectResult, folder: Path) -> Iterator[Row]:
    n = 0
    fp_col = SUMMARY_HEADERS.index("指纹（SHA-256 前16位）")
    for sub in result.submissions:
        entries: list[ScoreEntry | None] = list(sub.entries) or [None]
        buckets = entry_findings(sub)
        for entry, found in zip(entries, buckets, strict=True):
            counts = {s: sum(1 for f in found if f.severity == s) for s in ("error", "warning", "info")}
            department = sub.form == "department"
            fingerprint = sub.fingerprint or ""
            n += 1
            values = [
                n, sub.unit or "", sub.year, form_short(sub), entry.project if entry else "",
                sub.status_label, _status_text(sub),
                fingerprint[:FINGERPRINT_SHOWN] + ("…" if len(fingerprint) > FINGERPRINT_SHOWN else ""),
                entry.score if entry else None, (entry.grade or "") if entry else "",
                entry.execution_rate if entry else None,
                sub.control_rate if department else None,
                sub.three_public_actual if department else None,
                sub.three_public_budget if department else None,
                counts["error"], counts["warning"], counts["info"],
                sub.forced_reason or "", Link(sub.name, link_target(sub.path, folder)), _when(sub.received_at),
            ]
            fill = ERROR_FILL if _bad(sub) or counts["error"] else WARNING_FILL if counts["warning"] else None
            notes = {fp_col: f"文件指纹（SHA-256）：{fingerprint}"} if len(fingerprint) > FINGERPRINT_SHOWN else {}
            yield Row(values, fill=fill, notes=notes)


# --------------------------------------------------------------------------- 问题清单

FINDINGS_COLUMNS = (
    Col("单位", max_width=20), Col("项目名称", max_width=20), Col("文件名", max_width=30), Col("代码", "code"),
    Col("级别", "code"), Col("工作表", max_width=16), Col("单元格", "code"), Col("问题说明", "long", max_width=48),
    Col("单位说明", "long", max_width=30),
)


def _finding_rows(result: CollectResult, folder: Path) -> Iterator[Row]:
    for sub in result.submissions:
        target = link_target(sub.path, folder)
        for f in sub.findings:
            fills = {}
            try:
                fills[4] = SEVERITY_CELL_FILLS[Severity(f.severity)]
            except ValueError:
                pass
            yield Row([sub.unit or "", f.project, Link(sub.name, target), f.code, severity_label(f.severity),
                       f.sheet, f.cell, f.message, f.note], cell_fills=fills)


# --------------------------------------------------------------------------- 未报送

MISSING_COLUMNS = (Col("单位名称", max_width=30), Col("情况", max_width=24),
                   Col("可能对应的单位", max_width=30), Col("名称相似度", "rate"))
MISSING_LABEL = "未报送"
UNEXPECTED_LABEL = "已报送，但不在名单中"


def _missing_rows(result: CollectResult) -> list[Row]:
    expected = result.expected or []
    rows = [Row([m.name, MISSING_LABEL, m.near or "", None if m.score is None else Decimal(str(m.score))],
                 fill=ERROR_FILL) for m in result.missing]
    near_of = {m.near: m for m in result.missing if m.near}
    for unit in unexpected_units(expected, result.submissions):
        m = near_of.get(unit)
        rows.append(Row([unit, UNEXPECTED_LABEL, m.name if m else "",
                         None if m is None or m.score is None else Decimal(str(m.score))], fill=WARNING_FILL))
    return rows


# --------------------------------------------------------------------------- 重复报送

DUPLICATE_COLUMNS = (
    Col("单位", max_width=20), Col("年度", "int"), Col("表种", "code"), Col("项目名称", max_width=24),
    Col("文件名（未计入汇总）", max_width=28), Col("核验结果", "code"), Col("导出时间", "time"),
    Col("收到时间", "time"), Col("保留的文件", max_width=28), Col("保留的文件导出时间", "time"),
    Col("保留原因", "long", max_width=28),
)


def _duplicate_rows(result: CollectResult, folder: Path) -> list[Row]:
    rows = []
    for d in result.duplicates:
        old, kept = d.superseded, d.kept
        projects = "、".join(e.project for e in old.entries if e.project)
        rows.append(Row([old.unit or "", old.year, form_short(old), projects,
                         Link(old.name, link_target(old.path, folder)), old.status_label, _when(old.exported_at),
                         _when(old.received_at), Link(kept.name, link_target(kept.path, folder)),
                         _when(kept.exported_at), d.reason]))
    return rows


# --------------------------------------------------------------------------- 复核

REVIEW_COLUMNS = (
    Col("序号", "int"), Col("单位", max_width=24), Col("表种", "code"), Col("项目名称", max_width=28),
    Col("自评得分", "score"), Col("复核得分", "score", min_width=9, typed=True), Col("偏差", "score"),
    Col("主要偏差原因", "long", min_width=36, max_width=40, typed=True),
)
REVIEW_SELF, REVIEW_SCORE, REVIEW_DIFF, REVIEW_REASON = 5, 6, 7, 8  # 1-based columns
REVIEW_TOTAL_LABELS = ("合计", "平均", "有得分的表数")


def _review_rows(result: CollectResult) -> Iterator[Row]:
    s, v = col_letter(REVIEW_SELF), col_letter(REVIEW_SCORE)
    n = 0
    for sub in result.submissions:
        for entry in sub.entries:
            n += 1
            r = n + 1
            yield Row([n, sub.unit or "", form_short(sub), entry.project, entry.score,
                       None, Formula(f'=IF(OR({v}{r}="",{s}{r}=""),"",{v}{r}-{s}{r})'), None])


def _review_totals(ws: Any, looks: _Looks, last: int) -> Iterator[_Line]:
    """Below the table (one empty row: the totals stay out of the filtered table): 合计, 平均 and the count."""
    first = 2
    s, v = col_letter(REVIEW_SELF), col_letter(REVIEW_SCORE)
    self_range, review_range = f"{s}{first}:{s}{last}", f"{v}{first}:{v}{last}"
    totals = {
        "合计": (f"=SUM({self_range})", f"=SUM({review_range})"),
        "平均": (f'=IF(COUNT({self_range})=0,"",AVERAGE({self_range}))',
               f'=IF(COUNT({review_range})=0,"",AVERAGE({review_range}))'),
        "有得分的表数": (f"=COUNT({self_range})", f"=COUNT({review_range})"),
    }

    def label_look(c: Cell) -> None:
        c.font = _font(bold=True)
        c.alignment = Alignment(horizontal="right")

    def total_look(number_format: str) -> Callable[[Cell], None]:
        def make(c: Cell) -> None:
            c.font = _font(bold=True)
            c.number_format = number_format
            c.border = GRID
        return make

    r = last + 1
    for label in REVIEW_TOTAL_LABELS:
        r += 1
        number_format = "0" if label == REVIEW_TOTAL_LABELS[-1] else SCORE_FORMAT
        cells = {REVIEW_SELF - 1: looks.cell(ws, label, ("total label",), label_look)}
        for col, formula in zip((REVIEW_SELF, REVIEW_SCORE), totals[label], strict=True):
            cells[col] = looks.cell(ws, formula, ("total", number_format), total_look(number_format))
        yield r, cells, None


def _write_review(wb: Workbook, looks: _Looks, title: str, result: CollectResult) -> None:
    ws = cast(Any, wb).create_sheet(REVIEW_SHEET)
    table = _Table(REVIEW_COLUMNS, lambda: _review_rows(result), "无（没有可复核的自评表）")
    table.plan()
    last = table.last_row
    last_row = last + 1 + len(REVIEW_TOTAL_LABELS) if table.count else last
    _set_widths(ws, [table])
    _finish(ws, title, last_col=len(REVIEW_COLUMNS), last_row=last_row)
    ws.auto_filter.ref = f"A1:{col_letter(len(REVIEW_COLUMNS))}{last}"
    ws.freeze_panes = "A2"
    parts: list[Iterable[_Line]] = [table.lines(ws, looks)]
    if table.count:
        v = col_letter(REVIEW_SCORE)
        check = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                               showErrorMessage=True, errorTitle="复核得分", error="复核得分应为 0 到 100 之间的数。",
                               promptTitle="复核得分", prompt="填写复核后的得分（0–100）；不填则不计入平均复核。",
                               showInputMessage=True)
        check.add(f"{v}2:{v}{last}")
        ws.data_validations.append(check)
        parts.append(_review_totals(ws, looks, last))
    _stream(ws, parts, last_row=last_row, last_col=len(REVIEW_COLUMNS))


# --------------------------------------------------------------------------- 统计


def bucket_labels(edges: Sequence[Decimal] = EXECUTION_EDGES) -> list[str]:
    def pct(x: Decimal) -> str:
        return f"{(x * 100).normalize():f}%"

    labels = [f"<{pct(edges[0])}"]
    labels += [f"{pct(a)}–<{pct(b)}" for a, b in itertools.pairwise(edges)]
    labels.append(f"≥{pct(edges[-1])}")
    return labels


def bucket_of(rate: Decimal, edges: Sequence[Decimal] = EXECUTION_EDGES) -> int:
    return sum(1 for e in edges if rate >= e)


@dataclass
class _Stats:
    counts: list[tuple[str, int | str]]
    grades: list[tuple[str, int]]
    buckets: list[tuple[str, int]]
    no_rate: int
    points: list[tuple[str, str, Decimal, Decimal]]  # unit, project, budget, score


def _stats(result: CollectResult) -> _Stats:
    subs = result.submissions
    entries = [(s, e) for s in subs for e in s.entries]
    grade_counts: dict[str, int] = dict.fromkeys(GRADES, 0)
    for _, e in entries:
        if e.score is None or not e.grade:
            continue
        grade_counts[e.grade] = grade_counts.get(e.grade, 0) + 1
    grades = [*grade_counts.items(), (NO_GRADE, sum(1 for _, e in entries if e.score is None or not e.grade))]
    bucket_counts = [0] * (len(EXECUTION_EDGES) + 1)
    for _, e in entries:
        if e.execution_rate is not None:
            bucket_counts[bucket_of(e.execution_rate)] += 1
    buckets = list(zip(bucket_labels(), bucket_counts, strict=True))
    no_rate = sum(1 for _, e in entries if e.execution_rate is None)
    points = [(s.unit or "", e.project, e.budget, e.score) for s, e in entries
              if e.budget is not None and e.score is not None]
    readable = [s for s in subs if s.status != FileStatus.UNREADABLE]
    counts: list[tuple[str, int | str]] = [
        ("收到的 .xlsx 文件", len(subs) + len(result.duplicates)),
        ("计入汇总的文件", len(subs)),
        ("重复报送（未计入汇总）", len(result.duplicates)),
        ("核验完好", sum(1 for s in subs if s.status == FileStatus.INTACT)),
        ("核验未通过（非完好）", sum(1 for s in readable if s.status != FileStatus.INTACT)),
        ("无法读取", len(subs) - len(readable)),
        ("有错误的文件", sum(1 for s in subs if s.counts["error"] or s.read_error)),
        ("有警告的文件", sum(1 for s in subs if s.counts["warning"])),
        ("自评表（汇总行）", len(entries)),
        ("未报送单位", len(result.missing) if result.expected is not None else "未提供名单"),
        ("跳过的非 .xlsx 文件", len(result.skipped)),
    ]
    return _Stats(counts, grades, buckets, no_rate, points)


STATS_COUNT_COLUMNS = (Col("项目", max_width=24), Col("数量", "count"))
STATS_GRADE_COLUMNS = (Col("等级", "code"), Col("自评表数", "count"))
STATS_RATE_COLUMNS = (Col("执行率", "code"), Col("自评表数", "count"))
STATS_POINT_COLUMNS = (Col("单位", max_width=24), Col("项目名称", max_width=24), Col("全年预算数（万元）", "amount"),
                       Col("总分", "score"))
# Charts sit right of the small tables: the two bar charts side by side, the scatter chart below them, all on the
# first printed page (A4 landscape). Positions in default columns (64 px = 1.693 cm) and rows (15 pt = 0.529 cm).
CHART_FIRST_COL = 6  # F (E stays empty)
BAR_WIDTH_CM, BAR_HEIGHT_CM = 12, 7
DEFAULT_COL_CM, DEFAULT_ROW_CM = 1.693, 0.529
BAR_COLUMNS = math.ceil(BAR_WIDTH_CM / DEFAULT_COL_CM)  # the second bar chart starts this many columns later
SCATTER_WIDTH_CM, SCATTER_HEIGHT_CM = round(BAR_COLUMNS * DEFAULT_COL_CM + BAR_WIDTH_CM), 8  # as wide as both bars
SCATTER_FIRST_ROW = math.ceil(BAR_HEIGHT_CM / DEFAULT_ROW_CM) + 3
STATS_CHART_LAST_COL = CHART_FIRST_COL + math.ceil(SCATTER_WIDTH_CM / DEFAULT_COL_CM) - 1
STATS_CHART_LAST_ROW = SCATTER_FIRST_ROW + math.ceil(SCATTER_HEIGHT_CM / DEFAULT_ROW_CM)


@dataclass(frozen=True)
class StatsLayout:
    """Where the 统计 sheet's tables are (1-based rows): header row and last data row of each."""

    counts: tuple[int, int]
    grades: tuple[int, int]
    rates: tuple[int, int]
    points: tuple[int, int]
    charts: tuple[str, ...]


def _caption(ws: Any, looks: _Looks, row: int, text: str) -> _Line:
    def make(c: Cell) -> None:
        c.font = Font(name=BODY_FONT, size=11, bold=True)

    return row, {1: looks.cell(ws, text, ("caption",), make)}, None


def _bar(ws: Worksheet, title: str, x_title: str, header: int, last: int) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = "自评表数"
    chart.x_axis.title = x_title
    chart.add_data(Reference(ws, min_col=2, min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    chart.legend = None
    chart.y_axis.majorGridlines = None
    chart.y_axis.number_format = "0"
    chart.x_axis.delete = False  # openpyxl ≥ 3.1 hides axes unless told
    chart.y_axis.delete = False
    chart.width, chart.height = BAR_WIDTH_CM, BAR_HEIGHT_CM
    return chart


def _write_stats(wb: Workbook, looks: _Looks, title: str, result: CollectResult) -> StatsLayout:
    ws = cast(Any, wb).create_sheet(STATS_SHEET)
    st = _stats(result)
    shared: dict[int, float] = {}
    tables: list[_Table] = []
    lines: list[_Line] = []
    row = 1
    for caption, cols, rows, empty in (
        ("核验情况", STATS_COUNT_COLUMNS, lambda: [Row([k, v]) for k, v in st.counts], "无"),
        ("等级分布（按自评表）", STATS_GRADE_COLUMNS, lambda: [Row([k, v]) for k, v in st.grades], "无"),
        ("执行率分布（按自评表）", STATS_RATE_COLUMNS,
         lambda: [Row([k, v]) for k, v in st.buckets] + [Row([NO_RATE, st.no_rate])], "无"),
        ("得分与资金（有全年预算数和总分的自评表）", STATS_POINT_COLUMNS, lambda: (Row(list(p)) for p in st.points),
         f"无（{NO_POINTS}）"),
    ):
        lines.append(_caption(ws, looks, row, caption))
        table = _Table(cols, rows, empty, first_row=row + 1)
        table.plan(shared)
        tables.append(table)
        row = table.last_row + 2
    counts, grades, rates, points = tables
    counts_last, grade_caption, grades_last = counts.last_row, grades.first_row - 1, grades.last_row
    rate_caption, rates_last = rates.first_row - 1, rates.last_row
    point_caption, points_last = points.first_row - 1, points.last_row
    _set_widths(ws, tables)
    last_row, last_col = max(points_last, STATS_CHART_LAST_ROW), STATS_CHART_LAST_COL
    _finish(ws, title, last_col=last_col, last_row=last_row, title_rows=None)
    ws.auto_filter.ref = f"A{point_caption + 1}:D{points_last}"  # the one long table of the sheet

    charts: list[str] = []
    grade_chart = _bar(ws, "等级分布", "等级", grade_caption + 1, grades_last - 1)  # 无总分 is not a 等级
    ws.add_chart(grade_chart, f"{col_letter(CHART_FIRST_COL)}1")
    charts.append("bar")
    rate_chart = _bar(ws, "执行率分布", "预算执行率", rate_caption + 1, rates_last - 1)  # without 无执行率
    ws.add_chart(rate_chart, f"{col_letter(CHART_FIRST_COL + BAR_COLUMNS)}1")
    charts.append("bar")
    if st.points:
        scatter = ScatterChart()
        scatter.title = "得分与资金"
        scatter.style = 13
        scatter.x_axis.title = "全年预算数（万元）"
        scatter.y_axis.title = "总分"
        xs = Reference(ws, min_col=3, min_row=point_caption + 2, max_row=points_last)
        ys = Reference(ws, min_col=4, min_row=point_caption + 1, max_row=points_last)
        series = Series(ys, xs, title_from_data=True)
        series.marker.symbol = "circle"
        series.marker.size = 7
        series.marker.graphicalProperties = GraphicalProperties(solidFill=POINT_COLOUR)
        series.marker.graphicalProperties.line.solidFill = POINT_COLOUR
        series.graphicalProperties.line.noFill = True  # points only
        scatter.series.append(series)
        scatter.legend = None
        scatter.x_axis.delete = False
        scatter.y_axis.delete = False
        scatter.x_axis.number_format = "#,##0"
        scatter.y_axis.scaling.min = 0
        scatter.y_axis.scaling.max = 100
        scatter.y_axis.number_format = "0"
        scatter.width, scatter.height = SCATTER_WIDTH_CM, SCATTER_HEIGHT_CM
        ws.add_chart(scatter, f"{col_letter(CHART_FIRST_COL)}{SCATTER_FIRST_ROW}")
        charts.append("scatter")
    used_row, used_col = points_last, 4  # the <dimension> of the used cells
    if not st.points:
        lines.append((SCATTER_FIRST_ROW, {CHART_FIRST_COL: looks.cell(
            ws, f"{NO_POINTS}，未绘制“得分与资金”散点图。", ("note",), lambda c: setattr(c, "font", _font()))}, None))
        used_row, used_col = max(used_row, SCATTER_FIRST_ROW), CHART_FIRST_COL
    lines.sort(key=lambda line: line[0])
    _stream(ws, [lines, *(t.lines(ws, looks) for t in tables)], last_row=used_row, last_col=used_col)
    return StatsLayout((2, counts_last), (grade_caption + 1, grades_last), (rate_caption + 1, rates_last),
                       (point_caption + 1, points_last), tuple(charts))


# --------------------------------------------------------------------------- 跳过的文件

SKIPPED_COLUMNS = (Col("文件", max_width=60), Col("原因", "long", max_width=40))

# --------------------------------------------------------------------------- the workbook


def _title(result: CollectResult) -> str:
    parts = ["绩效自评汇总"]
    if result.year is not None:
        parts.append(f"{result.year}年度")
    if result.generated_at:
        parts.append(f"生成于 {result.generated_at[:16].replace('T', ' ')}")
    return "　".join(parts)


def build_summary(result: CollectResult, folder: Path) -> Workbook:
    """The 汇总 workbook of ``result``; hyperlinks are relative to ``folder`` (where it will be saved).

    A write-only workbook (its rows are streamed to temporary files as they are built): save it once."""
    wb = Workbook(write_only=True)
    title = _title(result)
    first = cast(Any, wb).create_sheet(SUMMARY_SHEET)
    looks = _Looks(first)

    def table(name: str, cols: Sequence[Col], rows: Callable[[], Iterable[Row]], empty: str,
              freeze: Sequence[str] = ("A2",)) -> None:
        _table_sheet(wb, looks, name, title, _Table(cols, rows, empty), freeze, ws=first if name == SUMMARY_SHEET
                     else None)

    # 序号 and 单位 stay in view when scrolling right
    table(SUMMARY_SHEET, SUMMARY_COLUMNS, lambda: _summary_rows(result, folder), "无（没有收到可汇总的 .xlsx 文件）",
          freeze=("A2", "C2"))
    table(FINDINGS_SHEET, FINDINGS_COLUMNS, lambda: _finding_rows(result, folder), "无（本批定稿的校验没有发现问题）")
    if result.expected is not None:
        expected = result.expected
        table(MISSING_SHEET, MISSING_COLUMNS, lambda: _missing_rows(result),
              f"无（名单上的 {len(expected)} 个单位均已报送）")
    table(DUPLICATES_SHEET, DUPLICATE_COLUMNS, lambda: _duplicate_rows(result, folder), "无（没有重复报送）")
    _write_review(wb, looks, title, result)
    _write_stats(wb, looks, title, result)
    if result.skipped:
        table(SKIPPED_SHEET, SKIPPED_COLUMNS,
              lambda: [Row([Link(PurePath(s.path).name, link_target(s.path, folder)), s.reason])
                       for s in result.skipped], "无")
    return wb


def write_summary(result: CollectResult, out: Path) -> Path:
    """Write the 汇总 workbook of ``result`` to ``out`` atomically; returns ``out``."""
    out = Path(out)
    wb = build_summary(result, Path(os.path.abspath(out)).parent)
    save_atomic(wb, out)
    return out


__all__ = [
    "DUPLICATES_SHEET",
    "EXECUTION_EDGES",
    "FINDINGS_SHEET",
    "MISSING_SHEET",
    "REVIEW_SHEET",
    "SKIPPED_SHEET",
    "STATS_SHEET",
    "SUMMARY_SHEET",
    "bucket_labels",
    "build_summary",
    "link_target",
    "write_summary",
]
