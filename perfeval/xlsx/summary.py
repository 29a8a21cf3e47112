"""The 汇总 workbook of ``perfeval collect``: the receiver's overview of a batch of submitted 定稿.

Sheets (names declared once below): 汇总 (one row per scored table of each submission: a department 定稿 one
row, a project-form 定稿 one row per project; a file that could not be read one row saying why), 问题清单 (every
finding with the unit's 说明), 未报送 (with an expected list), 重复报送 (the superseded submissions), 复核 (the
reviewer's sheet: 自评得分, empty 复核得分, 偏差 as a native formula), 统计 (small tables and native charts) and,
when files were skipped, 跳过的文件.

Every table sheet: header row 1 (bold, tinted), frozen, with an autofilter over the table, repeated on each
printed page; A4 landscape, one page wide; column widths from :mod:`perfeval.textfit` (the project's one text
measure), rows grown for wrapped text. The data comes from :mod:`perfeval.receiving`; this module only lays it out.

The file is written with XlsxWriter in its ``constant_memory`` mode (a batch of thousands of rows in about a
second): each sheet is planned first (one pass over its rows: how many, the column widths), then streamed row by
row (a second pass writes each row's cells and height; XlsxWriter flushes a row to a temporary file when the next
one starts), so that memory does not grow with the rows' contents. What the file format keeps until after the rows
(each hyperlink's target and each note) is held to the end of its sheet, as with any writer. A sheet holds at most
65,530 hyperlinks (Excel's limit): beyond that a file name is written as plain text, without a link. Sizes are
stored on Excel's pixel grid (96 dpi): columns and rows the nearest whole pixels to their planned sizes (what Excel
shows for them).
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any, BinaryIO, cast

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.url import Url
from xlsxwriter.utility import xl_rowcol_to_cell_fast as _cell_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import CellBlankTuple as _BLANK_CELL
from xlsxwriter.worksheet import CellDatetimeTuple as _DATE_CELL
from xlsxwriter.worksheet import CellNumberTuple as _NUMBER_CELL
from xlsxwriter.worksheet import CellStringTuple as _TEXT_CELL
from xlsxwriter.worksheet import Worksheet

from perfeval import textfit
from perfeval.a1 import col_letter
from perfeval.findings import SEVERITY_LABELS, Severity
from perfeval.flagging import SEVERITY_FILLS
from perfeval.layout import ROLE_FILLS, Role
from perfeval.names import project_key
from perfeval.receiving import (
    CollectResult,
    FileStatus,
    ScoreEntry,
    Submission,
    SubmittedFinding,
    unexpected_units,
)
from perfeval.xlsx.io import atomic_write

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
NOTE_WIDTH_PX, NOTE_HEIGHT_PX = 360, 30
FINGERPRINT_SHOWN = 16  # hex digits of the fingerprint shown in the cell (the whole one is in the cell's note)

# Colours as ARGB (the file's form); fills name the colour of a solid fill.
BODY_FONT, BODY_SIZE = "宋体", 10.0
HEADER_FILL = "FFD9E1F2"
ERROR_FILL = SEVERITY_FILLS[Severity.ERROR]
WARNING_FILL = SEVERITY_FILLS[Severity.WARNING]
SEVERITY_CELL_FILLS = dict(SEVERITY_FILLS)
INPUT_FILL = ROLE_FILLS[Role.INPUT]  # where the reviewer types (as on the official sheets)
LINK_COLOUR = "FF0563C1"
GRID_COLOUR = "FFBFBFBF"  # thin grid lines round every table cell

FILTER_BUTTON_UNITS = 2.2  # room the autofilter's drop-down button takes in a header cell
AMOUNT_FORMAT, RATE_FORMAT, SCORE_FORMAT = "#,##0.00", "0.00%", "0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm"

# Print set-up of every sheet: that of perfeval.xlsx.writer.setup_report_print (A4, one page wide, the margins and
# footer of textfit, centred), always landscape, with the batch's title in the page header.
A4_PAPER = 9
MAX_LINKS = 65_530  # hyperlinks per sheet (Excel's limit)
PX_PER_UNIT = 7  # a column-width unit is 7 px (the file's width is on this pixel grid)

# --------------------------------------------------------------------------- table machinery
#
# Each sheet is planned first (one pass over its rows: how many, the column widths, the print set-up), then
# streamed row by row (a second pass writes each row's cells and its height): the rows are built twice and never
# kept. A part of a sheet that writes rows is a generator yielding the (0-based) row it writes next and writing it
# when resumed, so that the rows of several parts (the 统计 sheet) are written in order.


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
    """A native formula (``=…``) in a table cell: shown in its column's look, no say in the column's width.
    ``value``: the result stored with it until the spreadsheet computes it (``""``: none, computed on opening)."""

    text: str
    value: float | str = ""


_NO_FILLS: dict[int, str] = {}
_NO_NOTES: dict[int, str] = {}


@dataclass(slots=True)
class Row:
    values: list[Any]
    fill: str | None = None  # ARGB of the row's fill
    cell_fills: dict[int, str] = field(default_factory=lambda: _NO_FILLS)  # 0-based column → fill (read only)
    notes: dict[int, str] = field(default_factory=lambda: _NO_NOTES)  # 0-based column → note text (read only)
    spill: bool = False  # a one-line message (empty state): no wrapping, no say in the column widths


_FORMATS = {"score": SCORE_FORMAT, "amount": AMOUNT_FORMAT, "rate": RATE_FORMAT, "time": TIME_FORMAT,
            "int": "0", "count": "0"}
_CENTERED = ("int", "count", "code")
_WRAPPING = ("text", "long")  # the kinds that wrap (and whose column width is capped)
_TEXTUAL = ("text", "long", "code")  # a text in a column of another kind is shown as "text"
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # openpyxl's ILLEGAL_CHARACTERS_RE
_MAX_TEXT = 32_767


def _rgb(argb: str) -> str:
    return "#" + argb[-6:]


def _clean(text: str) -> str:
    if not text.isprintable():  # (a quick test first: most texts have no control character at all)
        text = _ILLEGAL.sub("", text)
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT]


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


_UNITS_PER_EM = BODY_SIZE / textfit.PT_PER_UNIT
_SPARE_UNITS = textfit.PADDING_UNITS + 0.4


@functools.lru_cache(maxsize=65_536)
def _units(text: str, bold: bool = False, size: float = BODY_SIZE) -> float:
    """Column width (file units) that shows ``text``'s longest line on one line."""
    longest = max((textfit.text_em(line, bold) for line in text.split("\n")), default=0.0)
    return longest * size / textfit.PT_PER_UNIT + textfit.PADDING_UNITS + 0.4


