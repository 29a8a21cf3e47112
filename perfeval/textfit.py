"""How much room a text takes in a spreadsheet: lines in a column, row heights, page orientation.

One measure for every sheet this tool writes (the official sheets, 计算结果, 校验结果, 校验摘要, the 定稿):
spreadsheets do not fit row heights to wrapped text by themselves (Excel never does it for merged cells,
openpyxl cannot do it at all, LibreOffice does not on opening an .xlsx), so the file layer sets each row's
height from :func:`fit_rows`. Pure Python: the openpyxl and xlwings layers translate.

The model follows Excel, the program accountants print from, and errs on the generous side:

- a column width ``W`` (the number stored in the file) is ``7 × W`` pixels, of which about one unit is
  padding: the text gets ``5.25 × (W − 1)`` points;
- a full-width character (CJK, fullwidth forms, and the East Asian "ambiguous" ones such as “”、≥、—,
  which Chinese fonts draw full width) is 1 em wide; others 0.55 em (0.7 em for capitals), 5 % more in bold;
- lines break greedily: between any two full-width characters, at spaces, and inside a word only when the
  word is longer than a line; closing punctuation （，。）… never starts a line (it takes the character before
  it along); each explicit newline starts a new line;
- a line is 9/7 em high (13.5 pt at 10.5 pt); one line fits a row of ``line + 1.5`` pt (15 pt at 10.5 pt,
  Excel's default row), more lines need 3 pt of padding; a row is at most 409 pt (Excel's limit).
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

BODY_SIZE = 10.5  # pt: the official sheets' 仿宋 body text
PT_PER_UNIT = 5.25  # one column-width unit: 7 px at 96 dpi
PADDING_UNITS = 1.0  # column width lost to the cell's inner margins
DEFAULT_COLUMN_WIDTH = 9.14  # Excel's default column (8.43 characters + padding), in file units
DEFAULT_ROW_HEIGHT = 15.0
EXCEL_MAX_ROW_HEIGHT = 409.0  # Excel's limit for one row
LINE_EM = 9 / 7  # line pitch per point of font size
SINGLE_LINE_PAD = 1.5
MULTI_LINE_PAD = 3.0
WIDE_EM, NARROW_EM, CAPITAL_EM = 1.0, 0.55, 0.7
BOLD_FACTOR = 1.05

#: characters that never start a line (Chinese line-breaking rules), ASCII ones included
NO_LINE_START = frozenset("，。、；：？！）」』】》〉”’…％‰·,.;:?!)]}%")


def is_wide(ch: str) -> bool:
    """Drawn full width by a Chinese font: East Asian Wide, Fullwidth or Ambiguous."""
    wide = _WIDE.get(ch)
    if wide is None:
        wide = _WIDE[ch] = unicodedata.east_asian_width(ch) in ("W", "F", "A")
    return wide


# Per-character answers, computed once per distinct character (a few thousand at most): the measures below run over
# every character of every text a sheet shows.
_WIDE: dict[str, bool] = {}
_EM: tuple[dict[str, float], dict[str, float]] = ({}, {})  # regular, bold


def display_width(text: str) -> int:
    """Columns a text takes in a terminal: Wide/Fullwidth characters 2, combining marks 0, others 1."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def char_em(ch: str, bold: bool = False) -> float:
    """Width of one character in em (see the module notes)."""
    table = _EM[1 if bold else 0]
    em = table.get(ch)
    if em is None:
        em = table[ch] = _char_em(ch, bold)
    return em


def _char_em(ch: str, bold: bool) -> float:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0.0
    if is_wide(ch):
        return WIDE_EM
    em = CAPITAL_EM if ch.isupper() or ch in "@%&#MW" else NARROW_EM
    return em * BOLD_FACTOR if bold else em


def text_em(text: str, bold: bool = False) -> float:
    table = _EM[1 if bold else 0]
    try:
        return sum([table[ch] for ch in text])  # left to right, as char by char
    except KeyError:
        return sum([char_em(ch, bold) for ch in text])