def _at_most(text: str) -> float:
    """An upper bound of ``_units(text)`` (regular weight) without measuring: no character is wider than 1 em."""
    return len(text) * BODY_SIZE / textfit.PT_PER_UNIT + textfit.PADDING_UNITS + 0.4


def _header_width(header: str) -> float:
    """Width a header needs beside the filter button: a short header (up to four characters) on one line,
    a longer one may wrap to two lines."""
    shown = header if len(header) <= 4 else header[: (len(header) + 1) // 2]
    return _units(shown, bold=True) + FILTER_BUTTON_UNITS


def _wrapped_height(text: str, width: float, bold: bool = False) -> float | None:
    """The height (points) ``text`` needs in a column ``width`` units wide when it wraps, ``None`` when it fits
    on one line."""
    if "\n" not in text and ((not bold and _at_most(text) <= width) or _units(text, bold) <= width):
        return None
    return textfit.height_for_lines(textfit.lines_needed(text, width, BODY_SIZE, bold), BODY_SIZE)


PX_PER_PT = 4 / 3  # 96 dpi
MAX_ROW_PX = int(textfit.EXCEL_MAX_ROW_HEIGHT * PX_PER_PT)


def _row_height(need: float | None) -> int | None:
    """A row's height in pixels (the file stores whole pixels) from the largest height its wrapped texts need
    (textfit's measure in quarter points, at most Excel's limit): the nearest pixel, as Excel shows such a height
    (within half a pixel, well inside textfit's padding)."""
    if need is None:
        return None
    points = min(textfit.EXCEL_MAX_ROW_HEIGHT, math.ceil(need * 4 - 1e-6) / 4)
    return min(MAX_ROW_PX, math.floor(points * PX_PER_PT + 0.5))


class _Sheet(Worksheet):
    """XlsxWriter's worksheet with a quicker writer for the plain cells of its ``constant_memory`` mode: a formatted
    text without control characters, ``_xHHHH_`` look-alikes or rich-text markup, a number or date, a blank. It
    writes the very XML XlsxWriter's own ``_write_cell`` writes for them (tests compare the two), without its
    regular expressions per cell; any other cell goes to XlsxWriter."""

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        look = cell.format
        if look is not None:
            kind = cell.__class__
            if kind is _TEXT_CELL:
                text = cell.string
                if text.isprintable() and "_x" not in text and not text.startswith("<r>"):
                    if "&" in text or "<" in text or ">" in text:
                        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    keep = ' xml:space="preserve"' if text[:1] == " " or text[-1:] == " " else ""
                    self.fh.write(f'<c r="{_cell_name(row, col)}" s="{look._get_xf_index()}" t="inlineStr"><is>'
                                  f"<t{keep}>{text}</t></is></c>")
                    return
            elif kind is _NUMBER_CELL or kind is _DATE_CELL:
                self.fh.write(f'<c r="{_cell_name(row, col)}" s="{look._get_xf_index()}"><v>{cell.number:.16G}</v></c>')
                return
            elif kind is _BLANK_CELL:
                self.fh.write(f'<c r="{_cell_name(row, col)}" s="{look._get_xf_index()}"/>')
                return
        super()._write_cell(row, col, cell)

    def _write_single_row(self, current_row_num: int = 0) -> None:
        written = self.previous_row
        super()._write_single_row(current_row_num)
        self.row_info.pop(written, None)  # the row is in the file: only its size stays (notes and charts are placed
        # by the sizes of the rows above them), and that as one shared entry per distinct size
        size = self.row_sizes.get(written)
        if size is not None:
            self.row_sizes[written] = _SIZES.setdefault((size[0], size[1]), size)


_SIZES: dict[tuple[Any, Any], list[Any]] = {}  # a row's [height, hidden] as XlsxWriter keeps it, shared


class _FileLink(Url):
    """A hyperlink to a file whose target (a relative path or a ``file:`` URI, already %-encoded by
    :func:`link_target`) is stored as it is: XlsxWriter's own ``external:`` links turn ``/`` into ``\\`` and
    encode again."""

    def __init__(self, target: str, text: str) -> None:
        super().__init__("external:x.xlsx")  # an external (file) link
        self._link = self._relationship_link = target
        self._text = text


class _Looks:
    """The workbook's cell formats, each made once and shared by every cell of that look."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self._cache: dict[tuple[Any, ...], Format] = {}
        self.links: dict[int, int] = {}  # sheet (id) → hyperlinks written

    def get(self, key: tuple[Any, ...], props: Callable[[], dict[str, Any]]) -> Format:
        look = self._cache.get(key)
        if look is None:
            look = self._cache[key] = self.book.add_format({"font_name": BODY_FONT, "font_size": BODY_SIZE,
                                                             **props()})
        return look

    def table(self, kind: str, wrap: bool, fill: str | None, typed: bool) -> Format:
        def props() -> dict[str, Any]:
            p: dict[str, Any] = {"border": 1, "border_color": _rgb(GRID_COLOUR), "valign": "top",
                                 "align": "center" if kind in _CENTERED else ("right" if kind in _FORMATS
                                                                              else "left")}
            if kind == "link":
                p.update(font_color=_rgb(LINK_COLOUR), underline=1)
            if kind in _FORMATS:
                p["num_format"] = _FORMATS[kind]
            if wrap:
                p["text_wrap"] = True
            if fill is not None:
                p.update(pattern=1, bg_color=_rgb(fill))
            if typed:
                p.update(pattern=1, bg_color=_rgb(INPUT_FILL), locked=False)
            return p

        return self.get(("table", kind, wrap, fill, typed), props)

    def header(self) -> Format:
        return self.get(("header",), lambda: {"bold": True, "pattern": 1, "bg_color": _rgb(HEADER_FILL), "border": 1,
                                              "border_color": _rgb(GRID_COLOUR), "align": "center",
                                              "valign": "vcenter", "text_wrap": True})

    def link(self, ws: Worksheet) -> bool:
        """Whether ``ws`` may take one more hyperlink (counted)."""
        n = self.links.get(id(ws), 0)
        if n >= MAX_LINKS:
            return False
        self.links[id(ws)] = n + 1
        return True


def _put(ws: Worksheet, r: int, c: int, text: str, look: Format) -> None:
    """Write a (cleaned, non-empty) text. XlsxWriter writes a text that looks like ``<r>…</r>`` as rich-text
    markup; such a text goes in as two plain runs, shown as typed."""
    if text.startswith("<r>") and text.endswith("</r>"):
        ws.write_rich_string(r, c, look, text[:1], look, text[1:], look)
    else:
        ws.write_string(r, c, text, look)


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
        n = len(cols)
        widths = [max(col.min_width, _header_width(col.header)) for col in cols]
        kinds = [col.kind for col in cols]
        caps = [col.max_width for col in cols]
        numbers: dict[tuple[str, Any], float] = {}  # (kind, number) → width, for the formatted kinds
        count = 0
        for row in self.rows():
            count += 1
            if row.spill:
                continue
            for j, value in enumerate(row.values[:n]):
                if value is None:
                    continue
                t = type(value)
                width = widths[j]
                if t is str or t is Link:
                    text = value if t is str else value.text
                    capped = t is Link or kinds[j] != "code"  # a text in a column of another kind: "text"
                    if (capped and width >= caps[j]) or _at_most(text) <= width:
                        continue  # cannot widen the column
                    need = _units(text)
                    if capped and need > caps[j]:
                        need = caps[j]
                elif t is Formula:
                    continue  # shows nothing measured
                else:
                    kind = kinds[j]
                    if kind in ("rate", "amount", "score") and t is not bool and t is not dt.datetime:
                        key = (kind, value)
                        need = numbers.get(key, -1.0)
                        if need < 0:
                            need = numbers[key] = _units(_shown(value, kind))
                    else:
                        need = _units(_shown(value, kind))
                    if kind in _WRAPPING and need > caps[j]:
                        need = caps[j]
                if need > width:
                    widths[j] = need
        for j, width in enumerate(widths):
            if shared is not None:  # columns shared with the tables above (统计)
                width = shared[self.first_col + j] = max(width, shared.get(self.first_col + j, 0.0))
            widths[j] = round(width, 2)
        self.count, self.widths = count, widths

    def write(self, ws: Worksheet, looks: _Looks) -> Iterator[int]:
        """Write the header and the rows, each row with the height its wrapped texts need (see the section
        notes: yields the row it writes next)."""
        cols, widths = self.cols, self.widths
        n = len(cols)
        r = self.first_row - 1
        c0 = self.first_col - 1
        yield r
        header = looks.header()
        need: float | None = None
        for j, col in enumerate(cols):
            ws.write_string(r, c0 + j, col.header, header)
            h = _wrapped_height(col.header, widths[j] - FILTER_BUTTON_UNITS, bold=True)
            if h is not None and (need is None or h > need):
                need = h
        if need is not None:
            ws.set_row_pixels(r, _row_height(need))
        kinds = [col.kind for col in cols]
        typeds = [col.typed for col in cols]
        formats: dict[tuple[str, bool, str | None, bool], Format] = {}
        for row in self._items():
            r += 1
            yield r
            values, spill, fill, cell_fills, notes = row.values, row.spill, row.fill, row.cell_fills, row.notes
            nv = len(values)
            need = None
            for j in range(n):
                value = values[j] if j < nv else None
                c = c0 + j
                kind = kinds[j]
                t = type(value)
                if t is str:
                    if kind not in _TEXTUAL:
                        kind = "text"
                elif t is Link:
                    kind = "link"
                wrap = kind in _WRAPPING and not spill
                key = (kind, wrap, cell_fills.get(j, fill) if cell_fills else fill, typeds[j] and not spill)
                look = formats.get(key)
                if look is None:
                    look = formats[key] = looks.table(*key)
                shown: str | None = None
                if t is str:
                    if value:
                        text = _clean(value)
                        if text.startswith("<r>"):
                            _put(ws, r, c, text, look)
                        else:
                            ws.write_string(r, c, text, look)
                        shown = value
                    else:
                        ws.write_blank(r, c, None, look)
                elif value is None:
                    ws.write_blank(r, c, None, look)
                elif t is Link:
                    text = _clean(value.text)
                    if not text:
                        ws.write_blank(r, c, None, look)
                    elif looks.link(ws):
                        link: Any = _FileLink(value.target, text)  # (a Url object: XlsxWriter's stubs say str)
                        ws.write_url(r, c, link, look)
                        if text.startswith("<r>") and text.endswith("</r>"):
                            _put(ws, r, c, text, look)  # the link stays, the text as typed
                    else:
                        _put(ws, r, c, text, look)  # past Excel's limit of links on a sheet: the name alone
                elif t is Formula:
                    ws.write_formula(r, c, value.text, look, cast(Any, value.value))
                elif t is Decimal or t is float:
                    number = float(value)
                    if math.isfinite(number):
                        ws.write_number(r, c, number, look)
                    else:
                        ws.write_blank(r, c, None, look)
                    shown = _shown(value, kind) if wrap else None
                elif t is int:
                    ws.write_number(r, c, value, look)
                    shown = _shown(value, kind) if wrap else None
                elif t is dt.datetime:
                    ws.write_datetime(r, c, value, look)
                    shown = _shown(value, kind) if wrap else None
                elif t is bool:
                    ws.write_boolean(r, c, value, look)
                    shown = _shown(value, kind) if wrap else None
                else:
                    shown = _shown(value, kind)
                    if shown:
                        _put(ws, r, c, _clean(shown), look)
                    else:
                        ws.write_blank(r, c, None, look)
                if wrap and shown:
                    h = _wrapped_height(shown, widths[j])
                    if h is not None and (need is None or h > need):
                        need = h
                if notes and j in notes:
                    ws.write_comment(r, c, notes[j], {"author": NOTE_AUTHOR, "width": NOTE_WIDTH_PX,
                                                      "height": NOTE_HEIGHT_PX})
            if need is not None:
                ws.set_row_pixels(r, _row_height(need))


def _set_widths(ws: Worksheet, tables: Sequence[_Table]) -> None:
    for t in tables:  # a later table on the sheet sets the width of a column it shares with one above
        for j, width in enumerate(t.widths):
            c = t.first_col - 1 + j
            ws.set_column_pixels(c, c, int(width * PX_PER_UNIT + 0.5))


def _stream(parts: Sequence[Iterator[int]]) -> None:
    """Write the sheet's rows in order: ``parts`` each write their rows in order (rows of several parts are
    merged). Call after everything the sheet's top needs (widths, print set-up, frozen panes) is set."""
    heads = [(r, i, part) for i, part in enumerate(parts) if (r := next(part, None)) is not None]
    heapq.heapify(heads)
    while heads:
        _, i, part = heads[0]
        r = next(part, None)  # writes the row, says the next
        if r is None:
            heapq.heappop(heads)
        else:
            heapq.heapreplace(heads, (r, i, part))


def _finish(ws: Worksheet, title: str, *, last_col: int, last_row: int, title_rows: bool = True) -> None:
    """A4 landscape one page wide, header row on every page, the batch's title in the page header."""
    left, right, top, bottom = textfit.REPORT_MARGINS
    ws.set_paper(A4_PAPER)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    ws.center_horizontally()
    ws.print_area(0, 0, last_row - 1, last_col - 1)
    if title_rows:
        ws.repeat_rows(0)
    ws.set_header("&C&10 " + f"{title}　{ws.name}".replace("&", "&&"), {"margin": textfit.HEADER_FOOTER_MARGIN})
    ws.set_footer("&C&9 " + textfit.PAGE_FOOTER, {"margin": textfit.HEADER_FOOTER_MARGIN})


def _table_sheet(book: Workbook, looks: _Looks, name: str, title: str, table: _Table,
                 freeze: tuple[int, int] = (1, 0)) -> None:
    """A sheet holding one table: frozen header, autofilter over the table, printed with its header on each page.
    ``freeze``: the rows and columns that stay in view."""
    ws = book.add_worksheet(name, _Sheet)
    table.plan()
    _set_widths(ws, [table])
    _finish(ws, title, last_col=len(table.cols), last_row=table.last_row)
    ws.autofilter(table.first_row - 1, table.first_col - 1, table.last_row - 1, table.last_col - 1)
    ws.freeze_panes(*freeze)
    _stream([table.write(ws, looks)])