def usable_points(width: float) -> float:
    """Points of text that fit on one line of a column (or merged range) of ``width`` file units."""
    return max(PT_PER_UNIT, PT_PER_UNIT * (width - PADDING_UNITS))


def _tokens(paragraph: str) -> list[str]:
    """Break opportunities: each full-width character alone, runs of spaces, runs of other characters."""
    out: list[str] = []
    word = ""
    for ch in paragraph:
        if is_wide(ch) or ch.isspace():
            if word:
                out.append(word)
                word = ""
            if ch.isspace() and out and out[-1].isspace():
                out[-1] += ch
            else:
                out.append(ch)
        else:
            word += ch
    if word:
        out.append(word)
    return out


def _paragraph_lines(paragraph: str, avail: float, size: float, bold: bool) -> int:
    lines, used = 1, 0.0
    prev: tuple[str, float] | None = None  # last token placed on the current line
    pending = 0.0  # width of spaces waiting between the line's last token and the next
    for token in _tokens(paragraph):
        w = text_em(token, bold) * size
        if token.isspace():
            pending += w if used > 0 else 0.0
            continue
        if used + pending + w <= avail + 1e-9:
            used += pending + w
        elif token[0] in NO_LINE_START and prev is not None and used > prev[1] and not prev[0].isspace():
            lines += 1  # the closing mark takes the character before it onto the new line
            used = prev[1] + w
        elif w <= avail:
            lines += 1 if used > 0 else 0
            used = w
        else:  # a word longer than a line: broken character by character
            if used > 0:
                lines += 1
            used = 0.0
            for ch in token:
                cw = char_em(ch, bold) * size
                if used + cw > avail + 1e-9 and used > 0:
                    lines += 1
                    used = 0.0
                used += cw
        pending = 0.0
        prev = (token, w)
    return lines


@functools.lru_cache(maxsize=8192)
def lines_needed(text: str, width: float, size: float = BODY_SIZE, bold: bool = False) -> int:
    """Lines ``text`` wraps to in a column (or merged range) ``width`` file units wide; at least 1.
    (Remembered for the last few thousand texts and widths: the same messages recur in a sheet.)"""
    if not text:
        return 1
    avail = usable_points(width)
    paragraphs = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return sum(_paragraph_lines(p, avail, size, bold) for p in paragraphs)


def height_for_lines(lines: int, size: float = BODY_SIZE) -> float:
    """Row height in points that shows ``lines`` lines of ``size`` pt text."""
    line = size * LINE_EM
    if lines <= 1:
        return round(line + SINGLE_LINE_PAD, 4)
    return round(lines * line + MULTI_LINE_PAD, 4)


def text_height(text: str, width: float, size: float = BODY_SIZE, bold: bool = False, wrap: bool = True) -> float:
    """Height in points a cell needs to show ``text`` whole (one line when it does not wrap)."""
    lines = lines_needed(text, width, size, bold) if wrap else 1
    return height_for_lines(lines, size)