# --------------------------------------------------------------------------- values


def link_target(file: str, folder: Path) -> str:
    """The hyperlink target of a submitted file from a workbook in ``folder``: a relative path (``/``-separated)
    when there is one (same drive), else an absolute ``file:`` URI. Characters that end or escape a URI part
    (space, ``%``, ``#``, ``?``, controls, quotes) are %-encoded as UTF-8; Chinese characters stay as they are
    (Excel and LibreOffice both read them)."""
    path = os.path.abspath(file)
    try:
        relative: str | None = os.path.relpath(path, os.path.abspath(folder))
    except ValueError:  # Windows: another drive
        relative = None
    if relative is not None:
        return _escape(relative if os.sep == "/" else PurePath(relative).as_posix())
    posix = PurePath(path).as_posix()
    return "file://" + ("" if posix.startswith("/") else "/") + _escape(posix)


_URI_UNSAFE = set(' %#?"<>\\^`{|}')


_URI_UNSAFE_RE = re.compile(r'[ %#?"<>\\^`{|}\x00-\x1f\x7f]')


def _escape(text: str) -> str:
    if _URI_UNSAFE_RE.search(text) is None:
        return text
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


def _summary_rows(result: CollectResult, targets: Callable[[str], str]) -> Iterator[Row]:
    n = 0
    fp_col = SUMMARY_HEADERS.index("指纹（SHA-256 前16位）")
    for sub in result.submissions:
        entries: list[ScoreEntry | None] = list(sub.entries) or [None]
        buckets = entry_findings(sub)
        # the same for each row of the submission
        department = sub.form == "department"
        fingerprint = sub.fingerprint or ""
        unit, form, status, status_text = sub.unit or "", form_short(sub), sub.status_label, _status_text(sub)
        shown_fp = fingerprint[:FINGERPRINT_SHOWN] + ("…" if len(fingerprint) > FINGERPRINT_SHOWN else "")
        control, actual, budget = ((sub.control_rate, sub.three_public_actual, sub.three_public_budget)
                                   if department else (None, None, None))
        link, received = Link(sub.name, targets(sub.path)), _when(sub.received_at)
        bad = _bad(sub)
        notes = {fp_col: f"文件指纹（SHA-256）：{fingerprint}"} if len(fingerprint) > FINGERPRINT_SHOWN else {}
        for entry, found in zip(entries, buckets, strict=True):
            errors = warnings = infos = 0
            for f in found:
                if f.severity == "error":
                    errors += 1
                elif f.severity == "warning":
                    warnings += 1
                elif f.severity == "info":
                    infos += 1
            n += 1
            values = [
                n, unit, sub.year, form, entry.project if entry else "", status, status_text, shown_fp,
                entry.score if entry else None, (entry.grade or "") if entry else "",
                entry.execution_rate if entry else None, control, actual, budget,
                errors, warnings, infos, sub.forced_reason or "", link, received,
            ]
            fill = ERROR_FILL if bad or errors else WARNING_FILL if warnings else None
            yield Row(values, fill=fill, notes=notes)