@dataclass(frozen=True)
class TextBox:
    """A cell's text and where it sits: rows and columns 1-based, inclusive (a merged range or one cell)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    text: str
    size: float = BODY_SIZE
    bold: bool = False
    wrap: bool = True


def fit_rows(
    boxes: Iterable[TextBox],
    column_width: Callable[[int], float] | Mapping[int, float],
    heights: Mapping[int, float | None] | None = None,
    *,
    default_height: float = DEFAULT_ROW_HEIGHT,
    default_width: float = DEFAULT_COLUMN_WIDTH,
) -> dict[int, float]:
    """Heights for the rows that must grow so every box shows its text whole.

    ``column_width`` gives a column's width in file units (a mapping may leave columns out:
    ``default_width``); ``heights`` the rows' current heights (absent or ``None``: ``default_height``).
    A row's height is the largest any of its boxes needs; a box spanning several rows shares what it
    needs among them (first the rows' own needs, then the rest spread evenly). Rows never shrink;
    heights are capped at :data:`EXCEL_MAX_ROW_HEIGHT`. Returns ``{row: new height}`` for the rows to change.
    """
    current = dict(heights or {})

    def width_of(col: int) -> float:
        if callable(column_width):
            w = column_width(col)
        else:
            w = column_width.get(col)
        return default_width if w is None else w

    def now(row: int) -> float:
        h = current.get(row)
        return default_height if h is None else h

    need: dict[int, float] = {}
    spans: list[tuple[int, int, float]] = []
    for box in boxes:
        width = sum(width_of(c) for c in range(box.first_col, box.last_col + 1))
        h = text_height(box.text, width, box.size, box.bold, box.wrap)
        if box.last_row == box.first_row:
            need[box.first_row] = max(need.get(box.first_row, 0.0), h)
        else:
            spans.append((box.first_row, box.last_row, h))
    target = {r: max(now(r), h) for r, h in need.items()}
    for first, last, h in sorted(spans, key=lambda s: s[1] - s[0]):
        rows = range(first, last + 1)
        have = sum(target.get(r, now(r)) for r in rows)
        if have + 1e-9 < h:
            extra = (h - have) / len(rows)
            for r in rows:
                target[r] = target.get(r, now(r)) + extra
    out: dict[int, float] = {}
    for r, h in target.items():
        h = min(EXCEL_MAX_ROW_HEIGHT, math.ceil(h * 4 - 1e-6) / 4)  # quarter points, rounded up
        if h > now(r) + 1e-9:
            out[r] = h
    return out


# --------------------------------------------------------------------------- printing

A4_MM = (210.0, 297.0)
MM_PER_INCH = 25.4


def columns_points(widths: Iterable[float]) -> float:
    """Printed width of columns (file units) at 100 %."""
    return sum(w * PT_PER_UNIT for w in widths)


def printable_points(orientation: str, margin_left: float, margin_right: float) -> float:
    """Width in points between the side margins (inches) of an A4 page."""
    paper_mm = A4_MM[0] if orientation == "portrait" else A4_MM[1]
    return paper_mm / MM_PER_INCH * 72 - (margin_left + margin_right) * 72


def fit_scale(widths: Iterable[float], orientation: str, margin_left: float, margin_right: float) -> float:
    """The print scale at which the columns fit one A4 page wide (1.0 when they fit at 100 %)."""
    total = columns_points(widths)
    return 1.0 if total <= 0 else min(1.0, printable_points(orientation, margin_left, margin_right) / total)


# Print set-up of the sheets this tool writes for reading (perfeval.xlsx.writer.setup_report_print with openpyxl,
# the 汇总 of perfeval.xlsx.summary with XlsxWriter): margins (inches) and the page footer.
REPORT_MARGINS = (0.5, 0.5, 0.6, 0.6)  # left, right, top, bottom
HEADER_FOOTER_MARGIN = 0.3
PAGE_FOOTER = "第 &P 页，共 &N 页"


def orientation_for(widths: Iterable[float], margin_left: float, margin_right: float,
                    min_scale: float = 0.9) -> Literal["portrait", "landscape"]:
    """``"portrait"`` when the columns fit an A4 page at ``min_scale`` or more, else ``"landscape"``."""
    ws = list(widths)
    return "portrait" if fit_scale(ws, "portrait", margin_left, margin_right) >= min_scale else "landscape"


__all__ = [
    "BODY_SIZE",
    "EXCEL_MAX_ROW_HEIGHT",
    "TextBox",
    "char_em",
    "display_width",
    "fit_rows",
    "fit_scale",
    "height_for_lines",
    "is_wide",
    "lines_needed",
    "orientation_for",
    "text_height",
    "usable_points",
]