# --------------------------------------------------------------------------- 问题清单

FINDINGS_COLUMNS = (
    Col("单位", max_width=20), Col("项目名称", max_width=20), Col("文件名", max_width=30), Col("代码", "code"),
    Col("级别", "code"), Col("工作表", max_width=16), Col("单元格", "code"), Col("问题说明", "long", max_width=48),
    Col("单位说明", "long", max_width=30),
)


def _finding_rows(result: CollectResult, targets: Callable[[str], str]) -> Iterator[Row]:
    for sub in result.submissions:
        target = targets(sub.path)
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


def _duplicate_rows(result: CollectResult, targets: Callable[[str], str]) -> list[Row]:
    rows = []
    for d in result.duplicates:
        old, kept = d.superseded, d.kept
        projects = "、".join(e.project for e in old.entries if e.project)
        rows.append(Row([old.unit or "", old.year, form_short(old), projects,
                         Link(old.name, targets(old.path)), old.status_label, _when(old.exported_at),
                         _when(old.received_at), Link(kept.name, targets(kept.path)),
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


def _review_totals(ws: Worksheet, looks: _Looks, last: int, total: Decimal, count: int) -> Iterator[int]:
    """Below the table (one empty row: the totals stay out of the filtered table): 合计, 平均 and the count.
    Each formula is stored with its result for the sheet as written (``total`` and ``count`` of the 自评得分; no
    复核得分 yet)."""
    first = 2
    s, v = col_letter(REVIEW_SELF), col_letter(REVIEW_SCORE)
    self_range, review_range = f"{s}{first}:{s}{last}", f"{v}{first}:{v}{last}"
    totals: dict[str, tuple[tuple[str, float | str], tuple[str, float | str]]] = {
        "合计": ((f"=SUM({self_range})", float(total)), (f"=SUM({review_range})", 0)),
        "平均": ((f'=IF(COUNT({self_range})=0,"",AVERAGE({self_range}))',
                float(total / count) if count else ""),
               (f'=IF(COUNT({review_range})=0,"",AVERAGE({review_range}))', "")),
        "有得分的表数": ((f"=COUNT({self_range})", count), (f"=COUNT({review_range})", 0)),
    }
    label_look = looks.get(("total label",), lambda: {"bold": True, "align": "right"})
    r = last  # 0-based: one empty row below the table's last row
    for label in REVIEW_TOTAL_LABELS:
        r += 1
        yield r
        number_format = "0" if label == REVIEW_TOTAL_LABELS[-1] else SCORE_FORMAT
        look = looks.get(("total", number_format), lambda f=number_format: {  # type: ignore[misc]
            "bold": True, "num_format": f, "border": 1, "border_color": _rgb(GRID_COLOUR)})
        ws.write_string(r, REVIEW_SELF - 2, label, label_look)
        for col, (formula, value) in zip((REVIEW_SELF, REVIEW_SCORE), totals[label], strict=True):
            ws.write_formula(r, col - 1, formula, look, cast(Any, value))  # (the stubs say int: any result goes)


def _write_review(book: Workbook, looks: _Looks, title: str, result: CollectResult) -> None:
    ws = book.add_worksheet(REVIEW_SHEET, _Sheet)
    table = _Table(REVIEW_COLUMNS, lambda: _review_rows(result), "无（没有可复核的自评表）")
    table.plan()
    last = table.last_row
    last_row = last + 1 + len(REVIEW_TOTAL_LABELS) if table.count else last
    _set_widths(ws, [table])
    _finish(ws, title, last_col=len(REVIEW_COLUMNS), last_row=last_row)
    ws.autofilter(0, 0, last - 1, len(REVIEW_COLUMNS) - 1)
    ws.freeze_panes(1, 0)
    parts: list[Iterator[int]] = [table.write(ws, looks)]
    if table.count:
        ws.data_validation(1, REVIEW_SCORE - 1, last - 1, REVIEW_SCORE - 1, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100, "ignore_blank": True,
            "show_error": True, "error_title": "复核得分", "error_message": "复核得分应为 0 到 100 之间的数。",
            "show_input": True, "input_title": "复核得分",
            "input_message": "填写复核后的得分（0–100）；不填则不计入平均复核。"})
        total, count = Decimal(0), 0  # of the 自评得分 (no list of them: a large batch stays out of memory)
        for sub in result.submissions:
            for e in sub.entries:
                if e.score is not None:
                    total, count = total + e.score, count + 1
        parts.append(_review_totals(ws, looks, last, total, count))
    _stream(parts)


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
    """The 统计 figures, in one pass over the submissions (a large batch is read back from its spool, so none of
    them is kept)."""
    subs = result.submissions
    grade_counts: dict[str, int] = dict.fromkeys(GRADES, 0)
    no_grade = no_rate = tables = 0
    bucket_counts = [0] * (len(EXECUTION_EDGES) + 1)
    points: list[tuple[str, str, Decimal, Decimal]] = []
    intact = unreadable = with_errors = with_warnings = 0
    for s in subs:
        intact += s.status == FileStatus.INTACT
        unreadable += s.status == FileStatus.UNREADABLE
        counts = s.counts
        with_errors += bool(counts["error"] or s.read_error)
        with_warnings += bool(counts["warning"])
        for e in s.entries:
            tables += 1
            if e.score is None or not e.grade:
                no_grade += 1
            else:
                grade_counts[e.grade] = grade_counts.get(e.grade, 0) + 1
            if e.execution_rate is None:
                no_rate += 1
            else:
                bucket_counts[bucket_of(e.execution_rate)] += 1
            if e.budget is not None and e.score is not None:
                points.append((s.unit or "", e.project, e.budget, e.score))
    grades = [*grade_counts.items(), (NO_GRADE, no_grade)]
    buckets = list(zip(bucket_labels(), bucket_counts, strict=True))
    counts_rows: list[tuple[str, int | str]] = [
        ("收到的 .xlsx 文件", len(subs) + len(result.duplicates)),
        ("计入汇总的文件", len(subs)),
        ("重复报送（未计入汇总）", len(result.duplicates)),
        ("核验完好", intact),
        ("核验未通过（非完好）", len(subs) - unreadable - intact),
        ("无法读取", unreadable),
        ("有错误的文件", with_errors),
        ("有警告的文件", with_warnings),
        ("自评表（汇总行）", tables),
        ("未报送单位", len(result.missing) if result.expected is not None else "未提供名单"),
        ("跳过的非 .xlsx 文件", len(result.skipped)),
    ]
    return _Stats(counts_rows, grades, buckets, no_rate, points)


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
PX_PER_CM = 96 / 2.54
STATS_REF = f"'{STATS_SHEET}'!"  # the charts' ranges name the sheet quoted, as Excel writes them


@dataclass(frozen=True)
class StatsLayout:
    """Where the 统计 sheet's tables are (1-based rows): header row and last data row of each."""

    counts: tuple[int, int]
    grades: tuple[int, int]
    rates: tuple[int, int]
    points: tuple[int, int]
    charts: tuple[str, ...]


def _line(ws: Worksheet, row: int, col: int, text: str, look: Format) -> Iterator[int]:
    """One text in a cell (1-based row and column), as a part of a sheet's rows."""
    yield row - 1
    ws.write_string(row - 1, col - 1, text, look)


def _size(width_cm: float, height_cm: float) -> dict[str, float]:
    return {"width": round(width_cm * PX_PER_CM), "height": round(height_cm * PX_PER_CM)}


def _bar(book: Workbook, title: str, x_title: str, header: int, last: int) -> Any:
    chart: Any = book.add_chart({"type": "column"})
    chart.add_series({"name": f"={STATS_REF}$B${header}", "categories": f"={STATS_REF}$A${header + 1}:$A${last}",
                      "values": f"={STATS_REF}$B${header + 1}:$B${last}"})
    chart.set_title({"name": title})
    chart.set_x_axis({"name": x_title})
    chart.set_y_axis({"name": "自评表数", "num_format": "0", "major_gridlines": {"visible": False}})
    chart.set_legend({"none": True})
    chart.set_size(_size(BAR_WIDTH_CM, BAR_HEIGHT_CM))
    return chart


def _write_stats(book: Workbook, looks: _Looks, title: str, result: CollectResult) -> StatsLayout:
    ws = book.add_worksheet(STATS_SHEET, _Sheet)
    st = _stats(result)
    shared: dict[int, float] = {}
    tables: list[_Table] = []
    parts: list[Iterator[int]] = []
    caption = looks.get(("caption",), lambda: {"font_size": 11, "bold": True})
    row = 1
    for text, cols, rows, empty in (
        ("核验情况", STATS_COUNT_COLUMNS, lambda: [Row([k, v]) for k, v in st.counts], "无"),
        ("等级分布（按自评表）", STATS_GRADE_COLUMNS, lambda: [Row([k, v]) for k, v in st.grades], "无"),
        ("执行率分布（按自评表）", STATS_RATE_COLUMNS,
         lambda: [Row([k, v]) for k, v in st.buckets] + [Row([NO_RATE, st.no_rate])], "无"),
        ("得分与资金（有全年预算数和总分的自评表）", STATS_POINT_COLUMNS, lambda: (Row(list(p)) for p in st.points),
         f"无（{NO_POINTS}）"),
    ):
        parts.append(_line(ws, row, 1, text, caption))
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
    _finish(ws, title, last_col=last_col, last_row=last_row, title_rows=False)
    ws.autofilter(point_caption, 0, points_last - 1, 3)  # the one long table of the sheet

    charts: list[str] = []
    options = {"object_position": 2}  # moves with its cells, keeps its size
    grade_chart = _bar(book, "等级分布", "等级", grade_caption + 1, grades_last - 1)  # 无总分 is not a 等级
    ws.insert_chart(0, CHART_FIRST_COL - 1, grade_chart, options)
    charts.append("bar")
    rate_chart = _bar(book, "执行率分布", "预算执行率", rate_caption + 1, rates_last - 1)  # without 无执行率
    ws.insert_chart(0, CHART_FIRST_COL + BAR_COLUMNS - 1, rate_chart, options)
    charts.append("bar")
    if st.points:
        header, first = point_caption + 1, point_caption + 2
        scatter: Any = book.add_chart({"type": "scatter"})
        scatter.add_series({
            "name": f"={STATS_REF}$D${header}",
            "categories": f"={STATS_REF}$C${first}:$C${points_last}",
            "values": f"={STATS_REF}$D${first}:$D${points_last}",
            "marker": {"type": "circle", "size": 7, "fill": {"color": "#" + POINT_COLOUR},
                       "border": {"color": "#" + POINT_COLOUR}},
        })
        scatter.set_title({"name": "得分与资金"})
        scatter.set_style(13)
        scatter.set_x_axis({"name": "全年预算数（万元）", "num_format": "#,##0", "major_gridlines": {"visible": True}})
        scatter.set_y_axis({"name": "总分", "min": 0, "max": 100, "num_format": "0"})
        scatter.set_legend({"none": True})
        scatter.set_size(_size(SCATTER_WIDTH_CM, SCATTER_HEIGHT_CM))
        ws.insert_chart(SCATTER_FIRST_ROW - 1, CHART_FIRST_COL - 1, scatter, options)
        charts.append("scatter")
    else:
        parts.append(_line(ws, SCATTER_FIRST_ROW, CHART_FIRST_COL, f"{NO_POINTS}，未绘制“得分与资金”散点图。",
                           looks.get(("note",), dict)))
    _stream([*parts, *(t.write(ws, looks) for t in tables)])
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


def build_summary(result: CollectResult, folder: Path, target: BinaryIO | str) -> None:
    """Write the 汇总 workbook of ``result`` to ``target`` (a file name, or a binary file object open for
    writing); hyperlinks are relative to ``folder`` (where it will be saved)."""
    book = xlsxwriter.Workbook(target, {"constant_memory": True})
    # each file's link target worked out once (a file has several rows, on several sheets, each written twice)
    targets = functools.lru_cache(maxsize=4096)(functools.partial(link_target, folder=folder))
    looks = _Looks(book)
    title = _title(result)

    def table(name: str, cols: Sequence[Col], rows: Callable[[], Iterable[Row]], empty: str,
              freeze: tuple[int, int] = (1, 0)) -> None:
        _table_sheet(book, looks, name, title, _Table(cols, rows, empty), freeze)

    # 序号 and 单位 stay in view when scrolling right
    table(SUMMARY_SHEET, SUMMARY_COLUMNS, lambda: _summary_rows(result, targets), "无（没有收到可汇总的 .xlsx 文件）",
          freeze=(1, 2))
    table(FINDINGS_SHEET, FINDINGS_COLUMNS, lambda: _finding_rows(result, targets), "无（本批定稿的校验没有发现问题）")
    if result.expected is not None:
        expected = result.expected
        table(MISSING_SHEET, MISSING_COLUMNS, lambda: _missing_rows(result),
              f"无（名单上的 {len(expected)} 个单位均已报送）")
    table(DUPLICATES_SHEET, DUPLICATE_COLUMNS, lambda: _duplicate_rows(result, targets), "无（没有重复报送）")
    _write_review(book, looks, title, result)
    _write_stats(book, looks, title, result)
    if result.skipped:
        table(SKIPPED_SHEET, SKIPPED_COLUMNS,
              lambda: [Row([Link(PurePath(s.path).name, targets(s.path)), s.reason])
                       for s in result.skipped], "无")
    book.close()


def write_summary(result: CollectResult, out: Path) -> Path:
    """Write the 汇总 workbook of ``result`` to ``out`` atomically; returns ``out``."""
    out = Path(out)
    atomic_write(out, lambda fh: build_summary(result, Path(os.path.abspath(out)).parent, fh))
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
